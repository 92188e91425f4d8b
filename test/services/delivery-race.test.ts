// A session deleted while its webhook is on the wire: the delivery worker finds its queue row
// gone when the answer comes back and records nothing (before, the attempt insert hit the
// foreign key and the worker logged "delivery failed"); later events still go out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { provisionApp, startReceiver, tempDb, testSandbox } from '../helpers/sandbox.js';

test('deleting a session mid-delivery leaves no failed write behind', async () => {
  const tmp = tempDb();
  const receiver = await startReceiver();
  const sb = testSandbox(tmp.db, { webhookDelivery: { baseDelayMs: 20, maxAttempts: 2, timeoutMs: 400, pollMs: 20 } });
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    const { app } = provisionApp(sb);
    const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    sb.webhooks.createDestination(app, { url: receiver.url, subscribed_events: ['status.updated'] });
    receiver.stall = true;
    const s = sb.sessions.create(app, { workflow_id: wf });
    sb.sessions.simulate(app, s.session_id, 'Approved');
    await receiver.waitFor(1, 5000);
    sb.sessions.deleteSession(app, s.session_id);
    // The stalled request times out (400 ms) and the worker comes back to record it.
    await new Promise((r) => setTimeout(r, 900));
    receiver.stall = false;
    const s2 = sb.sessions.create(app, { workflow_id: wf });
    sb.sessions.simulate(app, s2.session_id, 'Declined');
    await sb.webhooks.flush(10_000);
    assert.ok(receiver.received.some((r) => r.json.session_id === s2.session_id), 'a later event is delivered');
    assert.deepEqual(logged.filter((l) => /delivery failed|FOREIGN KEY/.test(l)), []);
    const orphans = sb.db.prepare('SELECT COUNT(*) AS n FROM webhook_attempts WHERE outbox_id NOT IN (SELECT id FROM webhook_outbox)').get() as { n: number };
    assert.equal(orphans.n, 0);
  } finally {
    process.stderr.write = write;
    await sb.close();
    await receiver.close();
    tmp.cleanup();
  }
});
