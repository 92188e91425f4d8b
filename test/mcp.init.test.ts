// `facematch-mcp init`: writes or merges .mcp.json and .cursor/mcp.json, never clobbers
// other servers, leaves bad JSON untouched (exit 2), prints the `claude mcp add` line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { childEnv, cliPath, tempDir } from './mcp.harness.js';

function init(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, 'init', ...args], { cwd, env: childEnv({}), encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as { mcpServers: Record<string, { command: string; args: string[]; env?: Record<string, string> }> } & Record<string, unknown>;

test('fresh project: both files created, claude mcp add line printed', () => {
  const t = tempDir();
  try {
    const r = init(t.dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /claude mcp add facematch -- npx -y facematch-mcp/);
    for (const f of ['.mcp.json', join('.cursor', 'mcp.json')]) {
      const cfg = readJson(join(t.dir, f));
      assert.deepEqual(cfg.mcpServers.facematch, { command: 'npx', args: ['-y', 'facematch-mcp'] });
    }
  } finally {
    t.cleanup();
  }
});

test('merge keeps other servers, other keys and our env; re-running is a no-op', () => {
  const t = tempDir();
  try {
    const other = { command: 'node', args: ['other.js'], env: { TOKEN: 'x' } };
    writeFileSync(join(t.dir, '.mcp.json'), JSON.stringify({ mcpServers: { other, facematch: { command: 'old', args: [], env: { FACEMATCH_DB: '/tmp/x.db' } } }, extra: 1 }));
    const r = init(t.dir, '--client', 'claude');
    assert.equal(r.code, 0, r.err);
    const cfg = readJson(join(t.dir, '.mcp.json'));
    assert.deepEqual(cfg.mcpServers.other, other);
    assert.equal(cfg.extra, 1);
    assert.deepEqual(cfg.mcpServers.facematch, { command: 'npx', args: ['-y', 'facematch-mcp'], env: { FACEMATCH_DB: '/tmp/x.db' } });
    assert.equal(existsSync(join(t.dir, '.cursor')), false, '--client claude leaves Cursor alone');
    const before = readFileSync(join(t.dir, '.mcp.json'), 'utf8');
    const again = init(t.dir, '--client=claude');
    assert.match(again.out, /already configured/);
    assert.equal(readFileSync(join(t.dir, '.mcp.json'), 'utf8'), before);
  } finally {
    t.cleanup();
  }
});

test('bad existing JSON: exit 2 with a sentence, no file touched', () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, '.cursor'));
    const broken = '{ "mcpServers": { "x": ';
    writeFileSync(join(t.dir, '.cursor', 'mcp.json'), broken);
    const r = init(t.dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /\.cursor\/mcp\.json is not valid JSON.*Nothing was changed/);
    assert.equal(readFileSync(join(t.dir, '.cursor', 'mcp.json'), 'utf8'), broken);
    assert.equal(existsSync(join(t.dir, '.mcp.json')), false, 'the good file is not written either');

    writeFileSync(join(t.dir, '.cursor', 'mcp.json'), '{"mcpServers": []}');
    assert.equal(init(t.dir).code, 2);
    assert.equal(init(t.dir, '--client', 'vscode').code, 2);
  } finally {
    t.cleanup();
  }
});
