// The engine's full queue: an error `{ code: 'ENGINE_BUSY',
// retryAfterSeconds }` from the engine becomes HTTP 429 with Retry-After and {"detail": ...}.
// The engine here is a stand-in that is always full (the real bounded queue is the engine
// helper's); the route, server and error mapping are the real ones.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FaceEngine } from '../../src/engine/index.js';
import { errorReply } from '../../src/http/errors.js';
import type { FaceMatcher } from '../../src/services/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, startTwin } from '../helpers/http-twin.js';

const busy = (): Error => Object.assign(new Error('The face engine queue is full'), { code: 'ENGINE_BUSY', retryAfterSeconds: 2.4 });

test('ENGINE_BUSY maps to 429 with Retry-After (plain object check)', () => {
  const r = errorReply(busy(), 'test');
  assert.equal(r.status, 429);
  assert.equal(r.headers?.['Retry-After'], '3');
  assert.match((r.json as { detail: string }).detail, /queue is full.*Retry in 3 s/);
  const plain = errorReply({ code: 'ENGINE_BUSY' }, 'test');
  assert.equal(plain.status, 429);
  assert.equal(plain.headers?.['Retry-After'], '1');
  assert.equal(errorReply({ code: 'OTHER' }, 'test').status, 500);
});

test('POST /v3/face-match/ answers 429 + Retry-After when the engine queue is full', { skip: hasFaces ? false : noFacesReason }, async () => {
  const full: FaceMatcher = { match: async () => Promise.reject(busy()), matchDetailed: async () => Promise.reject(busy()), matchEmbedded: async () => Promise.reject(busy()), single: async () => Promise.reject(busy()) };
  const twin = await startTwin({ sandbox: { engine: full } });
  try {
    const key = twin.apiKey();
    const pair = readPairs('lfw-funneled-dev')[0]!;
    const form = new FormData();
    form.set('user_image', new Blob([readFileSync(pair.a)], { type: 'image/jpeg' }), 'a.jpg');
    form.set('ref_image', new Blob([readFileSync(pair.b)], { type: 'image/jpeg' }), 'b.jpg');
    const r = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form });
    assert.equal(r.status, 429, r.text);
    assert.equal(r.headers.get('retry-after'), '3');
    assert.match((r.json as { detail: string }).detail, /Retry in 3 s/);
  } finally {
    await twin.close();
  }
});

test('the capture page photo check goes through the engine queue: 429 + Retry-After when it is full', { skip: hasFaces ? false : noFacesReason }, async () => {
  // The real engine with a small bound: one worker, at most 2 checks waiting.
  const engine = new FaceEngine({ parallel: true, workers: 1, maxQueue: 2 });
  const twin = await startTwin({ sandbox: { engine, deliverWebhooks: false } });
  try {
    const key = twin.apiKey();
    const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'queue', features: [{ feature: 'FACE_MATCH' }] } });
    const s = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: (wf.json as { workflow_id: string }).workflow_id } });
    const token = (s.json as { session_token: string }).session_token;
    const photo = readFileSync(readPairs('lfw-funneled-dev')[0]!.a);
    const check = () => {
      const fd = new FormData();
      fd.append('image', new Blob([photo]), 'photo.jpg');
      return call(twin.url, 'POST', `/session/${token}/quality/`, { body: fd });
    };
    const answers = await Promise.all(Array.from({ length: 24 }, check));
    const statuses = answers.map((r) => r.status);
    assert.ok(statuses.every((st) => st === 200 || st === 429), statuses.join(','));
    const refused = answers.filter((r) => r.status === 429);
    assert.ok(refused.length > 0, `no 429 among 24 parallel checks with a queue of 2: ${statuses.join(',')}`);
    assert.ok(Number(refused[0]!.headers.get('retry-after')) >= 1);
    assert.match((refused[0]!.json as { detail: string }).detail, /busy|queue/i);
    assert.ok(statuses.includes(200), 'checks within the bound still run');
  } finally {
    await twin.close();
    await engine.close();
  }
});
