// The capture page's server side without a browser: the pre-submit photo check route (real
// engine, real photos and derived dark/blurred ones), its errors, the frame-ancestors policy
// and its env var, the page headers, and the /u/ link keeping the web SDK's URL parameters.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_FRAME_ANCESTORS, frameAncestors, FRAME_ANCESTORS_ENV, pageHeaders, parseFrameAncestors } from '../../src/http/capture/framing.js';
import type { PhotoCheck } from '../../src/services/index.js';
import type { SessionCreated, Workflow } from '../../src/contract/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, errorBody, startTwin, type Twin } from '../helpers/http-twin.js';

describe('frame-ancestors policy', () => {
  test('default: this server and loopback pages on any port, nothing else', () => {
    assert.deepEqual(frameAncestors({}), ["'self'", 'http://127.0.0.1:*', 'http://localhost:*']);
    assert.deepEqual(frameAncestors({ [FRAME_ANCESTORS_ENV]: '  ' }), DEFAULT_FRAME_ANCESTORS);
    const csp = pageHeaders()['Content-Security-Policy']!;
    assert.match(csp, /frame-ancestors 'self' http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*$/);
    assert.match(csp, /default-src 'none'; script-src 'self'; style-src 'self'/, 'the rest of the CSP stays strict');
  });

  test('the env var sets the list; sources are checked', () => {
    assert.deepEqual(parseFrameAncestors("'self' https://shop.test:8443 http://*.dev.test:*"), ["'self'", 'https://shop.test:8443', 'http://*.dev.test:*']);
    assert.deepEqual(parseFrameAncestors("'none'"), ["'none'"]);
    for (const bad of ['*', 'https:', 'data:', 'https://a.test/path', "'none' http://127.0.0.1:*", 'ftp://a.test', 'http://a.test:99999', "'unsafe-inline'"]) {
      assert.throws(() => parseFrameAncestors(bad), new RegExp(FRAME_ANCESTORS_ENV), bad);
    }
    assert.deepEqual(frameAncestors({ [FRAME_ANCESTORS_ENV]: 'https://shop.test' }), ['https://shop.test']);
    // A bad value never widens the policy: it falls back to this server only.
    assert.deepEqual(frameAncestors({ [FRAME_ANCESTORS_ENV]: '*' }), ["'self'"]);
  });
});

describe('capture routes: photo check, headers, /u/ link', { skip: hasFaces ? false : noFacesReason }, () => {
  let twin: Twin;
  let key: string;
  let workflow: Workflow;
  let good: Buffer;

  before(async () => {
    twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    key = twin.apiKey();
    const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'quality', features: [{ feature: 'FACE_MATCH' }] } });
    workflow = wf.json as Workflow;
    good = readFileSync(readPairs('lfw-funneled-dev').find((p) => p.same)!.a);
  });
  after(async () => {
    await twin?.close();
  });

  async function newSession(): Promise<SessionCreated> {
    const r = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflow.workflow_id } });
    assert.equal(r.status, 201, r.text);
    return r.json as SessionCreated;
  }

  function check(token: string, image: Buffer | null, purpose = 'selfie', headers: Record<string, string> = {}) {
    const fd = new FormData();
    fd.append('purpose', purpose);
    if (image) fd.append('image', new Blob([image]), 'photo.jpg');
    return call(twin.url, 'POST', `/session/${token}/quality/`, { body: fd, headers });
  }

  test('a good photo passes; dark, blurred and faceless ones get plain-words advice from the engine', async () => {
    const s = await newSession();
    const ok = await check(s.session_token, good);
    assert.equal(ok.status, 200, ok.text);
    const body = ok.json as PhotoCheck & { checked: true };
    assert.equal(body.checked, true);
    assert.equal(body.ok, true, ok.text);
    assert.equal(body.quality.face_found, true);
    assert.equal(body.quality.face_count, 1);
    assert.ok(body.quality.face_size_px! > 40);

    const dark = await check(s.session_token, await sharp(good).linear(0.15, 0).jpeg().toBuffer());
    const darkBody = dark.json as PhotoCheck & { checked: true };
    assert.equal(darkBody.ok, false);
    assert.ok(darkBody.quality.issues.some((i) => i.code === 'TOO_DARK'), dark.text);
    assert.match(darkBody.advice.join(' '), /selfie is too dark/);

    const blurred = (await check(s.session_token, await sharp(good).blur(4).jpeg().toBuffer())).json as PhotoCheck & { checked: true };
    assert.ok(blurred.quality.issues.some((i) => i.code === 'BLURRY'), JSON.stringify(blurred));

    const grey = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#777' } }).jpeg().toBuffer();
    const none = (await check(s.session_token, grey, 'reference')).json as PhotoCheck & { checked: true };
    assert.equal(none.quality.face_found, false);
    assert.match(none.advice[0]!, /No face was found in the reference photo/);
    assert.equal(((await call(twin.url, 'GET', `/v3/session/${s.session_id}/decision/`, { key })).json as { status: string }).status, 'Not Started', 'checking stores nothing');
  });

  test('bad requests get a clear 4xx detail', async () => {
    const s = await newSession();
    const missing = await check(s.session_token, null);
    assert.equal(missing.status, 400);
    assert.match(errorBody(missing).detail, /image is required/);
    const empty = await check(s.session_token, Buffer.alloc(0));
    assert.equal(empty.status, 400);
    const text = await check(s.session_token, Buffer.from('not a photo at all'));
    assert.equal(text.status, 400);
    assert.match(errorBody(text).detail, /JPEG, PNG, WebP or TIFF/);
    const purpose = await check(s.session_token, good, 'passport');
    assert.equal(purpose.status, 400);
    assert.match(errorBody(purpose).detail, /purpose/);
    const cross = await check(s.session_token, good, 'selfie', { origin: 'http://evil.test' });
    assert.equal(cross.status, 403);
    const unknown = await check('no-such-token', good);
    assert.equal(unknown.status, 404);
    errorBody(unknown);
    await call(twin.url, 'POST', `/sandbox/session/${s.session_id}/simulate/`, { key, json: { outcome: 'Approved' } });
    const finished = await check(s.session_token, good);
    assert.equal(finished.status, 409);
    assert.match(errorBody(finished).detail, /no longer accepts photos/);
  });

  test('pages carry the framing policy and no X-Frame-Options; /u/ keeps only the SDK parameters', async () => {
    const s = await newSession();
    const page = await fetch(s.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'self' http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*/);
    assert.equal(page.headers.get('x-frame-options'), null);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const html = await page.text();
    assert.match(html, new RegExp(`data-session-id="${s.session_id}"`));
    assert.match(html, new RegExp(`data-quality-url="/session/${s.session_token}/quality/"`));

    const link = new URL(workflow.workflow_url);
    const r = await call(twin.url, 'GET', `${link.pathname}?liveness_camera=back&liveness_camera_switch=false&document_camera=front&evil=1`);
    assert.equal(r.status, 303);
    const location = r.headers.get('location') ?? '';
    assert.match(location, /^\/session\/[^?]+\?document_camera=front&liveness_camera=back&liveness_camera_switch=false$/);
    const plain = await call(twin.url, 'GET', link.pathname);
    assert.match(plain.headers.get('location') ?? '', /^\/session\/[^?]+$/);
  });
});
