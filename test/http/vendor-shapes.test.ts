// What the vendor's own demos and agent scripts send, answered as the platform does: the v2
// session paths, deep-link callbacks (myapp://callback), and the refusal of flat workflow flags.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { callbackUrl } from '../../src/http/routes/capture.js';
import { call, errorBody, form, startTwin, type Twin } from '../helpers/http-twin.js';

let twin: Twin;
let key: string;
let wf: string;
before(async () => {
  twin = await startTwin();
  key = twin.apiKey();
  const r = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'v2', features: [{ feature: 'FACE_MATCH' }] } });
  wf = (r.json as { uuid: string }).uuid;
});
after(async () => twin?.close());

test('POST /v2/session/ and GET /v2/session/{id}/decision/ answer as their v3 paths', async () => {
  const created = await call(twin.url, 'POST', '/v2/session/', { key, json: { workflow_id: wf, vendor_data: 'v2-user', callback: 'myapp://callback' } });
  assert.equal(created.status, 201, created.text);
  const id = (created.json as { session_id: string }).session_id;
  const v2 = await call(twin.url, 'GET', `/v2/session/${id}/decision/`, { key });
  const v3 = await call(twin.url, 'GET', `/v3/session/${id}/decision/`, { key });
  assert.equal(v2.status, 200);
  assert.deepEqual(Object.keys(v2.json as object).sort(), Object.keys(v3.json as object).sort());
  assert.equal((v2.json as { callback: string }).callback, 'myapp://callback');
  assert.equal((v2.json as { session_id: string }).session_id, id);
  assert.equal((await call(twin.url, 'GET', `/v2/session/${id}/decision/`)).status, 403, 'v2 needs the key too');
});

test('deep-link callbacks are taken; script and file schemes are refused', async () => {
  for (const cb of ['myapp://callback', 'com.example.app://verified?x=1', 'exp+myapp://expo-development-client/']) {
    const r = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: wf, callback: cb } });
    assert.equal(r.status, 201, `${cb}: ${r.text}`);
  }
  for (const cb of ['javascript:alert(1)', 'data:text/html,hi', 'file:///etc/passwd', 'mailto:a@example.com', 'not a url']) {
    const r = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: wf, callback: cb } });
    assert.equal(r.status, 400, `${cb}: ${r.text}`);
    assert.match(errorBody(r).detail, /deep link/);
  }
  assert.equal(callbackUrl('myapp://callback?a=1', 'S', 'Approved'), 'myapp://callback?a=1&verificationSessionId=S&status=Approved');
  assert.equal(callbackUrl('javascript:alert(1)//', 'S', 'Approved'), null);
});

test('workflow create with workflow_type and flat is_*_enabled flags stays a 400 naming the key', async () => {
  const r = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'flat', workflow_type: 'kyc', is_liveness_enabled: true, is_face_match_enabled: true } });
  assert.equal(r.status, 400, r.text);
  assert.match(r.text, /workflow_type|is_liveness_enabled/);
});

test('tiny images get the documented outcome: 200 Declined with no face, not a refusal', async () => {
  for (const side of [1, 8]) {
    const tiny = await sharp({ create: { width: side, height: side, channels: 3, background: '#c89678' } }).jpeg().toBuffer();
    const fm = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form({ user_image: tiny, ref_image: tiny }) });
    assert.equal(fm.status, 200, fm.text);
    const body = (fm.json as { face_match: { status: string; score: number | null } }).face_match;
    assert.equal(body.status, 'Declined');
    assert.equal(body.score, null);
    const lv = await call(twin.url, 'POST', '/v3/passive-liveness/', { key, body: form({ user_image: tiny }) });
    assert.equal(lv.status, 200, lv.text);
    const live = (lv.json as { liveness: { status: string; warnings: Array<{ risk: string }> } }).liveness;
    assert.equal(live.status, 'Declined');
    assert.deepEqual(live.warnings.map((w) => w.risk), ['NO_FACE_DETECTED']);
  }
});
