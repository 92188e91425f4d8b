// Opens the sandbox's SQLite file: WAL so an MCP server and an HTTP server can share it,
// a busy timeout so short write transactions queue instead of failing, foreign keys on,
// and the versioned migrations applied before anything else touches the file.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { FacematchError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export interface OpenStoreOptions {
  /** Milliseconds a writer waits for another process's lock (default 10000). */
  busyTimeoutMs?: number;
}

export function openStore(dbPath: string, options: OpenStoreOptions = {}): Db {
  const file = resolve(dbPath);
  // Why: Node's recursive mkdir never returns on kernel pseudo-filesystems.
  if (/^\/(proc|sys)(\/|$)/.test(file)) {
    throw new FacematchError('VALIDATION', `the sandbox database path ${file} is on a kernel pseudo-filesystem; choose a normal file path (--db or FACEMATCH_DB).`);
  }
  let db: Db;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
  } catch (err) {
    throw unusablePath(file, err);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    db.close();
    throw err instanceof FacematchError ? err : unusablePath(file, err);
  }
  return db;
}

/** Why: a directory, a device or an unwritable folder given as --db is the caller's to fix, not a crash. */
function unusablePath(file: string, err: unknown): FacematchError {
  const why = err instanceof Error ? err.message : String(err);
  return new FacematchError('VALIDATION', `Cannot open the sandbox database at ${file} (${why}); choose a writable file path (--db or FACEMATCH_DB).`, { cause: err });
}

/** Schema version of an open store (the number of migrations applied). */
export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Applies pending migrations in one IMMEDIATE transaction, so two processes opening a new
 *  file at once cannot both run them: the second waits, then sees the new version. */
export function migrate(db: Db): number {
  const run = db.transaction(() => {
    const current = schemaVersion(db);
    if (current > MIGRATIONS.length) {
      throw new FacematchError(
        'VALIDATION',
        `the sandbox database has schema version ${current}, newer than this facematch-mcp (${MIGRATIONS.length}); upgrade facematch-mcp or use another --db file`,
      );
    }
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    if (current !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
    return MIGRATIONS.length;
  });
  return run.immediate();
}
