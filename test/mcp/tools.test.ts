// tools/list stays compact (at most 24 KB of JSON for every tool together), and `--tools` /
// FACEMATCH_TOOLS expose a subset; an unknown name stops the start-up with exit code 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { OFFLINE_TOOLS, TOOLS } from '../../tools/index.js';
import { toolsListBytes } from '../../src/mcp/registry.js';
import { childEnv, cliPath, connectStdio, fails, ok, tempDir } from '../helpers/mcp-harness.js';

const BUDGET = 24 * 1024;
const SUBSET = ['face_match', 'verify_webhook_signature'];
let tmp: ReturnType<typeof tempDir>;

before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

async function listedBytes(env: Record<string, string>, args: string[] = []): Promise<{ bytes: number; names: string[] }> {
  const conn = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'sizes.db'), FACEMATCH_LOG: 'silent', ...env }, args });
  try {
    const res = await conn.client.listTools();
    return { bytes: Buffer.byteLength(JSON.stringify(res)), names: res.tools.map((t) => t.name) };
  } finally {
    await conn.close();
  }
}

test(`tools/list of the full set is at most ${BUDGET} bytes, measured over stdio and in process`, async () => {
  const { bytes, names } = await listedBytes({});
  assert.equal(names.length, TOOLS.length);
  const inProcess = toolsListBytes(TOOLS, 'local', new Set(OFFLINE_TOOLS.map((t) => t.name)));
  // The two measurements are the same JSON (the client adds nothing).
  assert.ok(Math.abs(bytes - inProcess) < 64, `stdio ${bytes} vs in-process ${inProcess}`);
  process.stderr.write(`# tools/list: ${names.length} tools, ${bytes} bytes\n`);
  assert.ok(bytes <= BUDGET, `tools/list is ${bytes} bytes for ${names.length} tools; the budget is ${BUDGET}`);
});

test('--tools exposes only the named tools; the others are refused with a sentence', async () => {
  const { bytes, names } = await listedBytes({}, ['mcp', '--tools', SUBSET.join(',')]);
  assert.deepEqual(names.sort(), [...SUBSET].sort());
  process.stderr.write(`# tools/list with --tools ${SUBSET.join(',')}: ${bytes} bytes\n`);
  assert.ok(bytes < 4096, `${bytes} bytes for two tools`);
  const conn = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'subset.db'), FACEMATCH_LOG: 'silent' }, args: ['mcp', `--tools=${SUBSET.join(',')}`] });
  try {
    assert.match(await fails(conn.client, 'create_workflow', {}), /left out by --tools/);
    const signed = await ok<{ valid: boolean }>(conn.client, 'verify_webhook_signature', { raw_body: '{}', headers: {}, secret: 's' });
    assert.equal(signed.valid, false);
  } finally {
    await conn.close();
  }
});

test('FACEMATCH_TOOLS does the same; --tools wins over it', async () => {
  assert.deepEqual((await listedBytes({ FACEMATCH_TOOLS: 'sandbox_status, face_match' })).names.sort(), ['face_match', 'sandbox_status']);
  assert.deepEqual((await listedBytes({ FACEMATCH_TOOLS: 'sandbox_status' }, ['mcp', '--tools', 'face_match'])).names, ['face_match']);
});

test('an unknown tool name: exit code 2 and a sentence on stderr naming it and the real tools', () => {
  for (const [args, env, source] of [
    [['mcp', '--tools', 'face_match,face_matcher'], {}, '--tools'],
    [['mcp'], { FACEMATCH_TOOLS: 'nope' }, 'FACEMATCH_TOOLS'],
  ] as const) {
    const r = spawnSync(process.execPath, [cliPath, ...args], { env: childEnv({ FACEMATCH_DB: join(tmp.dir, 'bad.db'), ...env }), encoding: 'utf8', input: '' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.match(r.stderr, new RegExp(`${source} names unknown tool\\(s\\) '(face_matcher|nope)'; the tools are: provision_account, `));
  }
  const empty = spawnSync(process.execPath, [cliPath, 'mcp', '--tools', ''], { env: childEnv({}), encoding: 'utf8', input: '' });
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /--tools (needs|is empty)/);
});

test('mcp --help prints its options (and the environment) and exits 0', () => {
  const r = spawnSync(process.execPath, [cliPath, 'mcp', '--help'], { env: childEnv({}), encoding: 'utf8', input: '' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--tools LIST[\s\S]*FACEMATCH_API_BASE \+ FACEMATCH_API_KEY[\s\S]*FACEMATCH_APP/);
});
