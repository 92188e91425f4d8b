// The full integration scenario an agent runs, end to end through a real MCP client:
// provision -> workflow -> webhook destination (real local receiver) -> session -> real
// photos -> decision Approved -> webhook received and verified with verify_webhook_signature.
// Once over stdio, once over Streamable HTTP (`serve` at /mcp).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { hasFaces, noFacesReason, readPairs } from './helpers/data.js';
import { connectHttp, connectStdio, fails, ok, startReceiver, startServe, tempDir, type Connected } from './mcp.harness.js';

const skip = hasFaces ? false : noFacesReason;

interface Sizes {
  largest: { tool: string; bytes: number };
}

async function scenario(conn: Connected, label: string, sizes: Sizes): Promise<void> {
  const { client } = conn;
  const track = (tool: string, bytes: number) => {
    if (bytes > sizes.largest.bytes) sizes.largest = { tool, bytes };
  };
  const pairs = readPairs('lfw-funneled-dev');
  const same = pairs.find((p) => p.same)!;
  const receiver = await startReceiver();
  try {
    const acct = await ok<{ api_key: string; application_id: string }>(client, 'provision_account', { email: `${label}@example.com` });
    track('provision_account', acct.__outcome.bytes);
    assert.match(acct.api_key, /\S{20,}/);

    const wf = await ok<{ workflow_id: string; features: string[] }>(client, 'create_workflow', {
      workflow_label: `scenario ${label}`,
      features: [{ feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 50, face_match_score_review_threshold: 70 } }],
    });
    track('create_workflow', wf.__outcome.bytes);
    assert.deepEqual(wf.features, ['FACE_MATCH']);

    const dest = await ok<{ secret_shared_key: string; uuid: string }>(client, 'create_webhook_destination', { url: receiver.url, subscribed_events: ['status.updated'] });
    track('create_webhook_destination', dest.__outcome.bytes);
    assert.equal(dest.secret_shared_key.length, 43);

    const session = await ok<{ session_id: string; status: string; url: string }>(client, 'create_session', {
      workflow_id: wf.workflow_id,
      vendor_data: `user-${label}`,
      metadata: { plan: 'pro', name: 'Zoë' },
    });
    track('create_session', session.__outcome.bytes);
    assert.equal(session.status, 'Not Started');

    const submitted = await ok<{ status: string; face_matches: Array<{ status: string; score: number }> }>(client, 'submit_session_images', {
      session_id: session.session_id,
      selfie: same.a,
      reference: same.b,
    });
    track('submit_session_images', submitted.__outcome.bytes);
    assert.equal(submitted.status, 'Approved', submitted.__outcome.text);
    assert.ok(submitted.face_matches[0]!.score > 70);
    assert.ok(submitted.__outcome.progress.length >= 1, 'expected progress notifications while the models load');

    const decision = await ok<{ status: string; session_id: string; vendor_data: string }>(client, 'get_session_decision', { session_id: session.session_id });
    track('get_session_decision', decision.__outcome.bytes);
    assert.equal(decision.status, 'Approved');
    assert.equal(decision.vendor_data, `user-${label}`);

    const hook = await receiver.waitFor((w) => {
      const body = JSON.parse(w.rawBody) as { session_id?: string; status?: string };
      return body.session_id === session.session_id && body.status === 'Approved';
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(hook.headers)) if (typeof v === 'string' && /^x-/i.test(k)) headers[k] = v;
    const verdict = await ok<{ valid: boolean; signatures: Record<string, { ok: boolean }> }>(client, 'verify_webhook_signature', {
      raw_body: hook.rawBody,
      headers,
      secret: dest.secret_shared_key,
    });
    track('verify_webhook_signature', verdict.__outcome.bytes);
    assert.equal(verdict.valid, true, verdict.__outcome.text);
    assert.ok(Object.values(verdict.signatures).length >= 3);

    // The doctor must also say why a wrong secret fails.
    const wrong = await ok<{ valid: boolean; signatures: Record<string, { ok: boolean; reason: string }> }>(client, 'verify_webhook_signature', {
      raw_body: hook.rawBody,
      headers,
      secret: `${dest.secret_shared_key.slice(0, -1)}x`,
    });
    assert.equal(wrong.valid, false);
    assert.ok(Object.values(wrong.signatures).every((s) => !s.ok && s.reason.length > 10));

    const deliveries = await ok<{ count: number; results: Array<{ outcome: string; status_code: number | null }> }>(client, 'list_webhook_deliveries', {
      session_id: session.session_id,
      wait_ms: 5000,
    });
    track('list_webhook_deliveries', deliveries.__outcome.bytes);
    assert.ok(deliveries.results.some((d) => d.outcome === 'delivered' && d.status_code === 200), deliveries.__outcome.text);

    const listed = await ok<{ count: number; results: Array<{ session_id: string }> }>(client, 'list_sessions', { status: 'Approved' });
    track('list_sessions', listed.__outcome.bytes);
    assert.ok(listed.results.some((s) => s.session_id === session.session_id));

    const res = await client.readResource({ uri: `facematch://sessions/${session.session_id}` });
    const body = JSON.parse((res.contents[0] as { text: string }).text) as { status: string };
    assert.equal(body.status, 'Approved');

    const status = await ok<{ counts: Record<string, number>; application_id: string }>(client, 'sandbox_status', {});
    track('sandbox_status', status.__outcome.bytes);
    assert.equal(status.application_id, acct.application_id);
    assert.doesNotMatch(status.__outcome.text, new RegExp(acct.api_key));

    // A second submission after the decision is refused with a sentence, not a crash.
    await fails(client, 'submit_session_images', { session_id: session.session_id, selfie: same.a, reference: same.b });
  } finally {
    await receiver.close();
  }
}

describe('MCP scenario', { skip }, () => {
  const sizes: Sizes = { largest: { tool: '', bytes: 0 } };
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
  });
  after(() => {
    tmp.cleanup();
    process.stderr.write(`# largest tool output in the scenario: ${sizes.largest.bytes} bytes (${sizes.largest.tool})\n`);
  });

  test('over stdio', async () => {
    const conn = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'stdio.db'), FACEMATCH_LOG: 'silent' } });
    try {
      await scenario(conn, 'stdio', sizes);
    } finally {
      await conn.close();
    }
  });

  test('over Streamable HTTP (serve, /mcp)', async () => {
    const serve = await startServe({ FACEMATCH_DB: join(tmp.dir, 'http.db') });
    try {
      const conn = await connectHttp(serve.url, serve.credential);
      try {
        await scenario(conn, 'http', sizes);
      } finally {
        await conn.close();
      }
    } finally {
      await serve.stop();
    }
  });
});
