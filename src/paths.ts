// Where the project's files live, resolved from this module so the CLI works from any cwd.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder holding package.json), from dist/src/paths.js. */
export const packageRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Verified ONNX weights, put there by models/fetch-models.mjs at install. */
export const modelsDir: string = join(packageRoot, 'models');


/** The per-project sandbox folder, git-ignored (it holds a .gitignore of `*`). */
export const PROJECT_SANDBOX_DIR = '.facematch';
export const SANDBOX_FILE = 'sandbox.db';

/** Where a command's sandbox database is, and why it is there. */
export interface DbLocation {
  path: string;
  /** flag: --db; env: FACEMATCH_DB; project: <root>/.facematch/sandbox.db; home: ~/.facematch-mcp/sandbox.db */
  source: 'flag' | 'env' | 'project' | 'home';
  /** The project folder the default was found from, when there is one. */
  projectRoot: string | null;
}

/**
 * The project a command runs in, found the way npm and git do: the nearest folder, from `cwd`
 * upwards, that holds package.json, .git or a .facematch folder (what `init` creates, so an
 * empty folder set up with init is a project too). Null when none does (then the home fallback).
 */
export function findProjectRoot(cwd: string = process.cwd()): string | null {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, '.git')) || existsSync(join(dir, PROJECT_SANDBOX_DIR))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * The one way every command and server resolves its database: --db, else FACEMATCH_DB, else
 * the project's .facematch/sandbox.db, else ~/.facematch-mcp/sandbox.db. Relative paths are
 * taken from `cwd`. Two projects get two databases unless told otherwise.
 */
export function resolveDbLocation(opts: { flag?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): DbLocation {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const root = findProjectRoot(cwd);
  if (opts.flag) return { path: resolve(cwd, opts.flag), source: 'flag', projectRoot: root };
  if (env.FACEMATCH_DB) return { path: resolve(cwd, env.FACEMATCH_DB), source: 'env', projectRoot: root };
  if (root) return { path: join(root, PROJECT_SANDBOX_DIR, SANDBOX_FILE), source: 'project', projectRoot: root };
  return { path: join(homedir(), '.facematch-mcp', SANDBOX_FILE), source: 'home', projectRoot: null };
}

/**
 * Creates the project's .facematch folder with a .gitignore of `*`, so the sandbox (API keys,
 * photos) is never committed even before `init` added it to the project's .gitignore.
 */
export function prepareProjectSandboxDir(loc: DbLocation): void {
  if (loc.source !== 'project') return;
  const dir = dirname(loc.path);
  mkdirSync(dir, { recursive: true });
  const ignore = join(dir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# facematch-mcp sandbox: local data, never commit it\n*\n');
}

/** The default database for this process (see resolveDbLocation); prepares the project folder. */
export function defaultDbPath(cwd: string = process.cwd()): string {
  const loc = resolveDbLocation({ cwd });
  prepareProjectSandboxDir(loc);
  return loc.path;
}

/** A short way to show a database path: relative to the project when inside it. */
export function displayDbPath(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Which sandbox a database file is, in words: "the project folder /x/app" or "the database /y.db". */
export function sandboxOwner(dbPath: string): string {
  const dir = dirname(dbPath);
  if (basename(dir) === PROJECT_SANDBOX_DIR && basename(dbPath) === SANDBOX_FILE) return `the project folder ${dirname(dir)}`;
  return `the database ${dbPath}`;
}
