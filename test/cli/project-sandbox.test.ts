// One sandbox per project: the database is found from the project folder (package.json, .git
// or .facematch), is git-ignored, and two projects never share it; --db and FACEMATCH_DB win.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findProjectRoot, resolveDbLocation } from '../../src/paths.js';
import { cliPath, tempDir } from '../helpers/mcp-harness.js';
import { LAUNCHER } from '../../src/cli/init.js';

function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'FACEMATCH_DB') base[k] = v;
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd, env: { ...base, FACEMATCH_LOG: 'silent', ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('two projects get two sandboxes; a subfolder uses its project; the folder is git-ignored', () => {
  const t = tempDir('fm-proj-');
  try {
    const a = join(t.dir, 'app-a');
    const b = join(t.dir, 'app-b');
    for (const d of [a, b]) {
      mkdirSync(join(d, 'src', 'deep'), { recursive: true });
      writeFileSync(join(d, 'package.json'), '{"name":"x"}');
    }
    const pa = cli(join(a, 'src', 'deep'), ['provision', '--email', 'a@example.com']);
    assert.equal(pa.code, 0, pa.err);
    assert.match(pa.err, /sandbox \.\.\/\.\.\/\.facematch\/sandbox\.db|sandbox .*app-a\/\.facematch\/sandbox\.db/);
    assert.match(pa.err, /this project/);
    const pb = cli(b, ['provision', '--email', 'b@example.com']);
    assert.equal(pb.code, 0, pb.err);
    const ja = JSON.parse(pa.out) as { db: string; application_id: string };
    const jb = JSON.parse(pb.out) as { db: string; application_id: string };
    assert.equal(ja.db, join(a, '.facematch', 'sandbox.db'));
    assert.equal(jb.db, join(b, '.facematch', 'sandbox.db'));
    assert.notEqual(ja.application_id, jb.application_id);
    assert.match(readFileSync(join(a, '.facematch', '.gitignore'), 'utf8'), /^\*$/m, 'ignored even before init');
    const git = spawnSync('git', ['--version']);
    if (git.status === 0) {
      spawnSync('git', ['init', '-q'], { cwd: a });
      const ignored = spawnSync('git', ['check-ignore', '-q', join('.facematch', 'sandbox.db')], { cwd: a });
      assert.equal(ignored.status, 0, 'git reports the sandbox as ignored');
    }
  } finally {
    t.cleanup();
  }
});

test('--db and FACEMATCH_DB win; no project folder falls back to the home folder', () => {
  const t = tempDir('fm-proj-');
  try {
    const proj = join(t.dir, 'p');
    mkdirSync(proj);
    writeFileSync(join(proj, 'package.json'), '{}');
    assert.equal(resolveDbLocation({ cwd: proj, env: {} }).source, 'project');
    assert.deepEqual(resolveDbLocation({ cwd: proj, env: { FACEMATCH_DB: 'x.db' } }), { path: join(proj, 'x.db'), source: 'env', projectRoot: proj });
    assert.equal(resolveDbLocation({ cwd: proj, flag: '/tmp/y.db', env: { FACEMATCH_DB: 'x.db' } }).path, '/tmp/y.db');
    const bare = join(t.dir, 'bare');
    mkdirSync(bare);
    // A temp folder normally has no project above it; skip the claim if this machine has one.
    if (findProjectRoot(bare) === null) {
      const home = join(t.dir, 'home');
      const r = cli(bare, ['provision', '--email', 'h@example.com'], { HOME: home });
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /home folder/);
      assert.equal((JSON.parse(r.out) as { db: string }).db, join(home, '.facematch-mcp', 'sandbox.db'));
    } else {
      process.stderr.write(`NOTE: ${bare} sits inside a project (${findProjectRoot(bare)}); the home-fallback case was not exercised\n`);
    }
  } finally {
    t.cleanup();
  }
});

test('init creates .facematch/, adds it to .gitignore once, and makes the folder a project; --db goes into the config', () => {
  const t = tempDir('fm-proj-');
  try {
    writeFileSync(join(t.dir, '.gitignore'), 'node_modules/');
    const r = cli(t.dir, ['init', '--client', 'claude']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Sandbox: \.facematch\/sandbox\.db \(this project only; added to \.gitignore\)/);
    assert.match(r.out, /approve/);
    assert.ok(existsSync(join(t.dir, '.facematch', '.gitignore')));
    assert.equal(cli(t.dir, ['init', '--client', 'claude']).code, 0);
    const lines = readFileSync(join(t.dir, '.gitignore'), 'utf8').split('\n');
    assert.equal(lines[0], 'node_modules/', 'the existing line is kept');
    assert.equal(lines.filter((l) => l === '.facematch/').length, 1, 'added once');
    assert.equal(findProjectRoot(join(t.dir)), t.dir, 'a folder with .facematch is a project');

    const d = cli(t.dir, ['init', '--client', 'claude', '--db', 'data/dev.db']);
    assert.equal(d.code, 0, d.err);
    const cfg = JSON.parse(readFileSync(join(t.dir, '.mcp.json'), 'utf8')) as { mcpServers: { facematch: { args: string[] } } };
    assert.deepEqual(cfg.mcpServers.facematch.args, ['-e', LAUNCHER, 'mcp', '--db', 'data/dev.db']);
    assert.ok(readFileSync(join(t.dir, '.gitignore'), 'utf8').includes('data/dev.db*'));
  } finally {
    t.cleanup();
  }
});

test('with two applications in one sandbox, commands say which one they act for; --app and FACEMATCH_APP choose', () => {
  const t = tempDir('fm-proj-');
  try {
    writeFileSync(join(t.dir, 'package.json'), '{}');
    const first = JSON.parse(cli(t.dir, ['provision', '--email', 'one@example.com']).out) as { application_id: string };
    const second = JSON.parse(cli(t.dir, ['provision', '--email', 'two@example.com']).out) as { application_id: string };
    const latest = cli(t.dir, ['trigger', 'abandoned', '--wait', '1']);
    assert.equal(latest.code, 0, latest.err);
    assert.match(latest.err, new RegExp(`application ${second.application_id} of two@example\\.com \\(the most recently provisioned of 2; choose another with --app ID or FACEMATCH_APP\\)`));
    const byFlag = cli(t.dir, ['trigger', 'expired', '--app', first.application_id, '--wait', '1']);
    assert.equal(byFlag.code, 0, byFlag.err);
    assert.match(byFlag.err, new RegExp(`application ${first.application_id} of one@example\\.com\\n`));
    const byEnv = cli(t.dir, ['trigger', 'expired', '--wait', '1'], { FACEMATCH_APP: first.application_id });
    assert.match(byEnv.err, new RegExp(`application ${first.application_id} of one@example\\.com \\(from FACEMATCH_APP\\)`));
    const bad = cli(t.dir, ['trigger', 'expired', '--app', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /no application nope in/);
  } finally {
    t.cleanup();
  }
});
