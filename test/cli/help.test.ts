// Every subcommand a newcomer tries with --help / -h prints its usage on stdout and exits 0,
// without starting a server or touching any file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const CLI = join(packageRoot, 'dist', 'src', 'cli.js');

const cases: Array<{ args: string[]; mentions: string }> = [
  { args: ['--help'], mentions: 'match USER_IMAGE REF_IMAGE' },
  { args: ['serve', '--help'], mentions: '--public-url' },
  { args: ['serve', '--port', '0', '-h'], mentions: '--rate-limit-get' },
  { args: ['init', '--help'], mentions: '--client claude|cursor|all' },
  { args: ['init', '-h'], mentions: '.cursor/mcp.json' },
  { args: ['provision', '--help'], mentions: '--email' },
  { args: ['webhook', '--help'], mentions: 'webhook sign' },
  { args: ['webhook', 'verify', '--help'], mentions: '--tolerance' },
  { args: ['webhook', 'sign', '-h'], mentions: '--body-out' },
];

for (const c of cases) {
  test(`facematch-mcp ${c.args.join(' ')} prints usage and exits 0`, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'facematch-help-'));
    try {
      const r = spawnSync(process.execPath, [CLI, ...c.args], {
        cwd,
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, FACEMATCH_DB: join(cwd, 'sandbox.db') },
      });
      assert.equal(r.status, 0, `exit ${r.status}; stderr: ${r.stderr}`);
      assert.ok(r.stdout.includes('usage'), `stdout: ${r.stdout}`);
      assert.ok(r.stdout.includes(c.mentions), `stdout: ${r.stdout}`);
      assert.deepEqual(readdirSync(cwd), [], 'help must not create config files or a database');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
}
