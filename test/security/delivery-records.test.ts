// Delivery records: each attempt keeps the exact headers and body sent and
// the receiver's status and first 2 KB of its answer; attempts list grouped by event; one
// attempt is fetched by id, only within its application.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import type { AppContext, Sandbox } from '../../src/services/index.js';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { provisionApp, tempDb, testSandbox } from '../helpers/sandbox.js';

describe('delivery records', () => {
  const tmp = tempDb();
  let sb: Sandbox;
  let app: AppContext;
  let url = '';
  let secret = '';
  const answers: Array<{ status: number; body: string }> = [];
  const got: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('latin1') });
      const a = answers.shift() ?? { status: 200, body: 'thanks é' };
      res.statusCode = a.status;
      res.end(a.body);
    });
  });

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    sb = testSandbox(tmp.db);
    app = provisionApp(sb).app;
    secret = sb.webhooks.createDestination(app, { url, subscribed_events: ['status.updated'] }).secret_shared_key;
  });
  after(async () => {
    await sb.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    tmp.cleanup();
  });

  it('keeps the exact request and a bounded answer, grouped by event', async () => {
    const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    answers.push({ status: 500, body: 'x'.repeat(5000) });
    const s = sb.sessions.create(app, { workflow_id: wf });
    sb.sessions.simulate(app, s.session_id, 'Approved');
    await sb.webhooks.flush(5000);

    const events = sb.deliveries.listByEvent(app, { sessionId: s.session_id });
    assert.equal(events.length, 2, 'two status.updated events (Not Started, Approved)');
    assert.deepEqual(events.map((e) => e.status).sort(), ['Approved', 'Not Started']);
    const total = events.reduce((n, e) => n + e.attempts.length, 0);
    assert.equal(total, 3, 'one event was retried once');
    const retried = events.find((e) => e.attempts.length === 2)!;
    assert.deepEqual(retried.attempts.map((a) => [a.attempt, a.response.status, a.outcome]), [
      [1, 500, 'retrying'],
      [2, 200, 'delivered'],
    ]);
    assert.deepEqual(retried.destinations.map((d) => d.state), ['delivered']);
    const [first, second] = retried.attempts as [NonNullable<(typeof retried.attempts)[0]>, NonNullable<(typeof retried.attempts)[0]>];
    assert.equal(first.response.body!.length, 2048);
    assert.equal(first.response.truncated, true);
    assert.equal(second.response.body, 'thanks é');
    assert.equal(second.response.truncated, false);

    // The recorded request is what the receiver got, byte for byte, and verifies.
    for (const a of events.flatMap((e) => e.attempts)) {
      assert.ok(a.request, 'request recorded');
      assert.ok(got.some((g) => g.body === a.request!.body && g.headers['x-signature'] === a.request!.headers['X-Signature']), 'matches a received request');
      const v = verifyWebhook({ rawBody: a.request!.body, headers: a.request!.headers, secret, now: Number(JSON.parse(a.request!.body).timestamp) });
      assert.equal(v.valid, true, JSON.stringify(v));
    }

    // One attempt by id (number or text), refused from another application.
    assert.deepEqual(sb.deliveries.attempt(app, first.id), first);
    assert.deepEqual(sb.deliveries.attempt(app, String(second.id)), second);
    const other = provisionApp(sb, 'other@example.com').app;
    assert.throws(() => sb.deliveries.attempt(other, first.id), (e) => e instanceof FacematchError && e.code === 'NOT_FOUND');
    assert.throws(() => sb.deliveries.attempt(app, 'abc'), (e) => e instanceof FacematchError && e.code === 'NOT_FOUND');
    assert.deepEqual(sb.deliveries.listByEvent(other), []);
    assert.equal(sb.deliveries.listByEvent(app, { eventId: retried.event_id }).length, 1);
  });
});
