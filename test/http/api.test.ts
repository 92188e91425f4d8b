// The HTTP twin end to end: a real server on 127.0.0.1, a real SQLite file, the real engine and
// real face photos. Account -> workflow -> webhook destination -> session -> capture -> decision
// -> signed webhook received and verified; the standalone face match; every SPEC error path.
import { ensureSandboxCredential } from '../../src/services/sandbox-credential.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { SessionCreated, SessionDecision, StandaloneFaceMatchResult, VerifyEmailResult, SessionWebhookLogEntry, WebhookDestinationCreated, Workflow } from '../../src/contract/index.js';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, errorBody, form, startTwin, type Twin } from '../helpers/http-twin.js';
import { startReceiver, type Receiver } from '../helpers/sandbox.js';

const pairs = hasFaces ? readPairs('lfw-funneled-dev') : [];
const samePair = pairs.find((p) => p.same);
const diffPair = pairs.find((p) => !p.same);
const photo = (path: string | undefined): Buffer => readFileSync(path!);

describe('HTTP twin: full scenario over HTTP', { skip: hasFaces ? false : noFacesReason }, () => {
  let twin: Twin;
  let receiver: Receiver;
  before(async () => {
    twin = await startTwin();
    receiver = await startReceiver();
  });
  after(async () => {
    await twin?.close();
    await receiver?.close();
  });

  test('register -> code -> verify -> workflow -> destination -> session -> capture -> Approved -> webhook verified', async () => {
    const base = twin.url;
    const email = 'integrator@example.com';
    const password = 'Sandb0x!pass';

    const reg = await call(base, 'POST', '/auth/v2/programmatic/register/', { json: { email, password } });
    assert.equal(reg.status, 201, reg.text);
    assert.equal((reg.json as { email: string }).email, email);

    // The peek hands out a secret: it needs the sandbox credential.
    const anonymous = await call(base, 'GET', `/sandbox/verification-code/?email=${encodeURIComponent(email)}`);
    assert.equal(anonymous.status, 401, anonymous.text);
    const credential = ensureSandboxCredential(twin.sandbox);
    const peek = await call(base, 'GET', `/sandbox/verification-code/?email=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${credential}` } });
    assert.equal(peek.status, 200, peek.text);
    const code = (peek.json as { code: string }).code;
    assert.match(code, /^[A-Z0-9]{6}$/);
    assert.ok(!reg.text.includes(code), 'the code is never in the public register response');

    const wrongCode = await call(base, 'POST', '/auth/v2/programmatic/verify-email/', { json: { email, code: code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA' } });
    assert.ok(wrongCode.status >= 400 && wrongCode.status < 500, `wrong code refused: ${wrongCode.status}`);

    const verified = await call(base, 'POST', '/auth/v2/programmatic/verify-email/', { json: { email, code } });
    assert.equal(verified.status, 200, verified.text);
    const creds = verified.json as VerifyEmailResult;
    assert.equal(creds.expires_in, 86400);
    const key = creds.application.api_key;
    assert.ok(key.length >= 20);

    const login = await call(base, 'POST', '/auth/v2/programmatic/login/', { json: { email, password } });
    assert.equal(login.status, 200, login.text);
    assert.ok(!login.text.includes(key), 'login never repeats the API key');

    const wf = await call(base, 'POST', '/v3/workflows/', {
      key,
      json: { workflow_label: 'Selfie vs ID', features: [{ feature: 'FACE_MATCH' }] },
    });
    assert.equal(wf.status, 201, wf.text);
    const workflow = wf.json as Workflow;
    assert.equal(workflow.version, 1);
    assert.equal(workflow.status, 'published');

    const listed = await call(base, 'GET', '/v3/workflows/', { key });
    assert.equal(listed.status, 200);
    assert.ok((listed.json as { results: Workflow[] }).results.some((w) => w.workflow_id === workflow.workflow_id));

    const patched = await call(base, 'PATCH', `/v3/workflows/${workflow.workflow_id}/`, { key, json: { workflow_label: 'Selfie vs ID v2' } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((patched.json as Workflow).version, 2);
    assert.equal((await call(base, 'GET', `/v3/workflows/${workflow.workflow_id}`, { key })).status, 200, 'path without trailing slash works too');

    const dest = await call(base, 'POST', '/v3/webhook/destinations/', {
      key,
      json: { label: 'local', url: receiver.url, subscribed_events: ['status.updated'] },
    });
    assert.equal(dest.status, 201, dest.text);
    const destination = dest.json as WebhookDestinationCreated;
    assert.match(destination.secret_shared_key, /^[A-Za-z0-9_-]{43}$/);
    const destList = await call(base, 'GET', '/v3/webhook/destinations/', { key });
    assert.equal(destList.status, 200);
    const destGet = await call(base, 'GET', `/v3/webhook/destinations/${destination.uuid}/`, { key });
    assert.equal((destGet.json as { secret_shared_key: string }).secret_shared_key, destination.secret_shared_key, 'GET returns the secret in full to the key owner');

    const callback = 'http://127.0.0.1:9/after-verification?order=42';
    const created = await call(base, 'POST', '/v3/session/', { key, json: { workflow_id: workflow.workflow_id, vendor_data: 'user-1', callback } });
    assert.equal(created.status, 201, created.text);
    const session = created.json as SessionCreated;
    assert.equal(session.status, 'Not Started');
    assert.equal(session.workflow_version, 2);
    assert.equal(session.url, `${base}/session/${session.session_token}`, 'the session url points at this server');
    const again = await call(base, 'POST', '/v3/session/', { key, json: { workflow_id: workflow.workflow_id, vendor_data: 'user-1', callback } });
    assert.equal(again.status, 201);
    assert.equal((again.json as SessionCreated).session_id, session.session_id, 'idempotent on vendor_data');

    const page = await fetch(session.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<input id="selfie" name="selfie" type="file"[^>]*capture="user"/);
    assert.match(html, /name="reference"/, 'the workflow has no document step, so the page asks for a reference photo');

    const selfie = photo(samePair?.a);
    const reference = photo(samePair?.b);
    const captured = await call(base, 'POST', `/session/${session.session_token}/capture/`, {
      body: form({ selfie, reference }),
      headers: { accept: 'application/json' },
    });
    assert.equal(captured.status, 200, captured.text);
    const result = captured.json as { status: string; session_id: string; redirect_url: string | null; face_match: { status: string; score: number } };
    assert.equal(result.status, 'Approved');
    assert.equal(result.session_id, session.session_id);
    assert.equal(
      result.redirect_url,
      `http://127.0.0.1:9/after-verification?order=42&verificationSessionId=${session.session_id}&status=Approved`,
    );

    const dec = await call(base, 'GET', `/v3/session/${session.session_id}/decision/`, { key });
    assert.equal(dec.status, 200, dec.text);
    const decision = dec.json as SessionDecision;
    assert.equal(decision.status, 'Approved');
    assert.equal(decision.face_matches?.length, 1);
    const item = decision.face_matches![0]!;
    assert.equal(item.status, 'Approved');
    assert.equal(item.score, result.face_match.score);
    assert.ok(item.source_image?.startsWith(`${base}/media/`), 'media URLs point at this server');
    const media = await fetch(item.source_image!);
    assert.equal(media.status, 200);
    assert.ok(Buffer.from(await media.arrayBuffer()).equals(selfie), 'the signed URL serves the uploaded selfie');

    const hooks = await receiver.waitFor(1, 15_000);
    const approved = (await waitForStatus(receiver, 'Approved')) ?? hooks[0]!;
    assert.equal(approved.json.session_id, session.session_id);
    const check = verifyWebhook({ rawBody: approved.rawBody, headers: approved.headers, secret: destination.secret_shared_key });
    assert.equal(check.valid, true, JSON.stringify(check));
    assert.equal(approved.headers['user-agent'], 'DiditWebhook/2.0');

    await twin.sandbox.webhooks.flush(5000);
    const attempts = await call(base, 'GET', `/v3/session/${session.session_id}/webhooks/`, { key });
    assert.equal(attempts.status, 200, attempts.text);
    // The platform's log: newest first, each with its uuid and the exact request it sent.
    const deliveries = attempts.json as SessionWebhookLogEntry[];
    assert.ok(deliveries.some((d) => d.status === 'delivered' && d.response_status === 200), attempts.text);
    assert.ok(deliveries.every((d, i) => i === 0 || d.created_at <= deliveries[i - 1]!.created_at), 'newest first');
    for (const d of deliveries) {
      const headers = JSON.parse(d.request_header) as Record<string, string>;
      assert.equal(verifyWebhook({ rawBody: d.request_body, headers, secret: destination.secret_shared_key }).valid, true, d.request_header);
    }

    const finished = await fetch(session.url);
    assert.match(await finished.text(), /complete/i, 'the page of a finished session says so');
  });
});

async function waitForStatus(receiver: Receiver, status: string, timeoutMs = 15_000): Promise<Receiver['received'][number] | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = receiver.received.find((r) => r.json.status === status);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

describe('HTTP twin: standalone POST /v3/face-match/', { skip: hasFaces ? false : noFacesReason }, () => {
  let twin: Twin;
  let key: string;
  before(async () => {
    twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    key = twin.apiKey();
  });
  after(async () => twin?.close());

  test('same person is Approved, and save_api_request makes request_id a session', async () => {
    const r = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form({ user_image: photo(samePair?.a), ref_image: photo(samePair?.b) }) });
    assert.equal(r.status, 200, r.text);
    const body = r.json as StandaloneFaceMatchResult;
    assert.equal(body.face_match.status, 'Approved');
    assert.ok(typeof body.face_match.score === 'number' && body.face_match.score > 30);
    assert.ok(body.face_match.user_image.entities.length >= 1);
    assert.ok(!Number.isNaN(Date.parse(body.created_at)));
    const dec = await call(twin.url, 'GET', `/v3/session/${body.request_id}/decision/`, { key });
    assert.equal(dec.status, 200, dec.text);
  });

  test('different people are Declined with LOW_FACE_MATCH_SIMILARITY; aliases source_image/target_image work', async () => {
    const r = await call(twin.url, 'POST', '/v3/face-match/', {
      key,
      body: form({ source_image: photo(diffPair?.a), target_image: photo(diffPair?.b) }, { face_match_score_decline_threshold: '30', rotate_image: 'false' }),
    });
    assert.equal(r.status, 200, r.text);
    const body = r.json as StandaloneFaceMatchResult;
    assert.equal(body.face_match.status, 'Declined');
    assert.ok(body.face_match.warnings.some((w) => w.risk === 'LOW_FACE_MATCH_SIMILARITY'), r.text);
  });

  test('an image without a face is still 200: Declined, FACE_MATCH_NOT_COMPUTED or NO_FACE_IN_SELFIE, score null', async () => {
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 130, b: 140 } } }).png().toBuffer();
    const r = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form({ user_image: photo(samePair?.a), ref_image: blank }) });
    assert.equal(r.status, 200, r.text);
    const body = r.json as StandaloneFaceMatchResult;
    assert.equal(body.face_match.status, 'Declined');
    assert.equal(body.face_match.score, null);
    assert.ok(body.face_match.warnings.some((w) => w.risk === 'NO_FACE_IN_SELFIE' || w.risk === 'FACE_MATCH_NOT_COMPUTED'), r.text);
  });

  test('field errors name the field: missing image, empty image, bad threshold, bad metadata, not an image', async () => {
    const selfie = photo(samePair?.a);
    const cases: Array<{ why: string; body: FormData; field: string }> = [
      { why: 'ref_image missing', body: form({ user_image: selfie }), field: 'ref_image' },
      { why: 'user_image empty', body: form({ user_image: Buffer.alloc(0), ref_image: selfie }), field: 'user_image' },
      { why: 'threshold out of range', body: form({ user_image: selfie, ref_image: selfie }, { face_match_score_decline_threshold: '150' }), field: 'face_match_score_decline_threshold' },
      { why: 'threshold not a number', body: form({ user_image: selfie, ref_image: selfie }, { face_match_score_decline_threshold: 'high' }), field: 'face_match_score_decline_threshold' },
      // Number('0x1e') is 30; the hosted parser reads plain decimals only.
      { why: 'threshold in hex', body: form({ user_image: selfie, ref_image: selfie }, { face_match_score_decline_threshold: '0x1e' }), field: 'face_match_score_decline_threshold' },
      { why: 'metadata not JSON', body: form({ user_image: selfie, ref_image: selfie }, { metadata: '{oops' }), field: 'metadata' },
      { why: 'rotate_image not a boolean', body: form({ user_image: selfie, ref_image: selfie }, { rotate_image: 'sideways' }), field: 'rotate_image' },
    ];
    for (const c of cases) {
      const r = await call(twin.url, 'POST', '/v3/face-match/', { key, body: c.body });
      assert.equal(r.status, 400, `${c.why}: ${r.text}`);
      const err = errorBody(r);
      assert.ok(Array.isArray(err[c.field]), `${c.why}: field error under ${c.field}: ${r.text}`);
    }
    // Not an image (also what a text part named user_image is): 400, and the sentence names the field.
    for (const body of [form({ user_image: Buffer.from('hello, I am not a picture'), ref_image: selfie }), form({ ref_image: selfie }, { user_image: 'not a file' })]) {
      const r = await call(twin.url, 'POST', '/v3/face-match/', { key, body });
      assert.equal(r.status, 400, r.text);
      assert.match(errorBody(r).detail, /user_image/);
    }
  });
});

describe('HTTP twin: SPEC error paths', () => {
  let twin: Twin;
  let key: string;
  let otherKey: string;
  let workflowId: string;
  let sessionId: string;
  before(async () => {
    twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    key = twin.apiKey('owner@example.com');
    otherKey = twin.apiKey('stranger@example.com');
    const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'w', features: [{ feature: 'FACE_MATCH' }] } });
    workflowId = (wf.json as Workflow).workflow_id;
    const s = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflowId } });
    sessionId = (s.json as SessionCreated).session_id;
  });
  after(async () => twin?.close());

  test('403 without x-api-key, 401 with a wrong or revoked key, on every /v3 route', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/v3/workflows/'],
      ['POST', '/v3/workflows/'],
      ['PATCH', `/v3/workflows/${workflowId}/`],
      ['POST', '/v3/session/'],
      ['GET', '/v3/session/'],
      ['GET', `/v3/session/${sessionId}/decision/`],
      ['GET', `/v3/session/${sessionId}/webhooks/`],
      ['POST', '/v3/face-match/'],
      ['POST', '/v3/webhook/destinations/'],
      ['GET', '/v3/webhook/destinations/'],
      ['POST', `/sandbox/session/${sessionId}/simulate/`],
    ];
    for (const [method, path] of routes) {
      const missing = await call(twin.url, method, path, { json: method === 'GET' ? undefined : {} });
      assert.equal(missing.status, 403, `${method} ${path} without key: ${missing.text}`);
      assert.match(errorBody(missing).detail, /x-api-key/i);
      const wrong = await call(twin.url, method, path, { key: 'fm_test_not-a-real-key-at-all', json: method === 'GET' ? undefined : {} });
      assert.equal(wrong.status, 401, `${method} ${path} wrong key: ${wrong.text}`);
      errorBody(wrong);
    }
    const doomed = twin.apiKey('doomed@example.com');
    assert.equal((await call(twin.url, 'GET', '/v3/workflows/', { key: doomed })).status, 200);
    twin.sandbox.accounts.revokeApiKey(twin.sandbox.accounts.authenticate(doomed));
    const revoked = await call(twin.url, 'GET', '/v3/workflows/', { key: doomed });
    assert.equal(revoked.status, 401, revoked.text);
  });

  test('404 for unknown ids, other applications\' sessions and unknown routes; 405 for wrong methods', async () => {
    const cases: Array<[string, string, string | undefined]> = [
      ['GET', '/v3/session/00000000-0000-4000-8000-000000000000/decision/', key],
      ['GET', `/v3/session/${sessionId}/decision/`, otherKey],
      ['GET', `/v3/session/${sessionId}/webhooks/`, otherKey],
      ['PATCH', '/v3/workflows/00000000-0000-4000-8000-000000000000/', key],
      ['POST', `/sandbox/session/${sessionId}/simulate/`, otherKey],
      ['GET', '/v3/nothing-here/', key],
      ['GET', '/session/not-a-real-token', undefined],
    ];
    for (const [method, path, k] of cases) {
      const r = await call(twin.url, method, path, { key: k, json: method === 'GET' ? undefined : path.includes('simulate') ? { outcome: 'Approved' } : { workflow_label: 'x' } });
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      if (!path.startsWith('/session/')) errorBody(r);
    }
    const put = await call(twin.url, 'PUT', '/v3/session/', { key, json: {} });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
    errorBody(put);
    const del = await call(twin.url, 'DELETE', '/v3/face-match/', { key });
    assert.equal(del.status, 405);
  });

  test('400 naming the field for wrong types and invalid values; unknown fields are ignored', async () => {
    const cases: Array<{ path: string; body: unknown; field: string }> = [
      { path: '/v3/session/', body: {}, field: 'workflow_id' },
      { path: '/v3/session/', body: { workflow_id: 12345 }, field: 'workflow_id' },
      { path: '/v3/workflows/', body: { workflow_label: 123, features: [{ feature: 'FACE_MATCH' }] }, field: 'workflow_label' },
      { path: '/v3/workflows/', body: { features: [{ feature: 'face_match' }] }, field: 'features.0.feature' },
      { path: '/v3/webhook/destinations/', body: { label: 'x', url: 'http://127.0.0.1:9/h', subscribed_events: [] }, field: 'subscribed_events' },
      { path: '/v3/webhook/destinations/', body: { label: 'x', url: 'http://127.0.0.1:9/h2', subscribed_events: ['status.update'] }, field: 'subscribed_events.0' },
      { path: `/sandbox/session/${sessionId}/simulate/`, body: { outcome: 'Maybe' }, field: 'outcome' },
    ];
    for (const c of cases) {
      const r = await call(twin.url, 'POST', c.path, { key, json: c.body });
      assert.equal(r.status, 400, `${c.path} ${JSON.stringify(c.body)}: ${r.text}`);
      const err = errorBody(r);
      assert.ok(Array.isArray(err[c.field]), `expected a field error under '${c.field}': ${r.text}`);
    }
    const extra = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflowId, surprise: { nested: [1, 2] } } });
    assert.equal(extra.status, 201, extra.text);
    const badQuery = await call(twin.url, 'GET', '/v3/session/?limit=lots', { key });
    assert.equal(badQuery.status, 400);
    assert.ok(Array.isArray(errorBody(badQuery).limit));
    const noEmail = await call(twin.url, 'GET', '/sandbox/verification-code/', { headers: { authorization: `Bearer ${ensureSandboxCredential(twin.sandbox)}` } });
    assert.equal(noEmail.status, 400);
  });

  test('sandbox simulate forces an outcome and the decision follows', async () => {
    const s = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflowId, vendor_data: 'sim' } });
    const id = (s.json as SessionCreated).session_id;
    const r = await call(twin.url, 'POST', `/sandbox/session/${id}/simulate/`, { key, json: { outcome: 'In Review' } });
    assert.equal(r.status, 200, r.text);
    const dec = await call(twin.url, 'GET', `/v3/session/${id}/decision/`, { key });
    assert.equal((dec.json as SessionDecision).status, 'In Review');
    const listed = await call(twin.url, 'GET', '/v3/session/?status=In%20Review', { key });
    assert.equal(listed.status, 200);
    assert.ok((listed.json as { results: Array<{ session_id: string }> }).results.some((x) => x.session_id === id));
  });
});

describe('HTTP twin: rate limits', () => {
  let twin: Twin;
  before(async () => {
    twin = await startTwin({ rateLimits: { get: 3, write: 2 }, sandbox: { deliverWebhooks: false } });
  });
  after(async () => twin?.close());

  test('per key and per method scope, with X-RateLimit-* headers and Retry-After on 429', async () => {
    const key = twin.apiKey();
    const other = twin.apiKey();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(twin.url, 'GET', '/v3/workflows/', { key });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-ratelimit-limit'), '3');
      seen.push(Number(r.headers.get('x-ratelimit-remaining')));
    }
    assert.deepEqual(seen, [2, 1, 0]);
    const limited = await call(twin.url, 'GET', '/v3/workflows/', { key });
    assert.equal(limited.status, 429, limited.text);
    assert.match(errorBody(limited).detail, /throttled/i);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    const reset = Number(limited.headers.get('x-ratelimit-reset'));
    assert.ok(reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 61, `X-RateLimit-Reset ${reset} is epoch seconds within the window`);
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');

    assert.equal((await call(twin.url, 'GET', '/v3/workflows/', { key: other })).status, 200, 'another key is not affected');
    assert.equal((await call(twin.url, 'POST', '/v3/workflows/', { key, json: { features: [{ feature: 'FACE_MATCH' }] } })).status, 201, 'writes have their own budget');
    assert.equal((await call(twin.url, 'POST', '/v3/workflows/', { key, json: { features: [{ feature: 'FACE_MATCH' }] } })).status, 201);
    const writeLimited = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { features: [{ feature: 'FACE_MATCH' }] } });
    assert.equal(writeLimited.status, 429);
    assert.equal(writeLimited.headers.get('x-ratelimit-limit'), '2');

    // Without a key the client IP is the identifier, as on the hosted API.
    for (let i = 0; i < 3; i++) await call(twin.url, 'GET', '/v3/workflows/');
    const anon = await call(twin.url, 'GET', '/v3/workflows/');
    assert.equal(anon.status, 429);
  });
});
