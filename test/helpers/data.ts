// Locates the labelled face photos in ../shared/data/faces (or FACEMATCH_DATA).
// They are evaluation data: read in place, never copied into the repo.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export const facesDir: string = process.env.FACEMATCH_DATA
  ? resolve(process.env.FACEMATCH_DATA)
  : resolve(packageRoot, '..', 'shared', 'data', 'faces');

export const hasFaces: boolean = existsSync(join(facesDir, 'lfw-funneled-dev', 'pairs.tsv'));

/** Reason to pass to `skip` when the data is absent: loud, with the path looked at. */
export const noFacesReason = `face photos not found at ${facesDir}: set FACEMATCH_DATA or put ../shared/data/faces beside the repo`;

// Why: CI provides the photos, so there a missing folder is a broken setup, not a reason to skip
// half the suite and report green.
if (!hasFaces && process.env.CI) throw new Error(`CI is set but ${noFacesReason}`);

export interface Pair {
  a: string;
  b: string;
  same: boolean;
  fold: number;
}

/** Reads SET/pairs.tsv with absolute image paths. */
export function readPairs(set: string): Pair[] {
  const dir = join(facesDir, set);
  return readFileSync(join(dir, 'pairs.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('path_a'))
    .map((l) => {
      const [a, b, same, fold] = l.split('\t');
      return { a: join(dir, a!), b: join(dir, b!), same: same === '1', fold: Number(fold) };
    });
}
