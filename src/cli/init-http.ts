// `init --http URL`: also writes a Streamable HTTP entry for a running `serve`, with the
// sandbox credential in its headers (the /mcp endpoint refuses requests without it). Kept
// apart from init.ts so the stdio entry's logic stays in one place.
import { openStore } from '../store/db.js';
import { defaultDbPath } from '../paths.js';
import { ensureSandboxCredential } from '../sandbox-credential.js';
import { UsageError } from './common.js';

export const HTTP_SERVER_NAME = 'facematch-http';

/** Removes `--http URL` / `--http=URL` from argv; returns the /mcp URL it names, if any. */
export function takeHttpFlag(argv: string[]): { mcpUrl: string | null; rest: string[] } {
  const rest: string[] = [];
  let value: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--http') {
      const v = argv[++i];
      if (!v) throw new UsageError('--http needs the URL of a running serve, e.g. --http http://127.0.0.1:8787');
      value = v;
    } else if (a.startsWith('--http=')) value = a.slice('--http='.length);
    else rest.push(a);
  }
  if (value === null) return { mcpUrl: null, rest };
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`--http must be a URL such as http://127.0.0.1:8787 (got '${value}')`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--http must be an http:// URL (got '${value}')`);
  const base = u.toString().replace(/\/+$/, '');
  return { mcpUrl: base.endsWith('/mcp') ? base : `${base}/mcp`, rest };
}

/** The client-config entry for /mcp over HTTP, carrying the sandbox credential of `dbPath`. */
export function httpServerEntry(mcpUrl: string, dbPath: string = defaultDbPath()): Record<string, unknown> {
  const db = openStore(dbPath);
  try {
    const credential = ensureSandboxCredential({ db, dbPath });
    return { type: 'http', url: mcpUrl, headers: { Authorization: `Bearer ${credential}` } };
  } finally {
    db.close();
  }
}
