// Origin safety of `serve`: exact Host and Origin allow-lists on
// every route, the sandbox credential on /mcp and on the verification-code peek, provision
// never hands an existing account's key to an unproven caller, /mcp sessions are never evicted
// by another client, and every answer (missing Host, odd Expect, CONNECT) is JSON.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMcpHttpHandler, type McpHttpHandler } from '../../src/mcp/http.js';
import { ensureSandboxCredential } from '../../src/services/sandbox-credential.js';
import { FacematchError } from '../../src/errors.js';
import { call, startTwin, type Twin } from '../helpers/http-twin.js';
import { raw } from '../helpers/raw-http.js';

const detailOf = (body: string): string => {
  const parsed = JSON.parse(body) as { detail?: unknown };
  assert.equal(typeof parsed.detail, 'string', `JSON with detail: ${body}`);
  return parsed.detail as string;
};

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('serve: origin safety', () => {
  let twin: Twin;
  let mcp: McpHttpHandler;
  let credential = '';
  let port = '';
  before(async () => {
    let handler: McpHttpHandler | null = null;
    twin = await startTwin({ extraHandler: (req, res) => handler!(req, res) });
    mcp = handler = createMcpHttpHandler(twin.sandbox, { maxSessions: 3 });
    credential = ensureSandboxCredential(twin.sandbox);
    port = new URL(twin.url).port;
  });
  after(async () => {
    await mcp?.close();
    await twin?.close();
  });

  test('Host: exact loopback names with the own port only (no prefix match, no other port)', async () => {
    for (const host of [`127.0.0.1.attacker.example:${port}`, `127.0.0.1.attacker.example`, `127.1.2.3:${port}`, `localhost:${Number(port) + 1}`, `attacker.example:${port}`, `localhost.:${port}`]) {
      for (const path of ['/sandbox/status/', '/mcp', '/v3/workflows/']) {
        const r = await raw(twin.url, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        assert.equal(r.status, 403, `${host} ${path}: ${r.head}`);
        assert.match(detailOf(r.body), /not allowed/);
      }
    }
    for (const name of ['127.0.0.1', 'localhost', '[::1]', 'LOCALHOST']) {
      const r = await raw(twin.url, `GET /sandbox/status/ HTTP/1.1\r\nHost: ${name}:${port}\r\nConnection: close\r\n\r\n`);
      assert.equal(r.status, 200, `${name}: ${r.head}`);
    }
  });

  test('Origin: foreign pages are refused on every route; our own origin passes', async () => {
    for (const origin of ['https://evil.example', `http://127.0.0.1.attacker.example:${port}`, 'null', `http://localhost:${Number(port) + 1}`]) {
      const r = await call(twin.url, 'GET', '/sandbox/status/', { headers: { origin } });
      assert.equal(r.status, 403, `${origin}: ${r.text}`);
      const reg = await call(twin.url, 'POST', '/auth/v2/programmatic/register/', { headers: { origin }, json: { email: 'x@example.com', password: 'Str0ng!Pass' } });
      assert.equal(reg.status, 403, `${origin} register: ${reg.text}`);
    }
    assert.equal((await call(twin.url, 'GET', '/sandbox/status/', { headers: { origin: `http://localhost:${port}` } })).status, 200);
    assert.equal((await call(twin.url, 'GET', '/sandbox/status/', { headers: { origin: twin.url } })).status, 200);
  });

  test('every answer is JSON: missing Host, Expect other than 100-continue, CONNECT, Upgrade', async () => {
    const noHost = await raw(twin.url, 'GET /sandbox/status/ HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.equal(noHost.status, 400);
    assert.match(detailOf(noHost.body), /Host header is missing/);
    const http10 = await raw(twin.url, 'GET /sandbox/status/ HTTP/1.0\r\n\r\n');
    assert.equal(http10.status, 400);
    detailOf(http10.body);
    const expect = await raw(twin.url, `POST /v3/session/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nExpect: 200-ok\r\nContent-Length: 2\r\nConnection: close\r\n\r\n`);
    assert.equal(expect.status, 417);
    assert.match(detailOf(expect.body), /100-continue/);
    const tunnel = await raw(twin.url, `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n`);
    assert.equal(tunnel.status, 405);
    assert.match(detailOf(tunnel.body), /CONNECT/);
    const upgrade = await raw(twin.url, `GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    assert.equal(upgrade.status, 400);
    detailOf(upgrade.body);
  });

  test('the verification-code peek needs the sandbox credential', async () => {
    const email = 'peek@example.com';
    assert.equal((await call(twin.url, 'POST', '/auth/v2/programmatic/register/', { json: { email, password: 'Str0ng!Pass' } })).status, 201);
    const anonymous = await call(twin.url, 'GET', `/sandbox/verification-code/?email=${email}`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /Bearer/);
    assert.doesNotMatch(anonymous.text, /"code"/);
    const wrong = await call(twin.url, 'GET', `/sandbox/verification-code/?email=${email}`, { headers: { authorization: 'Bearer fmsb_wrong-wrong-wrong-wrong-wrong' } });
    assert.equal(wrong.status, 401);
    const ok = await call(twin.url, 'GET', `/sandbox/verification-code/?email=${email}`, { headers: { authorization: `Bearer ${credential}` } });
    assert.equal(ok.status, 200, ok.text);
    assert.match((ok.json as { code: string }).code, /^[A-Z0-9]{6}$/);
  });

  test('/mcp over HTTP needs the bearer credential', async () => {
    const url = `${twin.url}/mcp`;
    const none = await fetch(url, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INIT) });
    assert.equal(none.status, 401);
    assert.match(((await none.json()) as { error: { message: string } }).error.message, /Authorization required/);
    const wrong = await fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, authorization: 'Bearer nope' }, body: JSON.stringify(INIT) });
    assert.equal(wrong.status, 401);
    await wrong.text();
    const ok = await fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${credential}` }, body: JSON.stringify(INIT) });
    assert.equal(ok.status, 200);
    await ok.text();
    const sid = ok.headers.get('mcp-session-id')!;
    // A session id alone is not enough either.
    const stolen = await fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': sid }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    assert.equal(stolen.status, 401);
    await stolen.text();
    await fetch(url, { method: 'DELETE', headers: { ...MCP_HEADERS, authorization: `Bearer ${credential}`, 'mcp-session-id': sid } }).then((r) => r.text());
  });

  test('a client opening sessions in a loop cannot evict the sessions of others', async () => {
    const url = `${twin.url}/mcp`;
    const auth = { ...MCP_HEADERS, authorization: `Bearer ${credential}` };
    const open = async (): Promise<Response> => {
      const r = await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify(INIT) });
      await r.text();
      return r;
    };
    const victim = (await open()).headers.get('mcp-session-id')!;
    assert.ok(victim);
    await fetch(url, { method: 'POST', headers: { ...auth, 'mcp-session-id': victim }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) }).then((r) => r.text());
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await open()).status);
    assert.deepEqual(statuses, [200, 200, 503, 503, 503, 503], 'the cap (3) refuses new sessions');
    const list = await fetch(url, { method: 'POST', headers: { ...auth, 'mcp-session-id': victim }, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }) });
    assert.equal(list.status, 200, 'the first client keeps its session');
    assert.match(await list.text(), /provision_account/);
  });

  test('provision never returns a key for an existing account to an unproven caller', async () => {
    const accounts = twin.sandbox.accounts;
    const first = accounts.provision({ email: 'owner@example.com', password: 'Own3r!Pass' });
    assert.equal(first.created, true);
    const isConflict = (e: unknown) => e instanceof FacematchError && e.code === 'CONFLICT' && /password|facematch-mcp provision/.test(e.message);
    assert.throws(() => accounts.provision({ email: 'owner@example.com' }), isConflict);
    assert.throws(() => accounts.provision({ email: 'OWNER@example.com', password: 'Wr0ng!Pass' }), isConflict);
    const proven = accounts.provision({ email: 'owner@example.com', password: 'Own3r!Pass' });
    assert.equal(proven.application_id, first.application_id);
    const local = accounts.provision({ email: 'owner@example.com' }, { localCli: true });
    assert.equal(local.application_id, first.application_id);
    // The password set at creation works for the hosted login too.
    assert.equal((await accounts.login({ email: 'owner@example.com', password: 'Own3r!Pass' })).application.uuid, first.application_id);
  });
});

describe('init --http', () => {
  test('writes the /mcp entry with the sandbox credential that serve checks', async () => {
    const { spawnSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { cliPath, childEnv, tempDir } = await import('../helpers/mcp-harness.js');
    const { openSandbox } = await import('../../src/services/index.js');
    const { checkSandboxCredential } = await import('../../src/services/sandbox-credential.js');
    const t = tempDir();
    try {
      const db = join(t.dir, 'sb.db');
      const r = spawnSync(process.execPath, [cliPath, 'init', '--client', 'claude', '--http', 'http://127.0.0.1:8787'], { cwd: t.dir, env: childEnv({ FACEMATCH_DB: db }), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /out of version control/);
      const cfg = JSON.parse(readFileSync(join(t.dir, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, { type?: string; url?: string; headers?: Record<string, string> }> };
      const entry = cfg.mcpServers['facematch-http']!;
      assert.equal(entry.type, 'http');
      assert.equal(entry.url, 'http://127.0.0.1:8787/mcp');
      const token = /^Bearer (fmsb_\S+)$/.exec(entry.headers?.Authorization ?? '')?.[1];
      assert.ok(token, JSON.stringify(entry));
      assert.ok(cfg.mcpServers.facematch, 'the stdio entry is still there');
      const sb = openSandbox({ dbPath: db, deliverWebhooks: false });
      try {
        assert.equal(checkSandboxCredential(sb.db, token), true, 'the written credential is the one the server checks');
        assert.equal(checkSandboxCredential(sb.db, `${token}x`), false);
      } finally {
        await sb.close();
      }
    } finally {
      t.cleanup();
    }
  });
});
