// Tiny argument helpers for the engine's subcommands (match, eval, bench).
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './common.js';
import { FacematchError } from '../errors.js';
import { MAX_IMAGE_BYTES } from '../engine/index.js';

/** Splits argv into positionals and --flag value pairs (flags listed in `withValue`). */
export function parseArgs(argv: string[], withValue: string[], booleans: string[] = []): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (booleans.includes(name)) {
        flags[name] = 'true';
        continue;
      }
      if (!withValue.includes(name)) throw new UsageError(`unknown option --${name}.`);
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`option --${name} needs a value.`);
      flags[name] = v;
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

export function numberFlag(flags: Record<string, string>, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got '${v}').`);
  return n;
}

/** Reads an image file, refusing oversized files before reading them. */
export function readImageFile(path: string, label: string): Buffer {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`${label} '${path}' is not a file.`);
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${label} '${path}': no such file or no permission.`);
  }
  if (size > MAX_IMAGE_BYTES) {
    throw new FacematchError('IMAGE_TOO_LARGE', `${label} '${path}' is ${(size / 1048576).toFixed(1)} MB; the limit is 5 MB per image, so resize or recompress it.`);
  }
  return readFileSync(path);
}
