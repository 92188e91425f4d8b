// /v3 routes accept a signed-in user's Bearer access token (from /auth/v2 verify-email or login)
// with the organization header the vendor's MCP server sends, beside x-api-key; missing
// credentials are 403, wrong or expired ones 401, another organization 403.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, errorBody, startTwin, type Twin } from '../helpers/http-twin.js';

let twin: Twin;
before(async () => {
  twin = await startTwin();
});
after(async () => twin?.close());

interface Signed {
  access_token: string;
  organization: { uuid: string };
  application: { uuid: string; api_key: string };
}

async function signUp(email: string): Promise<Signed> {
  const password = 'Str0ng!Pass';
  assert.equal((await call(twin.url, 'POST', '/auth/v2/programmatic/register/', { json: { email, password } })).status, 201);
  const { code } = twin.sandbox.accounts.peekVerificationCode(email);
  const v = await call(twin.url, 'POST', '/auth/v2/programmatic/verify-email/', { json: { email, code } });
  assert.equal(v.status, 200, v.text);
  return v.json as Signed;
}

test('a Bearer access token with X-Didit-Organization-Id works on /v3 like the application key', async () => {
  const a = await signUp('bearer-a@example.com');
  const bearer = { authorization: `Bearer ${a.access_token}`, 'x-didit-organization-id': a.organization.uuid };
  const wf = await call(twin.url, 'POST', '/v3/workflows/', { headers: bearer, json: { workflow_label: 'bearer', features: [{ feature: 'FACE_MATCH' }] } });
  assert.equal(wf.status, 201, wf.text);
  const wfId = (wf.json as { uuid: string }).uuid;
  const s = await call(twin.url, 'POST', '/v3/session/', { headers: bearer, json: { workflow_id: wfId, vendor_data: 'u1' } });
  assert.equal(s.status, 201, s.text);
  const sid = (s.json as { session_id: string }).session_id;
  // The same data seen through the application's key: one application behind both.
  const viaKey = await call(twin.url, 'GET', `/v3/session/${sid}/decision/`, { key: a.application.api_key });
  assert.equal(viaKey.status, 200, viaKey.text);
  const list = await call(twin.url, 'GET', '/v3/sessions/', { headers: bearer });
  assert.equal((list.json as { count: number }).count, 1);
  // Without the organization header the user's own organization is meant.
  const noOrg = await call(twin.url, 'GET', `/v3/session/${sid}/decision/`, { headers: { authorization: `Bearer ${a.access_token}` } });
  assert.equal(noOrg.status, 200, noOrg.text);
  // A token from login works too.
  const login = await call(twin.url, 'POST', '/auth/v2/programmatic/login/', { json: { email: 'bearer-a@example.com', password: 'Str0ng!Pass' } });
  const token = (login.json as { access_token: string }).access_token;
  assert.equal((await call(twin.url, 'GET', `/v3/workflows/${wfId}/`, { headers: { authorization: `Bearer ${token}`, 'x-didit-organization-id': a.organization.uuid } })).status, 200);
});

test('wrong or missing credentials: 403 none, 401 wrong or unknown token, 403 another organization', async () => {
  const b = await signUp('bearer-b@example.com');
  const c = await signUp('bearer-c@example.com');
  const none = await call(twin.url, 'GET', '/v3/sessions/');
  assert.equal(none.status, 403);
  assert.match(errorBody(none).detail, /x-api-key.*Bearer/);
  const wrong = await call(twin.url, 'GET', '/v3/sessions/', { headers: { authorization: 'Bearer not-a-token' } });
  assert.equal(wrong.status, 401);
  assert.match(errorBody(wrong).detail, /invalid or expired/);
  const otherOrg = await call(twin.url, 'GET', '/v3/sessions/', { headers: { authorization: `Bearer ${b.access_token}`, 'x-didit-organization-id': c.organization.uuid } });
  assert.equal(otherOrg.status, 403, otherOrg.text);
  assert.match(errorBody(otherOrg).detail, /permission/);
  // A wrong key next to a good token is still a wrong key: the key decides when present.
  const both = await call(twin.url, 'GET', '/v3/sessions/', { key: 'wrong', headers: { authorization: `Bearer ${b.access_token}` } });
  assert.equal(both.status, 401);
  // B's token never sees C's sessions.
  const wf = await call(twin.url, 'POST', '/v3/workflows/', { key: c.application.api_key, json: { workflow_label: 'c', features: [{ feature: 'FACE_MATCH' }] } });
  const s = await call(twin.url, 'POST', '/v3/session/', { key: c.application.api_key, json: { workflow_id: (wf.json as { uuid: string }).uuid } });
  const peek = await call(twin.url, 'GET', `/v3/session/${(s.json as { session_id: string }).session_id}/decision/`, { headers: { authorization: `Bearer ${b.access_token}` } });
  assert.equal(peek.status, 404);
});
