// Reading a local file named by a caller (an agent's tool argument): only a regular file, at
// most maxBytes, optionally only inside an allowed root folder (FACEMATCH_FILES_ROOT).
// Why: a FIFO blocks open()/read() forever (and a few of them starve libuv's file threads, so
// every later file read hangs), a device such as /dev/urandom never ends, and a directory is
// not an image. The file is opened non-blocking and checked on the open handle (no window
// between a stat and the open), and the size is checked before any byte is read. Under a root,
// the file opened must be the one whose real path is inside it (device and inode compared).
//
// Errors do not help probing: a missing file, an unreadable one and one outside the root get
// the same sentence. Only after the file was opened does the message say what is wrong with it.
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { FacematchError } from './errors.js';

export const FILES_ROOT_ENV = 'FACEMATCH_FILES_ROOT';

export interface ReadLocalFileOptions {
  /** Refuse files larger than this (checked before reading; the read is bounded too). */
  maxBytes: number;
  /** Only files inside this folder (after resolving symlinks). Default: FACEMATCH_FILES_ROOT
   *  when set, else anywhere. Pass null for anywhere regardless of the environment. */
  allowRoot?: string | null;
  /** Where a relative path resolves (default process.cwd()). */
  cwd?: string;
  /** Names the argument in messages, e.g. "user_image" (default "file"). */
  label?: string;
}

const unreadable = new WeakSet<Error>();
function markUnreadable(err: FacematchError): FacematchError {
  unreadable.add(err);
  return err;
}
/** True for the one error that covers "missing, unreadable or outside the root": callers may
 *  then try another reading of the argument (e.g. as base64). */
export function isUnreadablePathError(err: unknown): boolean {
  return err instanceof Error && unreadable.has(err);
}

/** The root folder reads are restricted to, or null (from FACEMATCH_FILES_ROOT). */
export function filesRootFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const v = env[FILES_ROOT_ENV]?.trim();
  return v ? resolve(v) : null;
}

/** True when no root is set, or when `path` (symlinks resolved) is inside it; false when it cannot be resolved. */
export async function insideFilesRoot(path: string, root: string | null = filesRootFromEnv()): Promise<boolean> {
  if (!root) return true;
  const full = resolve(path);
  // The lexical check first: a path that names a place outside touches no file system.
  if (!inside(root, full)) return false;
  const [realPath, realRoot] = await Promise.all([realpath(full).catch(() => null), realpath(root).catch(() => root)]);
  return realPath !== null && inside(realRoot, realPath);
}

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
};

function shortPath(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 160)}...${path.slice(-30)}`;
}

/** Reads `path` if it is a regular file of at most `maxBytes`; otherwise a VALIDATION or IMAGE_TOO_LARGE error. */
export async function readLocalFile(path: string, opts: ReadLocalFileOptions): Promise<Buffer> {
  const label = opts.label ?? 'file';
  const full = isAbsolute(path) ? resolve(path) : resolve(opts.cwd ?? process.cwd(), path);
  const root = opts.allowRoot === undefined ? filesRootFromEnv() : opts.allowRoot === null ? null : resolve(opts.allowRoot);
  const unusable = (): FacematchError =>
    markUnreadable(new FacematchError(
      'VALIDATION',
      `${label}: cannot read a file at ${shortPath(full)} (it does not exist, is not readable by the server${root ? `, or is outside ${root} (${FILES_ROOT_ENV})` : ''}). Check the path${root ? ` and keep files under ${root}` : ''}.`,
    ));
  // The lexical check needs no file system access, so it reveals nothing.
  if (root && !inside(root, full)) {
    throw new FacematchError('VALIDATION', `${label}: ${shortPath(full)} is outside ${root}, the only folder this server reads (${FILES_ROOT_ENV}). Copy the file there or pass it another way.`);
  }
  let fh;
  try {
    // O_NONBLOCK: opening a FIFO without a writer returns at once instead of blocking a thread.
    fh = await open(full, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch {
    throw unusable();
  }
  try {
    const info = await fh.stat();
    if (!info.isFile()) {
      const kind = info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a named pipe (FIFO)' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : info.isSocket() ? 'a socket' : 'not a regular file';
      throw new FacematchError('VALIDATION', `${label}: ${shortPath(full)} is ${kind}, not a regular file; pass the path of a file.`);
    }
    if (root) {
      // Symlinks may point out of the root: compare the real locations. The path may have been
      // swapped since the open (a symlink replaced in between), so the file checked must be the
      // one opened: same device and inode as the open handle.
      const [realFile, realRoot] = await Promise.all([realpath(full).catch(() => null), realpath(root).catch(() => root)]);
      if (!realFile || !inside(realRoot, realFile)) throw unusable();
      const checked = await stat(realFile).catch(() => null);
      if (!checked || checked.dev !== info.dev || checked.ino !== info.ino) throw unusable();
    }
    if (info.size > opts.maxBytes) {
      throw new FacematchError('IMAGE_TOO_LARGE', `${label}: ${shortPath(full)} is ${formatMb(info.size)}; the limit is ${formatMb(opts.maxBytes)}.`);
    }
    // Bounded: never more than maxBytes + 1, even if the file grows while we read.
    const buf = Buffer.alloc(Math.min(info.size, opts.maxBytes) + 1);
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > opts.maxBytes) throw new FacematchError('IMAGE_TOO_LARGE', `${label}: ${shortPath(full)} is larger than ${formatMb(opts.maxBytes)}.`);
    return buf.subarray(0, filled);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function formatMb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
