// A stdio MCP server whose client disconnects right after a call that queues a webhook: the
// delivery it already sent must finish and be recorded before it exits, so `serve` on the same
// sandbox does not send the event again and the delivery log matches what the receiver got.
// Real processes: `serve`, the MCP server on stdio driven by the SDK's client, a receiver.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSandbox } from '../../src/services/index.js';
import { provisionApp } from '../helpers/sandbox.js';
import { connectStdio, ok, startServe, tempDir, type ServeProcess } from '../helpers/mcp-harness.js';

/** Answers 200 after `delayMs`, so the sender is mid-request when its client goes away. */
async function slowReceiver(delayMs: number): Promise<{ url: string; events: string[]; close(): Promise<void> }> {
  const events: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event_id?: string };
      events.push(String(body.event_id));
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    events,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe('an MCP client that disconnects right after a call', () => {
  const tmp = tempDir('fm-shutdown-');
  const dbPath = join(tmp.dir, 'sandbox.db');
  let serve: ServeProcess | undefined;
  let receiver: Awaited<ReturnType<typeof slowReceiver>> | undefined;
  after(async () => {
    await serve?.stop();
    await receiver?.close();
    tmp.cleanup();
  });

  it('leaves each event delivered once and every attempt recorded', async () => {
    receiver = await slowReceiver(400);
    const sessions: string[] = [];
    {
      const sb = openSandbox({ dbPath, deliverWebhooks: false });
      const { app } = provisionApp(sb);
      const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
      for (let i = 0; i < 3; i++) sessions.push(sb.sessions.create(app, { workflow_id: wf }).session_id);
      // After the sessions: only the simulated outcomes are sent.
      sb.webhooks.createDestination(app, { url: receiver.url, subscribed_events: ['status.updated'] });
      await sb.close();
    }
    serve = await startServe({ FACEMATCH_DB: dbPath });

    for (const [i, session_id] of sessions.entries()) {
      const conn = await connectStdio({ env: { FACEMATCH_DB: dbPath } });
      const tool = i === 2 ? 'review_session' : 'simulate_session_outcome';
      if (tool === 'review_session') {
        await ok(conn.client, 'simulate_session_outcome', { session_id, outcome: 'In Review' });
        await ok(conn.client, 'review_session', { session_id, new_status: 'Approved', comment: 'checked by hand' });
      } else {
        await ok(conn.client, tool, { session_id, outcome: 'Approved' });
      }
      await conn.close();
    }

    // The receiver answers within 0.4 s; a duplicate from serve would come within its poll.
    await new Promise((r) => setTimeout(r, 3000));
    const counts = new Map<string, number>();
    for (const e of receiver.events) counts.set(e, (counts.get(e) ?? 0) + 1);
    const dupes = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(dupes, [], `events received more than once: ${JSON.stringify(dupes)} (all: ${receiver.events.join(', ')})`);
    assert.ok(counts.size >= sessions.length, `expected at least ${sessions.length} events, got ${counts.size}`);

    const check = openSandbox({ dbPath, deliverWebhooks: false });
    try {
      const attempts = (check.db.prepare('SELECT COUNT(*) AS n FROM webhook_attempts').get() as { n: number }).n;
      const pending = (check.db.prepare("SELECT COUNT(*) AS n FROM webhook_outbox WHERE state = 'pending'").get() as { n: number }).n;
      assert.equal(attempts, receiver.events.length, 'every request the receiver got is a recorded attempt');
      assert.equal(pending, 0, 'nothing left to send');
    } finally {
      await check.close();
    }
  });
});
