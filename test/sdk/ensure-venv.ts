// Builds .venv-sdk/ (the pinned PyPI packages of test/sdk/python/requirements.txt) for the
// vendor-SDK contract test, once: a stamp holds the requirements' hash, so a rerun with the
// same pins does nothing. `npm test` runs it leniently (a machine without python3 or PyPI still
// runs every other test, and the SDK test says why it skipped); CI runs it with --strict.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const strict = process.argv.includes('--strict');
const venv = join(packageRoot, '.venv-sdk');
const python = join(venv, 'bin', 'python');
const requirements = join(packageRoot, 'test', 'sdk', 'python', 'requirements.txt');
const stamp = join(venv, '.requirements-sha256');
const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
}

try {
  if (!(existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted)) {
    process.stderr.write('facematch-mcp tests: building .venv-sdk (pinned didit-sdk from PyPI)...\n');
    run('python3', ['-m', 'venv', venv]);
    run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', requirements]);
    run(python, ['-c', 'import didit, sys; assert didit.__version__ == "0.4.0", didit.__version__']);
    writeFileSync(stamp, wanted);
  }
} catch (err) {
  const why = `could not build .venv-sdk for the vendor-SDK contract test: ${(err as Error).message.split('\n')[0]}`;
  if (strict) {
    process.stderr.write(`${why}\n`);
    process.exit(1);
  }
  process.stderr.write(`WARNING: ${why}; test/contract/python-sdk.test.ts will skip and say so.\n`);
}
