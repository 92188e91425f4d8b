// `init --http URL`: also writes a Streamable HTTP entry for a running `serve`, with the
// sandbox credential in its headers (the /mcp endpoint refuses requests without it). Kept
// apart from init.ts so the stdio entry's logic stays in one place.
import { openSandbox } from '../services/index.js';
import { defaultDbPath } from '../paths.js';
import { UsageError } from './common.js';

export const HTTP_SERVER_NAME = 'facematch-http';

/** The /mcp URL that `--http URL` names (a base URL gets /mcp appended). */
export function mcpUrlOf(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`--http must be a URL such as http://127.0.0.1:8787 (got '${value}')`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--http must be an http:// URL (got '${value}')`);
  const base = u.toString().replace(/\/+$/, '');
  return base.endsWith('/mcp') ? base : `${base}/mcp`;
}

/** The client-config entry for /mcp over HTTP, carrying the sandbox credential of `dbPath`. */
export async function httpServerEntry(mcpUrl: string, dbPath: string = defaultDbPath()): Promise<Record<string, unknown>> {
  const sandbox = openSandbox({ dbPath, deliverWebhooks: false });
  try {
    const credential = sandbox.credential.ensure();
    return { type: 'http', url: mcpUrl, headers: { Authorization: `Bearer ${credential}` } };
  } finally {
    await sandbox.close();
  }
}
