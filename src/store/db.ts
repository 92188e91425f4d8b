// Opens the sandbox's SQLite file: WAL so an MCP server and an HTTP server can share it,
// a busy timeout so short write transactions queue instead of failing, foreign keys on,
// and the versioned migrations applied before anything else touches the file.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
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
    prepareFolder(dirname(file));
    // Created 0600 before SQLite opens it (SQLite gives its -wal and -shm the db file's mode).
    closeSync(openSync(file, 'a', 0o600));
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
    restrictFiles(file);
    cacheStatements(db);
  } catch (err) {
    db.close();
    throw err instanceof FacematchError ? err : unusablePath(file, err);
  }
  return db;
}

/**
 * The database holds API-key hashes, webhook secrets, session tokens, the media-signing secret
 * and face images: readable by its owner only, whatever the umask. Folders this creates are
 * 0700; an existing folder is tightened only when it is one of ours (named .facematch*), so a
 * project folder that merely holds the file keeps its mode.
 */
function prepareFolder(folder: string): void {
  const missing: string[] = [];
  for (let f = folder; !existsSync(f); f = dirname(f)) {
    missing.push(f);
    if (dirname(f) === f) break;
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const f of missing) chmodSync(f, 0o700);
  if (!missing.includes(folder) && /^\.facematch/.test(basename(folder))) {
    try {
      if ((statSync(folder).mode & 0o077) !== 0) chmodSync(folder, 0o700);
    } catch {
      /* not ours to change (another owner): the files are still 0600 */
    }
  }
}

/** 0600 on the database and its WAL/SHM files (and the credential file beside them). */
export function restrictFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-credential`]) {
    try {
      if ((statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
    } catch {
      /* absent, or owned by someone else */
    }
  }
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

/** Services prepare their SQL per call; compiling it each time cost the server a tenth of its
 *  main-thread time under load. Statements are reusable, so each distinct text is compiled once
 *  (up to a bound, in case some SQL is built from data). Nothing here iterates or re-modes one. */
function cacheStatements(db: Db): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, ReturnType<Db['prepare']>>();
  const cached = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = compile(sql);
      if (cache.size < 1000) cache.set(sql, stmt);
    }
    return stmt;
  };
  db.prepare = cached as Db['prepare'];
}
