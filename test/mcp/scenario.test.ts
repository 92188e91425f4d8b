// The life cycle an agent runs, end to end through a real MCP client, on both platforms with
// the same assertions: workflow -> webhook destination (real local receiver) -> session ->
// real photos -> Approved -> webhook received and verified -> delivery log -> review of a
// second session -> resend -> destination update/delete -> session deletion.
// `local`: the MCP server's sandbox. `hosted`: the hosted client against the HTTP twin.
// Plus the local scenario once over Streamable HTTP (`serve` at /mcp).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { join } from 'node:path';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, connectHttp, fails, ok, startReceiver, startServe, tempDir, type CallOutcome } from '../helpers/mcp-harness.js';
import { MODES, startMode, type ModeEnv } from '../helpers/mcp-modes.js';

const skip = hasFaces ? false : noFacesReason;

interface Sizes {
  largest: { tool: string; bytes: number };
}
const sizes: Sizes = { largest: { tool: '', bytes: 0 } };

function track(tool: string, outcome: CallOutcome): void {
  if (outcome.bytes > sizes.largest.bytes) sizes.largest = { tool, bytes: outcome.bytes };
}

/** Every platform result says which application it acted for. */
function actsFor(env: ModeEnv, res: { __outcome: CallOutcome }): void {
  const text = res.__outcome.text;
  if (env.mode === 'local') assert.match(text, new RegExp(`Acted for application "[^"]+" \\(${env.account.application_id}`), text.slice(0, 400));
  else assert.match(text, /Acted on the hosted platform http:\/\/127\.0\.0\.1:\d+ for the application of FACEMATCH_API_KEY/, text.slice(0, 400));
}

async function lifecycle(env: ModeEnv, label: string): Promise<void> {
  const { client } = env.conn;
  const pairs = readPairs('lfw-funneled-dev');
  const same = pairs.find((p) => p.same)!;
  const other = pairs.find((p) => !p.same)!;
  const receiver = await startReceiver();
  try {
    const wf = await ok<{ workflow_id: string; features: string[] }>(client, 'create_workflow', {
      workflow_label: `scenario ${label}`,
      features: [{ feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 50, face_match_score_review_threshold: 70 } }],
    });
    track('create_workflow', wf.__outcome);
    assert.deepEqual(wf.features, ['FACE_MATCH']);
    actsFor(env, wf);

    const listedWf = await ok<{ count: number; next_offset: number | null; results: Array<{ workflow_id: string }> }>(client, 'list_workflows', { limit: 1 });
    assert.ok(listedWf.results.some((w) => w.workflow_id === wf.workflow_id) || listedWf.next_offset !== null);

    const dest = await ok<{ secret_shared_key: string; uuid: string }>(client, 'create_webhook_destination', { url: receiver.url, subscribed_events: ['status.updated'] });
    track('create_webhook_destination', dest.__outcome);
    assert.ok(dest.secret_shared_key.length >= 32);
    assert.match(await fails(client, 'create_webhook_destination', { url: receiver.url }), /already exists[\s\S]*replace_existing/);
    const dests = await ok<{ count: number; results: Array<{ uuid: string; url: string }> }>(client, 'list_webhook_destinations', {});
    assert.deepEqual(
      dests.results.map((d) => d.uuid),
      [dest.uuid],
    );

    const session = await ok<{ session_id: string; status: string; url: string }>(client, 'create_session', {
      workflow_id: wf.workflow_id,
      vendor_data: `user-${label}`,
      metadata: { plan: 'pro', name: 'Zoë' },
    });
    track('create_session', session.__outcome);
    assert.equal(session.status, 'Not Started');
    if (env.twin) assert.ok(session.url.startsWith(env.twin.url), `session url ${session.url} comes from the platform`);

    const played = await env.playUser(session.session_id, same.a, same.b);
    assert.equal(played.status, 'Approved');

    const decision = await ok<{ status: string; session_id: string; vendor_data: string; face_matches: Array<{ score: number }> }>(client, 'get_session_decision', { session_id: session.session_id });
    track('get_session_decision', decision.__outcome);
    assert.equal(decision.status, 'Approved');
    assert.equal(decision.vendor_data, `user-${label}`);
    assert.ok(decision.face_matches[0]!.score > 70);
    actsFor(env, decision);

    const hook = await receiver.waitFor((w) => {
      const body = JSON.parse(w.rawBody) as { session_id?: string; status?: string };
      return body.session_id === session.session_id && body.status === 'Approved';
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(hook.headers)) if (typeof v === 'string' && /^x-/i.test(k)) headers[k] = v;
    const verdict = await ok<{ valid: boolean; signatures: Record<string, { ok: boolean }> }>(client, 'verify_webhook_signature', { raw_body: hook.rawBody, headers, secret: dest.secret_shared_key });
    track('verify_webhook_signature', verdict.__outcome);
    assert.equal(verdict.valid, true, verdict.__outcome.text);
    assert.ok(Object.values(verdict.signatures).length >= 3);
    // A pure tool acts for no application and says none.
    assert.doesNotMatch(verdict.__outcome.text, /Acted (for|on)/);

    const wrong = await ok<{ valid: boolean; signatures: Record<string, { ok: boolean; reason: string }> }>(client, 'verify_webhook_signature', {
      raw_body: hook.rawBody,
      headers,
      secret: `${dest.secret_shared_key.slice(0, -1)}x`,
    });
    assert.equal(wrong.valid, false);
    assert.ok(Object.values(wrong.signatures).every((s) => !s.ok && s.reason.length > 10));

    const deliveries = await ok<{ count: number; results: Array<{ event_id: string | null; response_status: number | null; uuid: string }> }>(client, 'list_webhook_deliveries', {
      session_id: session.session_id,
      wait_ms: 5000,
    });
    track('list_webhook_deliveries', deliveries.__outcome);
    assert.ok(deliveries.results.some((d) => d.response_status === 200), deliveries.__outcome.text);
    const hookEvent = (JSON.parse(hook.rawBody) as { event_id: string }).event_id;
    assert.ok(deliveries.results.some((d) => d.event_id === hookEvent), `the log names event ${hookEvent}: ${deliveries.__outcome.text}`);

    const listed = await ok<{ count: number; results: Array<{ session_id: string }> }>(client, 'list_sessions', { status: 'Approved' });
    track('list_sessions', listed.__outcome);
    assert.ok(listed.results.some((s) => s.session_id === session.session_id));

    const res = await client.readResource({ uri: `facematch://sessions/${session.session_id}` });
    assert.equal((JSON.parse((res.contents[0] as { text: string }).text) as { status: string }).status, 'Approved');

    // Resend: the same event reaches the receiver again.
    const before = receiver.received.length;
    const resent = await ok<{ event_id: string; queued: number }>(client, 'resend_webhook', { session_id: session.session_id, event_id: hookEvent });
    assert.equal(resent.event_id, hookEvent);
    assert.ok(resent.queued >= 1);
    await receiver.waitFor((w) => receiver.received.indexOf(w) >= before && (JSON.parse(w.rawBody) as { event_id?: string }).event_id === hookEvent);

    // Review: a different-person pair on a workflow that sends every scored match to review.
    const reviewWf = await ok<{ workflow_id: string }>(client, 'create_workflow', {
      workflow_label: `review ${label}`,
      features: [{ feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 0, face_match_score_review_threshold: 100 } }],
    });
    const second = await ok<{ session_id: string }>(client, 'create_session', { workflow_id: reviewWf.workflow_id, vendor_data: `review-${label}` });
    const inReview = await env.playUser(second.session_id, other.a, other.b);
    assert.equal(inReview.status, 'In Review');
    const pending = await ok<{ count: number; results: Array<{ session_id: string }> }>(client, 'list_sessions', { status: 'In Review' });
    assert.deepEqual(
      pending.results.map((s) => s.session_id),
      [second.session_id],
    );
    assert.match(await fails(client, 'review_session', { session_id: second.session_id, new_status: 'In Review' }), /new_status must be one of: Approved, Declined, Resubmitted/);
    const reviewed = await ok<{ session_id: string; status: string }>(client, 'review_session', { session_id: second.session_id, new_status: 'Declined', comment: 'different person' });
    track('review_session', reviewed.__outcome);
    assert.deepEqual({ ...reviewed }, { session_id: second.session_id, status: 'Declined' });
    actsFor(env, reviewed);
    await receiver.waitFor((w) => {
      const body = JSON.parse(w.rawBody) as { session_id?: string; status?: string };
      return body.session_id === second.session_id && body.status === 'Declined';
    });
    const afterReview = await ok<{ status: string }>(client, 'get_session_decision', { session_id: second.session_id });
    assert.equal(afterReview.status, 'Declined');

    // Destinations: update, then delete.
    const updated = await ok<{ uuid: string; label: string; enabled: boolean }>(client, 'update_webhook_destination', { uuid: dest.uuid, label: 'renamed', enabled: false });
    assert.equal(updated.label, 'renamed');
    assert.equal(updated.enabled, false);
    assert.match(await fails(client, 'update_webhook_destination', { uuid: dest.uuid }), /Nothing to change/);
    const deletedDest = await ok<{ deleted: boolean }>(client, 'delete_webhook_destination', { uuid: dest.uuid });
    assert.equal(deletedDest.deleted, true);
    assert.equal((await ok<{ count: number }>(client, 'list_webhook_destinations', {})).count, 0);
    assert.match(await fails(client, 'delete_webhook_destination', { uuid: dest.uuid }), /not found|404/i);

    // Deletion really deletes: the decision is gone, the list no longer has it.
    const gone = await ok<{ deleted: boolean }>(client, 'delete_session', { session_id: second.session_id });
    assert.equal(gone.deleted, true);
    assert.match(await fails(client, 'get_session_decision', { session_id: second.session_id }), /not found|404/i);
    const rest = await ok<{ results: Array<{ session_id: string }> }>(client, 'list_sessions', { vendor_data: `review-${label}` });
    assert.deepEqual(rest.results, []);

    // Standalone compare: the same report and a picture of both faces on either platform.
    const m = await ok<{ source: string; engine: unknown; face_match: { status: string; score: number } }>(client, 'face_match', { user_image: same.a, ref_image: same.b });
    track('face_match', m.__outcome);
    assert.equal(m.source, env.mode);
    assert.equal(m.engine === null, env.mode === 'hosted');
    assert.equal(m.face_match.status, 'Approved');
    assert.ok(m.__outcome.result.content.some((c) => c.type === 'image'));
    assert.match(await fails(client, 'face_match', { user_image: same.a, ref_image: same.b, face_match_score_decline_threshold: -1 }), /0 to 100/);

    const status = await ok<{ platform: string; application_id: string | null; base_url: string | null }>(client, 'sandbox_status', {});
    track('sandbox_status', status.__outcome);
    assert.equal(status.platform, env.mode);
    if (env.mode === 'local') assert.equal(status.application_id, env.account.application_id);
    else assert.equal(status.base_url, env.twin!.url);
    assert.doesNotMatch(status.__outcome.text, new RegExp(env.account.api_key));

    // Errors name the fix, and in hosted mode never a sandbox-only tool.
    const missing = await fails(client, 'get_session_decision', { session_id: 'no-such-session' });
    assert.match(missing, /not found|404/i);
    if (env.mode === 'hosted') assert.doesNotMatch(missing, /provision_account|submit_session_images/);
  } finally {
    await receiver.close();
  }
}

describe('MCP life cycle on both platforms', { skip }, () => {
  after(() => {
    process.stderr.write(`# largest tool output in the scenario: ${sizes.largest.bytes} bytes (${sizes.largest.tool})\n`);
  });

  for (const mode of MODES) {
    test(`${mode}: workflow, session, webhook, review, resend, destinations, deletion`, async () => {
      const env = await startMode(mode, `scenario-${mode}`);
      try {
        await lifecycle(env, mode);
      } finally {
        await env.close();
      }
    });
  }

  test('local over Streamable HTTP (serve, /mcp)', async () => {
    const tmp = tempDir();
    const serve = await startServe({ FACEMATCH_DB: join(tmp.dir, 'http.db') });
    try {
      const conn = await connectHttp(serve.url, serve.credential);
      try {
        const acct = await ok<{ api_key: string; application_id: string }>(conn.client, 'provision_account', { email: 'http@example.com' });
        const env: ModeEnv = {
          mode: 'local',
          conn,
          account: acct,
          twin: null,
          playUser: (sessionId, selfie, reference) => ok<{ status: string }>(conn.client, 'submit_session_images', { session_id: sessionId, selfie, reference }),
          close: async () => undefined,
        };
        await lifecycle(env, 'http');
        const st = await call(conn.client, 'sandbox_status', {});
        assert.match(st.text, new RegExp(serve.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      } finally {
        await conn.close();
      }
    } finally {
      await serve.stop();
      tmp.cleanup();
    }
  });
});
