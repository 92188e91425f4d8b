// The sandbox credential: one random bearer token per sandbox database, required by /mcp over
// HTTP and by the sandbox-only peeks (the verification code). The plain token lives in a file
// beside the database (`<db>-credential`, mode 0600, in the 0700 database folder) so `serve`
// can print it and `init` can write it into a client config; the database keeps only its
// SHA-256, which is all the server needs to check it (in constant time).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { Db } from '../store/db.js';

export const CREDENTIAL_PREFIX = 'fmsb_';
const META_KEY = 'sandbox_credential_sha256';

export interface CredentialHolder {
  readonly db: Db;
  readonly dbPath: string;
}

export const credentialFileOf = (dbPath: string): string => `${dbPath}-credential`;

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

function readToken(file: string): string | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text.startsWith(CREDENTIAL_PREFIX) && text.length > CREDENTIAL_PREFIX.length + 20 ? text : null;
  } catch {
    return null;
  }
}

/**
 * The sandbox's credential, created on first use. Several processes on one database agree:
 * the file is created exclusively, and whoever loses the race reads the winner's token.
 */
export function ensureSandboxCredential(holder: CredentialHolder): string {
  const file = credentialFileOf(holder.dbPath);
  let token = readToken(file);
  if (!token) {
    const fresh = `${CREDENTIAL_PREFIX}${randomBytes(32).toString('base64url')}`;
    try {
      writeFileSync(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
      token = fresh;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      token = readToken(file);
      if (!token) {
        // An unusable leftover (empty, truncated): replace it.
        writeFileSync(file, `${fresh}\n`, { mode: 0o600 });
        token = fresh;
      }
    }
  }
  try {
    chmodSync(file, 0o600);
  } catch {
    /* not ours to fix (e.g. another user's file); reading it worked */
  }
  const hash = digest(token).toString('hex');
  holder.db
    .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    .run(META_KEY, hash);
  return token;
}

/** Whether `presented` is this sandbox's credential. False when none was ever created. */
export function checkSandboxCredential(db: Db, presented: string | undefined | null): boolean {
  if (typeof presented !== 'string' || !presented) return false;
  const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(META_KEY);
  if (!row) return false;
  const expected = Buffer.from(row.value, 'hex');
  const got = digest(presented.trim());
  return expected.length === got.length && timingSafeEqual(expected, got);
}
