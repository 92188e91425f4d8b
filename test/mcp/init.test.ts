// `facematch-mcp init`: writes or merges .mcp.json and .cursor/mcp.json, never clobbers
// other servers, leaves bad JSON untouched (exit 2), prints the `claude mcp add` line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { packageRoot } from '../../src/paths.js';
import { LAUNCHER } from '../../src/cli/init.js';
import { childEnv, cliPath, tempDir } from '../helpers/mcp-harness.js';

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
    assert.ok(r.out.includes(`claude mcp add facematch -- node -e '${LAUNCHER}'`), r.out);
    for (const f of ['.mcp.json', join('.cursor', 'mcp.json')]) {
      const cfg = readJson(join(t.dir, f));
      assert.deepEqual(cfg.mcpServers.facematch, { command: 'node', args: ['-e', LAUNCHER] });
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
    assert.deepEqual(cfg.mcpServers.facematch, { command: 'node', args: ['-e', LAUNCHER], env: { FACEMATCH_DB: '/tmp/x.db' } });
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

test('the written config runs only the project\'s installed copy: "run npm install" before, a working server after', async () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'package.json'), '{"name":"teammate-clone"}');
    assert.equal(init(t.dir, '--client', 'claude').code, 0);
    const entry = readJson(join(t.dir, '.mcp.json')).mcpServers.facematch!;
    assert.doesNotMatch(JSON.stringify(entry), /npx|-y/, 'never a registry download');
    // A teammate's clone before npm install: one sentence, exit 1, no download attempted.
    const before = spawnSync(entry.command, entry.args, { cwd: t.dir, env: childEnv({}), encoding: 'utf8', input: '' });
    assert.equal(before.status, 1);
    assert.match(before.stderr, /facematch-mcp is not installed in this project \(.*node_modules\/facematch-mcp\/dist\/src\/cli\.js is missing\): run npm install/);
    // After npm install (the package in node_modules): a real MCP client gets the tools.
    mkdirSync(join(t.dir, 'node_modules'));
    symlinkSync(packageRoot, join(t.dir, 'node_modules', 'facematch-mcp'));
    const transport = new StdioClientTransport({ command: entry.command, args: entry.args, cwd: t.dir, env: childEnv({ FACEMATCH_LOG: 'silent' }), stderr: 'pipe' });
    const client = new Client({ name: 'init-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      assert.ok(tools.tools.some((x) => x.name === 'face_match'));
    } finally {
      await client.close();
    }
    // With --db the arguments reach the server (the launcher keeps argv as the CLI expects).
    assert.equal(init(t.dir, '--client', 'claude', '--db', 'other.db').code, 0);
    const withDb = readJson(join(t.dir, '.mcp.json')).mcpServers.facematch!;
    const help = spawnSync(withDb.command, [...withDb.args.slice(0, 2), 'mcp', '--help'], { cwd: t.dir, env: childEnv({}), encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /usage: facematch-mcp mcp/);
  } finally {
    t.cleanup();
  }
});
