// The HTTP twin against the platform's documented contract, one rule per test: list envelopes
// and paging, strict workflow bodies and feature spellings, update-status transitions and the
// webhooks they fire, reviews, real deletion, the PDF report read back with a PDF reader, the
// session webhook log and resend by uuid, the five face-match risk codes, Bearer credential
// look-ups and resend-otp.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, form, startTwin, type Twin } from '../helpers/http-twin.js';
import { startReceiver, type Receiver } from '../helpers/sandbox.js';

type Json = Record<string, unknown>;
const skip = hasFaces ? false : noFacesReason;

describe('HTTP twin: the platform contract', { skip }, () => {
  let twin: Twin;
  let receiver: Receiver;
  let key: string;
  let secret: string;
  const pair = hasFaces ? readPairs('lfw-funneled-dev').find((p) => p.same)! : null;
  const other = hasFaces ? readPairs('lfw-funneled-dev').find((p) => !p.same)! : null;

  before(async () => {
    twin = await startTwin();
    receiver = await startReceiver();
    key = twin.apiKey();
    const d = await call(twin.url, 'POST', '/v3/webhook/destinations/', { key, json: { url: receiver.url, subscribed_events: ['status.updated'] } });
    secret = (d.json as { secret_shared_key: string }).secret_shared_key;
  });
  after(async () => {
    await receiver.close();
    await twin.close();
  });

  const workflow = async (features: Json[], extra: Json = {}) => {
    const r = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'w', features, ...extra } });
    assert.equal(r.status, 201, r.text);
    return r.json as { uuid: string; features: string[] };
  };
  const session = async (workflowId: string, body: Json = {}) => {
    const r = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflowId, ...body } });
    assert.equal(r.status, 201, r.text);
    return r.json as { session_id: string; session_number: number };
  };

  test('workflow create is strict: unknown keys, flat flags and workflow_type are 400 naming the key', async () => {
    for (const [k, v] of [['workflow_type', 'kyc'], ['is_face_match_enabled', true], ['is_liveness_enabled', true], ['surprise', 1]] as const) {
      const r = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { features: [{ feature: 'FACE_MATCH' }], [k]: v } });
      assert.equal(r.status, 400, r.text);
      assert.ok((r.json as Json)[k], `the error names ${k}: ${r.text}`);
    }
    const bad = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { features: [{ feature: 'FACE_MATCH', extra: 1 }] } });
    assert.equal(bad.status, 400);
  });

  test('the full feature enum, older spellings answered with the platform names', async () => {
    const all = ['OCR', 'NFC', 'LIVENESS', 'FACE_MATCH', 'PROOF_OF_ADDRESS', 'QUESTIONNAIRE', 'PHONE_VERIFICATION', 'EMAIL_VERIFICATION', 'DATABASE_VALIDATION', 'AML', 'IP_ANALYSIS', 'AGE_ESTIMATION', 'KYB_REGISTRY', 'KYB_DOCUMENTS', 'KYB_KEY_PEOPLE'];
    assert.deepEqual((await workflow(all.map((feature) => ({ feature })))).features, all);
    const old = await workflow([{ feature: 'ID_VERIFICATION' }, { feature: 'PHONE' }, { feature: 'EMAIL' }, { feature: 'POA' }, { feature: 'FACE_MATCH' }]);
    assert.deepEqual(old.features, ['OCR', 'PHONE_VERIFICATION', 'EMAIL_VERIFICATION', 'PROOF_OF_ADDRESS', 'FACE_MATCH']);
    const r = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { features: [{ feature: 'FACE_MATCH', config: { face_match_max_attempts: 6 } }] } });
    assert.equal(r.status, 400, 'face_match_max_attempts is 2..5');
  });

  test('lists: {count, next, previous, results} with limit/offset; workflows delete', async () => {
    const wf = await workflow([{ feature: 'FACE_MATCH' }]);
    for (let i = 0; i < 3; i++) await session(wf.uuid, { vendor_data: `page-${i}` });
    const p1 = await call(twin.url, 'GET', `/v3/sessions/?workflow_id=${wf.uuid}&limit=2`, { key });
    const b1 = p1.json as { count: number; next: string | null; previous: string | null; results: Json[] };
    assert.equal(b1.count, 3);
    assert.equal(b1.results.length, 2);
    assert.equal(b1.previous, null);
    assert.ok(b1.next);
    const p2 = await call(twin.url, 'GET', new URL(b1.next!).pathname + new URL(b1.next!).search, { key });
    const b2 = p2.json as typeof b1;
    assert.equal(b2.results.length, 1);
    assert.equal(b2.next, null);
    assert.ok(b2.previous);
    const alias = await call(twin.url, 'GET', `/v3/session/?workflow_id=${wf.uuid}&limit=2`, { key });
    assert.deepEqual((alias.json as typeof b1).results, b1.results, 'the old singular path answers the same');
    assert.equal((alias.json as typeof b1).count, b1.count);
    const filtered = await call(twin.url, 'GET', `/v3/sessions/?vendor_data=page-1&status=Not%20Started,Approved`, { key });
    assert.equal((filtered.json as typeof b1).count, 1);
    assert.equal((await call(twin.url, 'GET', '/v3/sessions/?status=Done', { key })).status, 400);
    const wfs = await call(twin.url, 'GET', '/v3/workflows/?limit=1', { key });
    assert.equal((wfs.json as typeof b1).results.length, 1);
    assert.equal(typeof (wfs.json as typeof b1).count, 'number');
    const del = await call(twin.url, 'DELETE', `/v3/workflows/${wf.uuid}/`, { key });
    assert.equal(del.status, 204);
    assert.equal((await call(twin.url, 'GET', `/v3/workflows/${wf.uuid}/`, { key })).status, 404);
  });

  test('update-status: the documented transitions, a webhook per change, none for a no-op', async () => {
    const wf = await workflow([{ feature: 'FACE_MATCH' }]);
    const s = await session(wf.uuid);
    const early = await call(twin.url, 'PATCH', `/v3/session/${s.session_id}/update-status/`, { key, json: { new_status: 'Approved' } });
    assert.equal(early.status, 400, 'a Not Started session cannot be reviewed');
    await call(twin.url, 'POST', `/sandbox/session/${s.session_id}/simulate/`, { key, json: { outcome: 'In Review' } });
    assert.equal((await call(twin.url, 'PATCH', `/v3/session/${s.session_id}/update-status/`, { key, json: { new_status: 'In Review' } })).status, 400);
    const ok = await call(twin.url, 'PATCH', `/v3/session/${s.session_id}/update-status/`, { key, json: { new_status: 'Approved', comment: 'looks right' } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { session_id: s.session_id });
    await twin.sandbox.webhooks.flush(5000);
    const count = () => receiver.received.filter((r) => r.json.session_id === s.session_id).length;
    const before = count();
    assert.ok(receiver.received.some((r) => r.json.session_id === s.session_id && r.json.status === 'Approved' && (r.json.decision as Json).status === 'Approved'));
    const again = await call(twin.url, 'PATCH', `/v3/session/${s.session_id}/update-status/`, { key, json: { new_status: 'Approved' } });
    assert.equal(again.status, 200);
    await twin.sandbox.webhooks.flush(5000);
    assert.equal(count(), before, 'approving an Approved session sends nothing');
    const resub = await call(twin.url, 'PATCH', `/v3/session/${s.session_id}/update-status/`, { key, json: { new_status: 'Resubmitted' } });
    assert.equal(resub.status, 200);
    const twice = await call(twin.url, 'PATCH', `/v3/session/${s.session_id}/update-status/`, { key, json: { new_status: 'Resubmitted' } });
    assert.equal(twice.status, 400);
    assert.match((twice.json as { detail: string }).detail, /same as the current status/);
    const reviews = (await call(twin.url, 'GET', `/v3/sessions/${s.session_id}/reviews/`, { key })).json as Json[];
    assert.deepEqual(reviews.map((r) => [r.old_status, r.new_status]), [['In Review', 'Approved'], ['Approved', 'Resubmitted']]);
    assert.equal(reviews[0]!.note, 'looks right');
    const added = await call(twin.url, 'POST', `/v3/sessions/${s.session_id}/reviews/`, { key, json: { comment: 'note only' } });
    assert.equal(added.status, 201);
    assert.equal((added.json as Json).action, 'comment');
    const decision = (await call(twin.url, 'GET', `/v3/session/${s.session_id}/decision/`, { key })).json as { status: string; reviews: Json[] };
    assert.equal(decision.status, 'Resubmitted');
    assert.equal(decision.reviews.length, 3);
  });

  test('the session webhook log: newest first, uuid, exact request; resend by uuid re-signs', async () => {
    const wf = await workflow([{ feature: 'FACE_MATCH' }]);
    const s = await session(wf.uuid);
    await call(twin.url, 'POST', `/sandbox/session/${s.session_id}/simulate/`, { key, json: { outcome: 'Approved' } });
    await twin.sandbox.webhooks.flush(5000);
    const log = (await call(twin.url, 'GET', `/v3/session/${s.session_id}/webhooks/`, { key })).json as Array<Json & { uuid: string; request_body: string; request_header: string }>;
    assert.equal(log.length, 2);
    assert.equal(JSON.parse(log[0]!.request_body).status, 'Approved', 'newest first');
    for (const e of log) {
      assert.equal(verifyWebhook({ rawBody: e.request_body, headers: JSON.parse(e.request_header) as Record<string, string>, secret }).valid, true);
    }
    const r = await call(twin.url, 'POST', `/v3/session/${s.session_id}/webhook/${log[1]!.uuid}/resend`, { key });
    assert.equal(r.status, 200, r.text);
    assert.notEqual((r.json as Json).uuid, log[1]!.uuid);
    assert.equal(JSON.parse((r.json as { request_body: string }).request_body).event_id, JSON.parse(log[1]!.request_body).event_id, 'same event_id');
    assert.equal((await call(twin.url, 'POST', `/v3/session/${s.session_id}/webhook/00000000-0000-4000-8000-0000000fffff/resend`, { key })).status, 404);
  });

  test('deletion really deletes rows, media and deliveries; batch by session number', async () => {
    const wf = await workflow([{ feature: 'FACE_MATCH' }]);
    const a = await session(wf.uuid, { portrait_image: readFileSync(pair!.b).toString('base64') });
    const b = await session(wf.uuid);
    await call(twin.url, 'POST', `/sandbox/session/${a.session_id}/simulate/`, { key, json: { outcome: 'Approved' } });
    await twin.sandbox.webhooks.flush(5000);
    const n = (sql: string, id: string) => (twin.sandbox.db.prepare(sql).get(id) as { n: number }).n;
    assert.ok(n('SELECT COUNT(*) AS n FROM media WHERE session_id = ?', a.session_id) > 0);
    assert.equal((await call(twin.url, 'DELETE', `/v3/session/${a.session_id}/delete/`, { key })).status, 204);
    for (const t of ['sessions WHERE id', 'media WHERE session_id', 'webhook_outbox WHERE session_id', 'session_reviews WHERE session_id']) {
      assert.equal(n(`SELECT COUNT(*) AS n FROM ${t} = ?`, a.session_id), 0, t);
    }
    assert.equal((await call(twin.url, 'GET', `/v3/session/${a.session_id}/decision/`, { key })).status, 404);
    const batch = await call(twin.url, 'POST', '/v3/sessions/delete/', { key, json: { session_numbers: [b.session_number] } });
    assert.equal(batch.status, 200, batch.text);
    assert.equal((batch.json as Json).deleted_count, 1);
    assert.equal((await call(twin.url, 'POST', '/v3/sessions/delete/', { key, json: {} })).status, 400);
  });

  test('generate-pdf is a real PDF report a PDF reader can open', async () => {
    const wf = await workflow([{ feature: 'FACE_MATCH' }]);
    const s = await session(wf.uuid, { vendor_data: 'pdf-user', portrait_image: readFileSync(pair!.b).toString('base64') });
    const app = twin.sandbox.accounts.authenticate(key);
    await twin.sandbox.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: readFileSync(pair!.a) });
    const res = await fetch(`${twin.url}/v3/session/${s.session_id}/generate-pdf`, { headers: { 'x-api-key': key } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const doc = await getDocument({ data: bytes, useSystemFonts: false, isEvalSupported: false }).promise;
    const page = await doc.getPage(1);
    const text = (await page.getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join('\n');
    assert.match(text, new RegExp(s.session_id));
    assert.match(text, /pdf-user/);
    assert.match(text, /face_match_1: (Approved|In Review|Declined), score \d/);
    await doc.destroy();
  });

  test('face match: the five documented risk codes, score null when nothing could be scored', async () => {
    const blank = await (await import('sharp')).default({ create: { width: 200, height: 200, channels: 3, background: '#888' } }).jpeg().toBuffer();
    const face = readFileSync(pair!.a);
    const run = async (user: Buffer, ref: Buffer) => {
      const r = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form({ user_image: user, ref_image: ref }) });
      assert.equal(r.status, 200, r.text);
      return (r.json as { face_match: { status: string; score: number | null; warnings: Json[]; user_image: { entities: Json[] } } }).face_match;
    };
    const noSelfie = await run(blank, face);
    assert.deepEqual([noSelfie.status, noSelfie.score, noSelfie.warnings.map((w) => w.risk)], ['Declined', null, ['NO_FACE_IN_SELFIE']]);
    const noRef = await run(face, blank);
    assert.deepEqual([noRef.status, noRef.score, noRef.warnings.map((w) => w.risk)], ['Declined', null, ['FACE_MATCH_NOT_COMPUTED']]);
    const diff = await run(readFileSync(other!.a), readFileSync(other!.b));
    if (diff.status === 'Declined') assert.deepEqual(diff.warnings.map((w) => [w.risk, w.log_type]), [['LOW_FACE_MATCH_SIMILARITY', 'error']]);
    const same = await run(face, readFileSync(pair!.b));
    assert.equal(typeof same.score, 'number');
    for (const k of ['age', 'gender']) assert.ok(k in same.user_image.entities[0]!, k);

    // In a workflow: no reference at all is NO_REFERENCE_IMAGE; not-computed follows the action.
    const wf = await workflow([{ feature: 'FACE_MATCH', config: { face_match_not_computed_action: 'REVIEW', face_match_max_attempts: 2 } }]);
    const app = twin.sandbox.accounts.authenticate(key);
    const s1 = await session(wf.uuid);
    const d1 = await twin.sandbox.sessions.submitImages({ app, sessionId: s1.session_id }, { selfie: face });
    assert.deepEqual(d1.face_matches![0]!.warnings.map((w) => w.risk), ['NO_REFERENCE_IMAGE']);
    const s2 = await session(wf.uuid, { portrait_image: blank.toString('base64') });
    const d2 = await twin.sandbox.sessions.submitImages({ app, sessionId: s2.session_id }, { selfie: face });
    assert.equal(d2.face_matches![0]!.status, 'In Review');
    assert.deepEqual(d2.face_matches![0]!.warnings.map((w) => [w.risk, w.log_type]), [['FACE_MATCH_NOT_COMPUTED', 'warning']]);
    // Two declined attempts exhaust a 2-attempt node.
    const s3 = await session(wf.uuid);
    await twin.sandbox.sessions.submitImages({ app, sessionId: s3.session_id }, { selfie: face });
    const d3 = await twin.sandbox.sessions.submitImages({ app, sessionId: s3.session_id }, { selfie: face });
    assert.ok(d3.face_matches![0]!.warnings.some((w) => w.risk === 'FACE_MATCH_MAX_ATTEMPTS_EXCEEDED'));
  });

  test('passive liveness and age estimation answer with the documented shape', async () => {
    for (const path of ['/v3/passive-liveness/', '/v3/age-estimation/']) {
      const r = await call(twin.url, 'POST', path, { key, body: form({ user_image: readFileSync(pair!.a) }) });
      assert.equal(r.status, 200, r.text);
      const body = r.json as { request_id: string; created_at: string; liveness: Json & { user_image: { entities: Json[] } } };
      assert.ok(body.request_id && body.created_at);
      assert.equal(body.liveness.method, 'PASSIVE');
      assert.equal(body.liveness.status, 'Approved');
      assert.equal(typeof body.liveness.score, 'number');
      assert.ok(body.liveness.user_image.entities.length > 0);
      if (path === '/v3/age-estimation/') assert.equal(typeof body.liveness.age_estimation, 'number');
      assert.equal((await call(twin.url, 'POST', path, { key, body: form({}, { vendor_data: 'x' }) })).status, 400);
    }
  });

  test('credentials: Bearer look-ups, resend-otp, 401 without a token', async () => {
    const email = `bearer-${Date.now()}@example.com`;
    await call(twin.url, 'POST', '/auth/v2/programmatic/register/', { json: { email, password: 'Str0ng!Pass' } });
    const old = twin.sandbox.accounts.peekVerificationCode(email);
    assert.equal(Date.parse(old.expires_at) - Date.now() <= 10 * 60_000, true, 'codes live 10 minutes');
    const resent = await call(twin.url, 'POST', '/auth/v2/programmatic/resend-otp/', { json: { email } });
    assert.equal(resent.status, 200);
    const { code } = twin.sandbox.accounts.peekVerificationCode(email);
    const v = (await call(twin.url, 'POST', '/auth/v2/programmatic/verify-email/', { json: { email, code } })).json as {
      access_token: string;
      organization: { uuid: string };
      application: { uuid: string; api_key: string };
    };
    const auth = { authorization: `Bearer ${v.access_token}` };
    assert.equal((await call(twin.url, 'GET', '/auth/v2/organizations/me/', {})).status, 401);
    const orgs = await call(twin.url, 'GET', '/auth/v2/organizations/me/', { headers: auth });
    assert.equal((orgs.json as Json[])[0]!.uuid, v.organization.uuid);
    const apps = await call(twin.url, 'GET', `/auth/v2/organizations/me/${v.organization.uuid}/applications/`, { headers: auth });
    assert.equal((apps.json as Json[])[0]!.uuid, v.application.uuid);
    const one = await call(twin.url, 'GET', `/auth/v2/organizations/me/${v.organization.uuid}/applications/${v.application.uuid}/`, { headers: auth });
    assert.equal((one.json as Json).api_key, v.application.api_key);
    assert.equal((await call(twin.url, 'GET', `/auth/v2/organizations/me/not-mine/applications/`, { headers: auth })).status, 404);
  });
});
