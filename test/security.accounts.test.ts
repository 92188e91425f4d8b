// Accounts under attack over the real HTTP twin: a second registration of a pending e-mail
// cannot take the account over, and password checks neither block the event loop nor tell
// which e-mails exist.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, errorBody, startTwin, type Twin } from './helpers/http-twin.js';

const REGISTER = '/auth/v2/programmatic/register/';

describe('registration take-over', () => {
  let twin: Twin;
  before(async () => {
    twin = await startTwin();
  });
  after(async () => {
    await twin.close();
  });

  test('registering a pending e-mail again with another password changes neither the password nor the code', async () => {
    const email = 'victim@example.com';
    const owner = 'Own3r!Pass';
    assert.equal((await call(twin.url, 'POST', REGISTER, { json: { email, password: owner } })).status, 201);
    const code = twin.sandbox.accounts.peekVerificationCode(email).code;

    // The attacker, with no credential, registers the same address with its own password.
    const attack = await call(twin.url, 'POST', REGISTER, { json: { email, password: 'Att4ck!Pass' } });
    assert.equal(attack.status, 409, attack.text);
    assert.match(errorBody(attack).detail, /pending/);
    assert.equal(twin.sandbox.accounts.peekVerificationCode(email).code, code, 'the code the owner received still works');

    // The owner verifies with the code it received and gets the key.
    const verified = await call(twin.url, 'POST', '/auth/v2/programmatic/verify-email/', { json: { email, code } });
    assert.equal(verified.status, 200, verified.text);
    const { organization, application } = verified.json as { organization: { uuid: string }; application: { api_key: string } };
    assert.ok(application.api_key);

    // The attacker's password does not log in, so it cannot read the key back.
    const stolen = await call(twin.url, 'POST', '/auth/v2/programmatic/login/', { json: { email, password: 'Att4ck!Pass' } });
    assert.equal(stolen.status, 401, stolen.text);
    const login = await call(twin.url, 'POST', '/auth/v2/programmatic/login/', { json: { email, password: owner } });
    assert.equal(login.status, 200, login.text);
    const token = (login.json as { access_token: string }).access_token;
    const apps = await call(twin.url, 'GET', `/auth/v2/organizations/me/${organization.uuid}/applications/`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((apps.json as Array<{ api_key: string }>)[0]!.api_key, application.api_key);
  });

  test('a blind re-register every 250 ms never replaces the pending password', async () => {
    const email = 'race@example.com';
    const owner = 'Own3r!Pass';
    assert.equal((await call(twin.url, 'POST', REGISTER, { json: { email, password: owner } })).status, 201);
    const code = twin.sandbox.accounts.peekVerificationCode(email).code;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await call(twin.url, 'POST', REGISTER, { json: { email, password: `Att4ck!Pass${i}` } })).status);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual([...new Set(statuses)], [409]);
    assert.equal((await call(twin.url, 'POST', '/auth/v2/programmatic/verify-email/', { json: { email, code } })).status, 200);
    for (let i = 0; i < 8; i++) {
      assert.equal((await call(twin.url, 'POST', '/auth/v2/programmatic/login/', { json: { email, password: `Att4ck!Pass${i}` } })).status, 401);
    }
    assert.equal((await call(twin.url, 'POST', '/auth/v2/programmatic/login/', { json: { email, password: owner } })).status, 200);
  });

  test('the same person registering again (same password) gets 201 and the same code', async () => {
    const email = 'retry@example.com';
    const password = 'Retr7!Pass';
    assert.equal((await call(twin.url, 'POST', REGISTER, { json: { email, password } })).status, 201);
    const first = twin.sandbox.accounts.peekVerificationCode(email);
    const again = await call(twin.url, 'POST', REGISTER, { json: { email: 'RETRY@example.com', password } });
    assert.equal(again.status, 201, again.text);
    assert.deepEqual(twin.sandbox.accounts.peekVerificationCode(email), first);
  });
});
