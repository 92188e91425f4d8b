// Routes of the hosted platform outside the face family answer 501 with a sentence naming the
// route, never a bare 404; face-family paths (and unknown paths) are not swept up by it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HOSTED_ONLY_AREAS } from '../../src/http/hosted-only.js';
import { call, errorBody, startTwin, type Twin } from '../helpers/http-twin.js';

let twin: Twin;
let key: string;
before(async () => {
  twin = await startTwin();
  key = twin.apiKey();
});
after(async () => twin?.close());

test('every hosted-only area answers 501 {"detail"} naming the route, under /v3 and the console root', async () => {
  const paths = [
    ['POST', '/v3/aml/'],
    ['POST', '/v3/kyb/search/'],
    ['GET', '/v3/transactions/'],
    ['POST', '/v3/travel-rule/transfers/'],
    ['GET', '/v3/questionnaires/'],
    ['GET', '/v3/billing/balance/'],
    ['POST', '/v3/database-validation/'],
    ['POST', '/v3/email/send/'],
    ['POST', '/v3/email/risk/'],
    ['POST', '/v3/phone/check/'],
    ['POST', '/v3/ip/risk/'],
    ['POST', '/v3/poa/'],
    ['POST', '/v3/id-verification/'],
    ['GET', '/v3/users/'],
    ['GET', '/v3/blocklist/'],
    ['GET', '/v3/organization/o1/application/a1/blocklist/'],
    ['POST', '/v3/allowlist/add/'],
    ['GET', '/v3/session/imports/template/'],
    ['GET', '/v3/organization/o1/application/a1/vendor-users/'],
    ['POST', '/v3/organization/o1/application/a1/apis/aml/'],
    ['GET', '/v3/organization/o1/top-up/'],
  ] as const;
  for (const [method, path] of paths) {
    const r = await call(twin.url, method, path, { key, json: method === 'POST' ? {} : undefined });
    assert.equal(r.status, 501, `${method} ${path}: ${r.text}`);
    assert.ok(errorBody(r).detail.startsWith(`${path} is part of Didit's hosted platform, not of the face-match twin; `), r.text);
  }
  assert.ok(HOSTED_ONLY_AREAS.length >= 20);
});

test('face-family paths and unknown paths are not answered 501', async () => {
  for (const path of [
    '/v3/face-search/',
    '/v3/lists/',
    '/v3/blocklist/add/',
    '/v3/blocklist/remove/',
    '/v3/nothing-here/',
    '/v3/organization/o1/application/a1/apis/face-search/',
    '/v3/organization/o1/application/a1/lists/',
    '/v3/organization/o1/application/a1/blocklist/add/',
    '/v3/organization/o1/application/a1/blocklist/remove/',
  ]) {
    const r = await call(twin.url, 'POST', path, { key, json: {} });
    assert.notEqual(r.status, 501, `${path}: ${r.text}`);
  }
  const sessions = await call(twin.url, 'GET', '/v3/sessions/', { key });
  assert.equal(sessions.status, 200);
});
