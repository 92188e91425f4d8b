// Reading an image named on the command line (match, calibrate), safely.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './common.js';
import { FacematchError } from '../errors.js';
import { MAX_IMAGE_BYTES } from '../engine/index.js';
import { tooLargeMessage } from '../engine/decode.js';

/**
 * Reads an image file: regular files only, at most MAX_IMAGE_BYTES + 1 bytes read. Opened
 * non-blocking and checked on the open descriptor, so a FIFO without a writer, /dev/zero
 * or a file swapped after a check can neither hang the command nor be read forever.
 */
export function readImageFile(path: string, label: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError(`cannot read ${label} '${path}': ${why}.`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UsageError(`${label} '${path}' is a directory; give the path of an image file.`);
    if (!st.isFile()) throw new UsageError(`${label} '${path}' is not a regular file (a pipe, socket or device); save the image to a file and pass its path.`);
    if (st.size > MAX_IMAGE_BYTES) throw new FacematchError('IMAGE_TOO_LARGE', tooLargeMessage(`${label} '${path}'`, st.size));
    // The size can change after fstat (a growing file): read until EOF, never past limit + 1.
    const buf = Buffer.alloc(MAX_IMAGE_BYTES + 1);
    let n = 0;
    for (let r = -1; r !== 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    if (n > MAX_IMAGE_BYTES) throw new FacematchError('IMAGE_TOO_LARGE', `${label} '${path}' is larger than the 5 MB (${MAX_IMAGE_BYTES} bytes) limit per image, so resize or recompress it.`);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
