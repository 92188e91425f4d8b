// The stdio MCP server and big or bad frames: a >10 MB tools/call (two
// 3.9 MB images in base64, under the 5 MB cap) is answered; a message over the budget gets an
// isError result telling the agent to pass file paths; a line that is not JSON gets -32700;
// and the server keeps serving after each. Real process, real pipes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { childEnv, cliPath, tempDir } from '../helpers/mcp-harness.js';

type Frame = { id?: number | string | null; result?: { isError?: boolean; content?: Array<{ text?: string }> } & Record<string, unknown>; error?: { code: number; message: string } };

describe('stdio MCP server: message budget', () => {
  const t = tempDir('fm-stdio-');
  let child: ChildProcessWithoutNullStreams;
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  let exited: number | null | undefined;
  let stderr = '';

  const next = (pred: (f: Frame) => boolean, what: string, ms = 120_000): Promise<Frame> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms (exit ${exited}); stderr: ${stderr.slice(-2000)}`)), ms);
      const check = (): boolean => {
        const f = frames.find(pred);
        if (f) {
          clearTimeout(timer);
          resolve(f);
          return true;
        }
        if (exited !== undefined) {
          clearTimeout(timer);
          reject(new Error(`the server exited (${exited}) before answering ${what}; stderr: ${stderr.slice(-2000)}`));
          return true;
        }
        return false;
      };
      if (!check()) {
        const loop = (): void => {
          if (!check()) waiters.push(loop);
        };
        waiters.push(loop);
      }
    });
  const write = (text: string): void => {
    child.stdin.write(text);
  };
  const send = (msg: unknown): void => write(`${JSON.stringify(msg)}\n`);

  before(async () => {
    child = spawn(process.execPath, [cliPath], { env: childEnv({ FACEMATCH_DB: join(t.dir, 'db.sqlite'), FACEMATCH_LOG: 'info' }), cwd: t.dir });
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        frames.push(JSON.parse(line) as Frame);
      }
      for (const w of waiters.splice(0)) w();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => {
      exited = code;
      for (const w of waiters.splice(0)) w();
    });
    child.stdin.on('error', () => undefined);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await next((f) => f.id === 1, 'initialize answer');
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });
  after(() => {
    if (exited === undefined) child.kill('SIGTERM');
    t.cleanup();
  });

  test('an 11 MB face_match (two 3.9 MB images in base64) is answered, not dropped', async () => {
    // Random pixels do not compress: about 3.9 MB of PNG each.
    const png = async () => sharp(randomBytes(1175 * 1175 * 3), { raw: { width: 1175, height: 1175, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const [a, b] = [await png(), await png()];
    assert.ok(a.length > 3.9 * 1024 * 1024 && a.length < 5 * 1024 * 1024, `image size ${a.length}`);
    const msg = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'face_match', arguments: { user_image: a.toString('base64'), ref_image: b.toString('base64') } } });
    assert.ok(msg.length > 10 * 1024 * 1024, `message is ${msg.length} bytes`);
    write(`${msg}\n`);
    const answer = await next((f) => f.id === 2, 'the face_match answer');
    assert.ok(answer.result, `a tool result, not a protocol error: ${JSON.stringify(answer).slice(0, 500)}`);
    // Noise has no face: whatever the verdict, it comes from the engine, not from a size limit.
    assert.doesNotMatch(JSON.stringify(answer.result), /over the .* one MCP message/);
  });

  test('over the budget: an isError result that says to pass file paths; the server keeps serving', async () => {
    const blob = 'A'.repeat(17 * 1024 * 1024);
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'face_match', arguments: { user_image: blob, ref_image: blob.slice(0, 100) } } });
    const answer = await next((f) => f.id === 3, 'the over-budget answer');
    assert.equal(answer.result?.isError, true);
    assert.match(answer.result?.content?.[0]?.text ?? '', /17\.0 MB, over the 16\.0 MB .*pass a file path .*for images over 1 MB/i);
    send({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
    const list = await next((f) => f.id === 4, 'tools/list after');
    assert.ok(Array.isArray((list.result as { tools?: unknown[] }).tools));
  });

  test('a frame far over the budget is skipped without being held, and answered by its id', async () => {
    const head = '{"jsonrpc":"2.0","id":"huge-1","method":"tools/call","params":{"name":"face_match","arguments":{"user_image":"';
    write(head);
    const piece = 'B'.repeat(4 * 1024 * 1024);
    for (let i = 0; i < 18; i++) write(piece);
    write('","ref_image":"x"}}}\n');
    const answer = await next((f) => f.id === 'huge-1', 'the answer to a 72 MB frame');
    assert.equal(answer.result?.isError, true);
    assert.match(answer.result?.content?.[0]?.text ?? '', /pass a file path/i);
  });

  test('a tool call with a number JSON would change gets an isError result that says why', async () => {
    // Written by hand: a JavaScript client could not even send this number unchanged.
    write('{"jsonrpc":"2.0","id":"num-1","method":"tools/call","params":{"name":"create_session","arguments":{"workflow_id":"x","metadata":{"order":12345678901234567890}}}}\n');
    const answer = await next((f) => f.id === 'num-1', 'the answer to a lossy number');
    assert.equal(answer.result?.isError, true);
    assert.match(answer.result?.content?.[0]?.text ?? '', /12345678901234567890 cannot be kept exactly.*as a string/);
    // The same value as a string goes on to the tool (which then checks the workflow id).
    write('{"jsonrpc":"2.0","id":"num-2","method":"tools/call","params":{"name":"create_session","arguments":{"workflow_id":"x","metadata":{"order":"12345678901234567890"}}}}\n');
    const next2 = await next((f) => f.id === 'num-2', 'the answer with the number as a string');
    assert.doesNotMatch(JSON.stringify(next2), /cannot be kept exactly/);
  });

  test('lines that are not JSON or not JSON-RPC get errors; the server keeps serving', async () => {
    write('this is not json\n');
    const parseError = await next((f) => f.error?.code === -32700, 'a parse error');
    assert.equal(parseError.id, null);
    send({ jsonrpc: '1.0', id: 5, method: 'tools/list' });
    const invalid = await next((f) => f.id === 5, 'an invalid-request error');
    assert.equal(invalid.error?.code, -32600);
    send({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'sandbox_status', arguments: {} } });
    const status = await next((f) => f.id === 6, 'sandbox_status');
    assert.notEqual(status.result?.isError, true, JSON.stringify(status));
    assert.equal(exited, undefined, 'still running');
  });
});
