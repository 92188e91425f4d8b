// Delivery isolation: a receiver that never answers holds only its own
// lane. Another destination keeps its latency, and the retry schedule (base, 2x, 4x, ...)
// holds for a failing receiver while a never-answering one sits beside it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import { startHttpServer } from '../../src/http/server.js';
import type { Sandbox } from '../../src/services/index.js';
import { MAX_DESTINATIONS_PER_APPLICATION } from '../../src/services/webhooks.js';
import { provisionApp, tempDb, testSandbox } from '../helpers/sandbox.js';

/** Accepts connections and reads requests, never answers. */
async function blackHole(): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let hits = 0;
  const server = createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => {
      if (d.toString('latin1').startsWith('POST ')) hits++;
    });
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/never`,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Answers every POST with `status`, noting when each arrived. */
async function timedReceiver(status: number): Promise<{ url: string; arrivals: Array<{ at: number; body: string }>; close(): Promise<void> }> {
  const arrivals: Array<{ at: number; body: string }> = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({ at: Date.now(), body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('delivery isolation', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('a destination that never answers does not delay another tenant', async () => {
    const tmp = tempDb();
    const hole = await blackHole();
    const fast = await timedReceiver(200);
    // The stuck receiver's timeout (6 s) is far above the bound asserted for the fast one.
    const sb: Sandbox = testSandbox(tmp.db, { webhookDelivery: { baseDelayMs: 50, maxAttempts: 3, timeoutMs: 6000, pollMs: 50 } });
    cleanups.push(() => tmp.cleanup(), () => hole.close(), () => fast.close(), () => sb.close());

    const slowApp = provisionApp(sb, 'slow@example.com').app;
    const fastApp = provisionApp(sb, 'fast@example.com').app;
    sb.webhooks.createDestination(slowApp, { url: hole.url, subscribed_events: ['status.updated'] });
    sb.webhooks.createDestination(fastApp, { url: fast.url, subscribed_events: ['status.updated'] });
    const slowWf = sb.workflows.create(slowApp, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    const fastWf = sb.workflows.create(fastApp, { features: [{ feature: 'FACE_MATCH' }] }).uuid;

    const created: Array<{ id: string; at: number }> = [];
    for (let i = 0; i < 6; i++) {
      // The slow tenant's events go first, so a worker that batches them would stall behind them.
      sb.sessions.create(slowApp, { workflow_id: slowWf });
      sb.sessions.create(slowApp, { workflow_id: slowWf });
      const s = sb.sessions.create(fastApp, { workflow_id: fastWf });
      created.push({ id: s.session_id, at: Date.now() });
      await new Promise((r) => setTimeout(r, 100));
    }
    const deadline = Date.now() + 4000;
    while (fast.arrivals.length < created.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(fast.arrivals.length, created.length, 'every fast-tenant event arrived while the other receiver hangs');
    const latencies = created.map((c) => {
      const got = fast.arrivals.find((a) => a.body.includes(c.id));
      assert.ok(got, `event for ${c.id} arrived`);
      return got.at - c.at;
    });
    // Generous: local delivery takes milliseconds; stalling behind the hole would take 6 s.
    assert.ok(Math.max(...latencies) < 1500, `fast-tenant latencies ${latencies.join(', ')} ms`);
    assert.ok(hole.hits() >= 1, 'the stuck receiver was being tried meanwhile');
  });

  it('the retry schedule holds for a failing receiver beside one that never answers', async () => {
    const tmp = tempDb();
    const hole = await blackHole();
    const failing = await timedReceiver(503);
    const base = 150;
    const sb: Sandbox = testSandbox(tmp.db, { webhookDelivery: { baseDelayMs: base, maxAttempts: 6, timeoutMs: 5000, pollMs: 500 } });
    cleanups.push(() => tmp.cleanup(), () => hole.close(), () => failing.close(), () => sb.close());

    const app = provisionApp(sb).app;
    sb.webhooks.createDestination(app, { url: hole.url, subscribed_events: ['status.updated'] });
    sb.webhooks.createDestination(app, { url: failing.url, subscribed_events: ['status.updated'] });
    const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    const s = sb.sessions.create(app, { workflow_id: wf });
    // More events for the hole while the failing one retries.
    for (let i = 0; i < 3; i++) sb.sessions.create(app, { workflow_id: wf });

    const deadline = Date.now() + 15_000;
    const mine = () => failing.arrivals.filter((a) => a.body.includes(s.session_id));
    while (mine().length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const arrivals = mine();
    assert.equal(arrivals.length, 6, 'six attempts (one try and five retries)');
    const gaps = arrivals.slice(1).map((a, i) => a.at - arrivals[i]!.at);
    const expected = [1, 2, 4, 8, 16].map((k) => k * base);
    for (let i = 0; i < gaps.length; i++) {
      // Never early; late by less than the never-answering receiver's timeout (5 s) and the poll.
      assert.ok(gaps[i]! >= expected[i]! - 20, `gap ${i + 1} is ${gaps[i]} ms, expected about ${expected[i]} ms (all: ${gaps.join(', ')})`);
      assert.ok(gaps[i]! <= expected[i]! + 400, `gap ${i + 1} is ${gaps[i]} ms, expected about ${expected[i]} ms (all: ${gaps.join(', ')})`);
    }
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! > gaps[i - 1]!, `gaps grow: ${gaps.join(', ')}`);
    // The receiver sees the sixth request before the worker records its answer: wait for the record.
    const recorded = () => sb.deliveries.listByEvent(app, { sessionId: s.session_id })[0]!.attempts.filter((a) => a.url === failing.url);
    const recordDeadline = Date.now() + 5000;
    while ((recorded().length < 6 || recorded().at(-1)!.outcome !== 'failed') && Date.now() < recordDeadline) await new Promise((r) => setTimeout(r, 20));
    const toFailing = recorded();
    assert.deepEqual(toFailing.map((a) => a.attempt), [1, 2, 3, 4, 5, 6]);
    assert.equal(toFailing.at(-1)!.outcome, 'failed');
  });
});

describe('failing destinations of one tenant', () => {
  const tmp = tempDb();
  let sb: Sandbox;
  after(async () => {
    await sb?.close();
    tmp.cleanup();
  });

  it('an application may have at most MAX_DESTINATIONS_PER_APPLICATION destinations', () => {
    sb = testSandbox(tmp.db, { deliverWebhooks: false });
    const app = provisionApp(sb).app;
    const ids: string[] = [];
    for (let i = 0; i < MAX_DESTINATIONS_PER_APPLICATION; i++) ids.push(sb.webhooks.createDestination(app, { url: `http://127.0.0.1:9/hook/${i}`, subscribed_events: ['status.updated'] }).uuid);
    assert.throws(
      () => sb.webhooks.createDestination(app, { url: 'http://127.0.0.1:9/one-more', subscribed_events: ['status.updated'] }),
      (e) => e instanceof FacematchError && e.code === 'VALIDATION' && new RegExp(`most one application may have \\(${MAX_DESTINATIONS_PER_APPLICATION}\\)`).test(e.message),
    );
    // Another application has its own allowance; a deleted destination frees a place.
    const other = provisionApp(sb, 'other@example.com').app;
    assert.ok(sb.webhooks.createDestination(other, { url: 'http://127.0.0.1:9/one-more', subscribed_events: ['status.updated'] }).uuid);
    sb.webhooks.deleteDestination(app, ids[0]!);
    assert.ok(sb.webhooks.createDestination(app, { url: 'http://127.0.0.1:9/one-more', subscribed_events: ['status.updated'] }).uuid);
  });

  it('500 failing destinations do not slow another tenant: the claim looks at a bounded number of them', async () => {
    const dir = tempDb('load.db');
    const busy = testSandbox(dir.db, { webhookDelivery: { baseDelayMs: 1000, maxAttempts: 6, timeoutMs: 2000, pollMs: 50 } });
    const server = await startHttpServer({ sandbox: busy, host: '127.0.0.1', port: 0, rateLimits: { get: 1e9, write: 1e9 } });
    try {
      const noisy = provisionApp(busy, 'noisy@example.com').app;
      const quiet = provisionApp(busy, 'quiet@example.com').apiKey;
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const closedPort = (probe.address() as AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
      // Past the per-application cap on purpose (written straight into the database): what is
      // measured is the delivery worker, not the cap.
      const insert = busy.db.prepare(
        `INSERT INTO webhook_destinations (id, application_id, label, url, subscribed_events, enabled, webhook_version, secret, created_at)
         VALUES (?, ?, ?, ?, '["status.updated"]', 1, 'v3', 'secret-secret-secret', ?)`,
      );
      busy.db.transaction(() => {
        for (let i = 0; i < 500; i++) insert.run(randomUUID(), noisy.applicationId, `closed-${i}`, `http://127.0.0.1:${closedPort}/h/${i}`, Date.now());
      })();
      const wf = busy.workflows.create(noisy, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
      busy.sessions.create(noisy, { workflow_id: wf });

      const latencies: number[] = [];
      const end = Date.now() + 6000;
      while (Date.now() < end) {
        const t = performance.now();
        const r = await fetch(`${server.url}/v3/workflows/`, { headers: { 'x-api-key': quiet, connection: 'close' } });
        await r.text();
        latencies.push(performance.now() - t);
        await new Promise((r2) => setTimeout(r2, 10));
      }
      const attempts = (busy.db.prepare('SELECT COUNT(*) AS n FROM webhook_attempts').get() as { n: number }).n;
      const median = [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)]!;
      assert.ok(attempts > 100, `the worker kept delivering (${attempts} attempts)`);
      assert.ok(median < 100, `another tenant's median latency was ${median.toFixed(1)} ms over ${latencies.length} requests (measured under load)`);
    } finally {
      await server.close();
      await busy.close();
      dir.cleanup();
    }
  });
});
