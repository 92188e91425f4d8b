// The Streamable HTTP endpoint at /mcp inside `serve`: sessions, and hostile requests that
// must get JSON-RPC errors (never a crash, an HTML page or a hang).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connectHttp, ok, startServe, tempDir, type ServeProcess } from '../helpers/mcp-harness.js';

let tmp: ReturnType<typeof tempDir>;
let serve: ServeProcess;

before(async () => {
  tmp = tempDir();
  serve = await startServe({ FACEMATCH_DB: join(tmp.dir, 'db.sqlite'), FACEMATCH_LOG: 'silent' });
});

after(async () => {
  await serve?.stop();
  tmp?.cleanup();
});

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const authed = () => ({ ...headers, authorization: `Bearer ${serve.credential}` });

test('two clients get separate sessions sharing one sandbox; sandbox_status shows the HTTP base URL', async () => {
  const a = await connectHttp(serve.url, serve.credential);
  const b = await connectHttp(serve.url, serve.credential);
  try {
    await ok(a.client, 'provision_account', { email: 'a@example.com' });
    const st = await ok<{ application_id: string | null; base_url: string | null }>(b.client, 'sandbox_status', {});
    assert.ok(st.application_id, 'b sees the account a provisioned');
    assert.equal(st.base_url, serve.url);
    const tools = await b.client.listTools();
    assert.ok(tools.tools.length >= 16);
  } finally {
    await a.close();
    await b.close();
  }
});

test('hostile requests get JSON-RPC errors with a sentence', async () => {
  const url = `${serve.url}/mcp`;
  const malformed = await fetch(url, { method: 'POST', headers: authed(), body: '{"jsonrpc": "2.0", ' });
  assert.equal(malformed.status, 400);
  assert.match(((await malformed.json()) as { error: { message: string } }).error.message, /not valid JSON/);

  const noSession = await fetch(url, { method: 'POST', headers: authed(), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
  assert.equal(noSession.status, 400);
  assert.match(((await noSession.json()) as { error: { message: string } }).error.message, /initialize/);

  const unknown = await fetch(url, { method: 'POST', headers: { ...authed(), 'mcp-session-id': 'nope' }, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) });
  assert.equal(unknown.status, 404);

  const put = await fetch(url, { method: 'PUT', headers: authed(), body: '{}' });
  assert.equal(put.status, 405);

  const evil = await fetch(url, { method: 'POST', headers: { ...authed(), origin: 'https://evil.example' }, body: JSON.stringify(INIT) });
  assert.equal(evil.status, 403);

  const huge = await fetch(url, { method: 'POST', headers: authed(), body: 'x'.repeat(17 * 1024 * 1024) }).catch((err: unknown) => err);
  if (huge instanceof Response) assert.equal(huge.status, 413);

  // The server is still healthy afterwards.
  const init = await fetch(url, { method: 'POST', headers: authed(), body: JSON.stringify(INIT) });
  assert.equal(init.status, 200);
  const sid = init.headers.get('mcp-session-id');
  assert.ok(sid);
  await init.text();
  const del = await fetch(url, { method: 'DELETE', headers: { ...authed(), 'mcp-session-id': sid } });
  assert.equal(del.status, 200);
  const gone = await fetch(url, { method: 'POST', headers: { ...authed(), 'mcp-session-id': sid }, body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }) });
  assert.equal(gone.status, 404);
});

test("serve's /mcp acts on serve's own sandbox even when the shell exports FACEMATCH_API_BASE/KEY", async () => {
  const other = await startServe({ FACEMATCH_DB: join(tmp.dir, 'exported.sqlite'), FACEMATCH_LOG: 'silent', FACEMATCH_API_BASE: 'https://verification.example.invalid', FACEMATCH_API_KEY: 'fm_live_example' });
  try {
    const conn = await connectHttp(other.url, other.credential);
    try {
      const st = await ok<{ platform: string; db_path: string }>(conn.client, 'sandbox_status', {});
      assert.equal(st.platform, 'local');
      assert.equal(st.db_path, join(tmp.dir, 'exported.sqlite'));
      assert.ok((await conn.client.listTools()).tools.some((t) => t.name === 'provision_account'));
    } finally {
      await conn.close();
    }
  } finally {
    await other.stop();
  }
});
