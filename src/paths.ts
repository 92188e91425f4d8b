// Where the project's files live, resolved from this module so the CLI works from any cwd.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder holding package.json), from dist/src/paths.js. */
export const packageRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Verified ONNX weights, put there by models/fetch-models.mjs at install. */
export const modelsDir: string = join(packageRoot, 'models');

/** The wire contract shipped with the package (served as the facematch://spec resource). */
export const specPath: string = resolve(packageRoot, '..', 'shared', 'SPEC.md');

/** Default sandbox database: FACEMATCH_DB, else ~/.facematch-mcp/sandbox.db. */
export function defaultDbPath(): string {
  return process.env.FACEMATCH_DB || join(homedir(), '.facematch-mcp', 'sandbox.db');
}
