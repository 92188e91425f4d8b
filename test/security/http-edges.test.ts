// Smaller holes of the HTTP twin: numbers in JSON bodies kept exactly or refused, the status
// endpoint without the credential, repeated Host headers, a receiver that breaks off its 200,
// and a refused upload on the capture page.
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ensureSandboxCredential } from '../../src/services/sandbox-credential.js';
import type { AppContext, Sandbox } from '../../src/services/index.js';
import { call, errorBody, startTwin, type Twin } from '../helpers/http-twin.js';
import { raw } from '../helpers/raw-http.js';
import { provisionApp, tempDb, testSandbox } from '../helpers/sandbox.js';

describe('HTTP twin edges', () => {
  let twin: Twin;
  let key: string;
  let workflowId: string;
  let credential: string;
  before(async () => {
    twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    key = twin.apiKey();
    credential = ensureSandboxCredential(twin.sandbox);
    const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'edges', features: [{ feature: 'FACE_MATCH' }] } });
    workflowId = (wf.json as { workflow_id: string }).workflow_id;
  });
  after(async () => {
    await twin.close();
  });

  const createWithText = (metadataText: string) =>
    call(twin.url, 'POST', '/v3/session/', { key, body: `{"workflow_id": "${workflowId}", "metadata": ${metadataText}}`, headers: { 'content-type': 'application/json' } });

  test('metadata numbers that JSON would change are refused with 400 saying why', async () => {
    for (const [text, token] of [
      ['{"big": 12345678901234567890}', '12345678901234567890'],
      ['{"inf": 1e400}', '1e400'],
      ['{"tiny": 1e-400}', '1e-400'],
      ['{"pi": 3.14159265358979323846264}', '3.14159265358979323846264'],
      ['{"neg": [-9007199254740993]}', '-9007199254740993'],
    ] as const) {
      const r = await createWithText(text);
      assert.equal(r.status, 400, `${text}: ${r.text}`);
      const detail = errorBody(r).detail;
      assert.ok(detail.includes(token), `${text}: ${detail}`);
      assert.match(detail, /cannot be kept exactly.*string/);
    }
    // A 1 MB number: refused, and the answer does not echo a megabyte.
    const huge = await createWithText(`{"n": 1${'0'.repeat(1024 * 1024)}}`);
    assert.equal(huge.status, 400, huge.text.slice(0, 200));
    assert.ok(huge.text.length < 1000);
  });

  test('numbers JSON keeps exactly are stored and returned as sent', async () => {
    const metadata = { safe: 9007199254740991, neg: -9007199254740991, f: 0.1, e: 1.5e300, zero: -0, small: 5e-324, s: '12345678901234567890' };
    const created = await createWithText(JSON.stringify(metadata));
    assert.equal(created.status, 201, created.text);
    const id = (created.json as { session_id: string }).session_id;
    const got = await call(twin.url, 'GET', `/v3/session/${id}/decision/`, { key });
    assert.deepEqual((got.json as { metadata: unknown }).metadata, JSON.parse(JSON.stringify(metadata)));
    // Spellings of the same value (1.0, 1E2, 0.50) are the same number: accepted.
    assert.equal((await createWithText('{"a": 1.0, "b": 1E2, "c": 0.50, "d": -0.0}')).status, 201);
  });

  test('GET /sandbox/status/ gives the database path and counts only with the credential', async () => {
    const anonymous = await call(twin.url, 'GET', '/sandbox/status/');
    assert.equal(anonymous.status, 200, anonymous.text);
    assert.ok(!anonymous.text.includes(twin.sandbox.dbPath), 'no database path');
    const shown = anonymous.json as Record<string, unknown>;
    assert.equal('dbPath' in shown || 'counts' in shown, false, anonymous.text);
    assert.match(String(shown.detail), /credential/);
    const full = await call(twin.url, 'GET', '/sandbox/status/', { headers: { authorization: `Bearer ${credential}` } });
    assert.equal(full.status, 200);
    assert.equal((full.json as { dbPath: string }).dbPath, twin.sandbox.dbPath);
  });

  test('a request with two Host headers is refused', async () => {
    const port = new URL(twin.url).port;
    for (const [a, b] of [
      [`127.0.0.1:${port}`, 'attacker.example'],
      ['attacker.example', `127.0.0.1:${port}`],
      [`127.0.0.1:${port}`, `127.0.0.1:${port}`],
    ]) {
      const r = await raw(twin.url, `GET /v3/workflows/ HTTP/1.1\r\nHost: ${a}\r\nHost: ${b}\r\nx-api-key: ${key}\r\nConnection: close\r\n\r\n`);
      assert.equal(r.status, 400, `${a} + ${b}: ${r.head}`);
      assert.match(JSON.parse(r.body).detail, /Host/);
    }
  });

  test('a refused non-image upload on the capture page leaves the session Not Started', async () => {
    const s = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflowId } });
    const { session_id: id, session_token: token } = s.json as { session_id: string; session_token: string };
    const fd = new FormData();
    fd.append('selfie', new Blob([Buffer.from('%PDF-1.4 not a photo at all')]), 'selfie.jpg');
    fd.append('reference', new Blob([Buffer.from('#!/bin/sh\necho not a photo\n')]), 'ref.jpg');
    const up = await call(twin.url, 'POST', `/session/${token}/capture/`, { body: fd });
    assert.ok(up.status >= 400 && up.status < 500, `${up.status} ${up.text}`);
    assert.match(errorBody(up).detail, /JPEG, PNG, WebP (and|or) TIFF/);
    const decision = await call(twin.url, 'GET', `/v3/session/${id}/decision/`, { key });
    assert.equal((decision.json as { status: string }).status, 'Not Started');
  });
});

describe('webhook delivery', () => {
  const tmp = tempDb();
  let sb: Sandbox;
  let app: AppContext;
  const sockets = new Set<Socket>();
  let answered = 0;
  // Sends a 200 that promises 100 bytes, sends 5, and closes.
  const receiver = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      answered++;
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nthank');
      setTimeout(() => socket.destroy(), 20);
    });
  });
  before(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    sb = testSandbox(tmp.db, { webhookDelivery: { baseDelayMs: 20, maxAttempts: 3, timeoutMs: 2000, pollMs: 50 } });
    app = provisionApp(sb).app;
    sb.webhooks.createDestination(app, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, subscribed_events: ['status.updated'] });
  });
  after(async () => {
    await sb.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => receiver.close(() => r()));
    tmp.cleanup();
  });

  test('a receiver that sends 200 and closes mid-body is not recorded as delivered', async () => {
    const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    const s = sb.sessions.create(app, { workflow_id: wf });
    await sb.webhooks.flush(5000);
    const [event] = sb.deliveries.listByEvent(app, { sessionId: s.session_id });
    assert.ok(event, 'one event');
    assert.ok(answered >= 1);
    const outcomes = event.attempts.map((a) => a.outcome);
    assert.ok(!outcomes.includes('delivered'), `outcomes: ${outcomes.join(', ')}`);
    assert.deepEqual(outcomes, ['retrying', 'retrying', 'failed'], 'retried like a network error');
    assert.match(event.attempts[0]!.error ?? '', /closed|mid|incomplete/i);
    assert.deepEqual(event.destinations.map((d) => d.state), ['failed']);
  });
});
