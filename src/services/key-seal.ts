// The key that seals API keys (AES-256-GCM), so the credential look-up can hand the owner the
// live key as the platform does, while authentication checks only the SHA-256. It is kept in
// `<db>-seal-key` beside the database (mode 0600, in the 0700 database folder), never in the
// database: a copy of the database file alone opens no key. Databases that kept it in their
// meta table have it moved to the file (and erased from the table) the first time they open.
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Db } from '../store/db.js';

const LEGACY_META_KEY = 'key_seal_secret';

export const sealKeyFileOf = (dbPath: string): string => `${dbPath}-seal-key`;

function readKey(file: string): Buffer | null {
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    return key.length === 32 ? key : null;
  } catch {
    return null;
  }
}

/** Creates `file` holding `text` only if it does not exist, complete or not at all (a reader never sees half of it). */
function createOnce(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The sealing key of the database at `dbPath`, created (or moved out of the database) on first use. */
export function loadSealKey(db: Db, dbPath: string): Buffer {
  const file = sealKeyFileOf(dbPath);
  const legacy = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(LEGACY_META_KEY)?.value;
  let key = readKey(file);
  if (!key) {
    // The key the database used so far, so that keys sealed with it still open; else a new one.
    const wanted = legacy && Buffer.from(legacy, 'base64url').length === 32 ? legacy : randomBytes(32).toString('base64url');
    // Another process may create it at the same moment: whoever loses reads the winner's key.
    createOnce(file, `${wanted}\n`);
    key = readKey(file);
    if (!key) throw new Error(`${file} does not hold a usable sealing key; move it away and start again (sealed keys made with it can then no longer be shown)`);
  }
  try {
    chmodSync(file, 0o600);
  } catch {
    /* not ours to fix (another user's file); reading it worked */
  }
  if (legacy !== undefined) {
    // Overwritten, not only unlinked from the table, so the page does not keep it either.
    const before = db.pragma('secure_delete', { simple: true });
    db.pragma('secure_delete = ON');
    try {
      db.prepare('DELETE FROM meta WHERE key = ?').run(LEGACY_META_KEY);
    } finally {
      db.pragma(`secure_delete = ${Number(before) ? 'ON' : 'OFF'}`);
    }
  }
  return key;
}
