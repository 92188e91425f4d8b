// The signature doctor fed from the sandbox's own delivery records: verify_webhook_signature
// with a delivery_id replays the exact bytes and headers a real receiver got.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ToolContext } from '../../src/mcp/context.js';
import { LocalPlatform } from '../../src/platform/local.js';
import { verifyWebhookSignature } from '../../tools/verify_webhook_signature.js';
import { provisionApp, startReceiver, tempDb, testSandbox } from '../helpers/sandbox.js';

test('verify_webhook_signature takes a delivery id: valid with the destination secret, names a wrong one', async () => {
  const tmp = tempDb();
  const receiver = await startReceiver();
  const sb = testSandbox(tmp.db);
  try {
    const { app } = provisionApp(sb);
    const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    sb.webhooks.createDestination(app, { url: receiver.url, subscribed_events: ['status.updated'] });
    const s = sb.sessions.create(app, { workflow_id: wf, vendor_data: 'doc-1', metadata: { city: 'Zürich' } });
    sb.sessions.simulate(app, s.session_id, 'Approved');
    await sb.webhooks.flush(10_000);
    const events = sb.deliveries.listByEvent(app, { sessionId: s.session_id });
    const attempt = events.flatMap((e) => e.attempts)[0]!;
    assert.ok(attempt.request, 'the attempt recorded its request');
    // The tool's real context pieces: a local platform bound to this application.
    const platform = new LocalPlatform({
      sandbox: sb,
      selection: { chosen: app.applicationId, chosenBy: 'test' },
      engine: () => Promise.reject(new Error('not needed')),
      httpBaseUrl: null,
    });
    const ctx: ToolContext = {
      cwd: tmp.dir,
      signal: new AbortController().signal,
      httpBaseUrl: null,
      platform,
      sandbox: platform,
      engine: () => Promise.reject(new Error('not needed')),
      progress: async () => undefined,
      modelsLoaded: () => false,
    };
    const input = verifyWebhookSignature.inputSchema.parse({ delivery_id: attempt.id });
    const ok = await verifyWebhookSignature.handler(input, ctx);
    assert.equal(ok.structured.valid, true, ok.summary);
    assert.match(ok.summary, /VALID/);
    const wrong = await verifyWebhookSignature.handler(verifyWebhookSignature.inputSchema.parse({ delivery_id: String(attempt.id), secret: 'whsec_wrong' }), ctx);
    assert.equal(wrong.structured.valid, false);
    assert.match(wrong.summary, /wrong secret/);
    await assert.rejects(verifyWebhookSignature.handler(verifyWebhookSignature.inputSchema.parse({ delivery_id: 999999 }), ctx), /not found/);
    await assert.rejects(
      verifyWebhookSignature.handler(verifyWebhookSignature.inputSchema.parse({ delivery_id: attempt.id, raw_body: '{}' }), ctx),
      /either delivery_id or raw_body/,
    );
  } finally {
    await sb.close();
    await receiver.close();
    tmp.cleanup();
  }
});
