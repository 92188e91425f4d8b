// On stdio, stdout must carry JSON-RPC frames only: drive the server with raw frames
// (including garbage, errors and a model load) and check every stdout line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasFaces, readPairs } from '../helpers/data.js';
import { childEnv, cliPath, tempDir } from '../helpers/mcp-harness.js';

test('stdout carries only JSON-RPC frames; logs go to stderr', async () => {
  const tmp = tempDir();
  const child = spawn(process.execPath, [cliPath], { env: childEnv({ FACEMATCH_DB: join(tmp.dir, 'db.sqlite') }), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const send = (msg: unknown) => child.stdin.write(`${typeof msg === 'string' ? msg : JSON.stringify(msg)}\n`);
  const waitForId = async (id: number) => {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      if (out.split('\n').some((l) => l.includes(`"id":${id}`))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no answer to request ${id}; stderr: ${err}`);
  };
  try {
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await waitForId(1);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send('this is not json');
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'create_session', arguments: { workflow_id: 42 } } });
    send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'provision_account', arguments: {} } });
    let last = 4;
    if (hasFaces) {
      const p = readPairs('lfw-funneled-dev')[0]!;
      send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'face_match', arguments: { user_image: p.a, ref_image: p.b }, _meta: { progressToken: 'pt' } } });
      last = 5;
    }
    send({ jsonrpc: '2.0', id: 6, method: 'no/such/method' });
    await waitForId(last);
    await waitForId(6);
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, err);

    const lines = out.split('\n').filter((l) => l.length);
    assert.ok(lines.length >= 6, out);
    for (const line of lines) {
      const msg = JSON.parse(line) as { jsonrpc?: string };
      assert.equal(msg.jsonrpc, '2.0', `not a JSON-RPC frame: ${line.slice(0, 200)}`);
    }
    const frames = lines.map((l) => JSON.parse(l) as { id?: number; method?: string; result?: { isError?: boolean }; error?: unknown });
    assert.equal(frames.find((f) => f.id === 3)?.result?.isError, true);
    assert.ok(frames.find((f) => f.id === 6)?.error, 'unknown method answered with a JSON-RPC error');
    if (hasFaces) assert.ok(frames.some((f) => f.method === 'notifications/progress'), 'progress notifications for the model load');
    assert.match(err, /MCP server ready on stdio/);
  } finally {
    if (child.exitCode === null) child.kill();
    tmp.cleanup();
  }
});
