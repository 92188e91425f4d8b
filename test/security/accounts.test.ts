// Accounts under attack over the real HTTP twin: a second registration of a pending e-mail
// cannot take the account over, and password checks neither block the event loop nor tell
// which e-mails exist.
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { call, errorBody, startTwin, type Twin } from '../helpers/http-twin.js';

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

describe('rate limits and password hashing', () => {
  let twin: Twin;
  before(async () => {
    twin = await startTwin({ rateLimits: { get: 3, write: 3 }, sandbox: { deliverWebhooks: false } });
  });
  after(async () => {
    await twin.close();
  });

  test('a key padded with a non-breaking space counts against the same window', async () => {
    const key = twin.apiKey();
    for (let i = 0; i < 3; i++) assert.equal((await call(twin.url, 'GET', '/v3/workflows/', { key })).status, 200);
    assert.equal((await call(twin.url, 'GET', '/v3/workflows/', { key })).status, 429);
    const padded = await call(twin.url, 'GET', '/v3/workflows/', { key: `${key}\u00a0` });
    assert.equal(padded.status, 429, `the padded key got a fresh window: ${padded.text}`);
  });

  test('a made-up key per request does not escape the per-address limit on login', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(twin.url, 'POST', '/auth/v2/programmatic/login/', {
        headers: { 'x-api-key': `fm_test_made-up-${i}-${Math.random().toString(36).slice(2)}` },
        json: { email: 'nobody@example.com', password: 'Wr0ng!Pass' },
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
  });
});

describe('password hashing', () => {
  let twin: Twin;
  before(async () => {
    twin = await startTwin({ sandbox: { deliverWebhooks: false } });
  });
  after(async () => {
    await twin.close();
  });

  test('login hashes off the event loop, and an unknown e-mail costs as much as a wrong password', async () => {
    const email = 'known@example.com';
    twin.sandbox.accounts.provision({ email, password: 'Kn0wn!Pass' });
    // What one scrypt costs on this machine now (the event loop is blocked this long by a sync hash).
    const t0 = performance.now();
    scryptSync('x', 'salt-salt-salt-1', 32, { N: 16384, r: 8, p: 1 });
    const oneHash = performance.now() - t0;

    // Time the event loop could not run a 1 ms timer: scrypt on the request thread would block
    // it for each of the 18 logins below (about 18 hashes); off the thread only noise remains.
    let blockedMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      blockedMs += Math.max(0, now - last - 5);
      last = now;
    }, 1);
    const timed = async (address: string): Promise<number> => {
      const start = performance.now();
      const r = await call(twin.url, 'POST', '/auth/v2/programmatic/login/', { json: { email: address, password: 'Wr0ng!Pass' } });
      assert.equal(r.status, 401);
      return performance.now() - start;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 6; i++) {
      known.push(await timed(email));
      unknown.push(await timed(`nobody${i}@example.com`));
    }
    await Promise.all(Array.from({ length: 6 }, (_, i) => timed(i % 2 ? email : 'nobody@example.com')));
    clearInterval(ticker);
    assert.ok(blockedMs < oneHash * 4, `the event loop was blocked ${blockedMs.toFixed(0)} ms in all; one scrypt takes ${oneHash.toFixed(1)} ms, 18 logins hash 18 times`);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(unknown) / median(known);
    assert.ok(ratio > 0.6 && ratio < 1.6, `unknown ${median(unknown).toFixed(1)} ms vs known ${median(known).toFixed(1)} ms`);
  });
});
