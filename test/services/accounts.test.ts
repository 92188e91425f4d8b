// Accounts: registration rules, the e-mailed code, verification, login, API keys (random,
// stored hashed, revocable) and provisioning.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import type { Sandbox } from '../../src/services/index.js';
import { tempDb, testSandbox } from '../helpers/sandbox.js';

function code(err: unknown): string {
  assert.ok(err instanceof FacematchError, `expected a FacematchError, got ${String(err)}`);
  return err.code;
}

describe('accounts', () => {
  const tmp = tempDb();
  let now = Date.UTC(2030, 0, 1);
  let sb: Sandbox;
  before(() => {
    sb = testSandbox(tmp.db, { now: () => now, deliverWebhooks: false });
  });
  after(async () => {
    await sb.close();
    tmp.cleanup();
  });

  it('rejects weak passwords and bad e-mails, naming the field', async () => {
    for (const [input, field] of [
      [{ email: 'a@example.com', password: 'short1!' }, 'password'],
      [{ email: 'a@example.com', password: 'alllowercase1!' }, 'password'],
      [{ email: 'a@example.com', password: 'NoDigitsHere!' }, 'password'],
      [{ email: 'a@example.com', password: 'NoSpecial123' }, 'password'],
      [{ email: 'not-an-email', password: 'Str0ng!Pass' }, 'email'],
      [{ password: 'Str0ng!Pass' }, 'email'],
    ] as const) {
      try {
        await sb.accounts.register(input);
        assert.fail('register accepted bad input');
      } catch (err) {
        assert.equal(code(err), 'VALIDATION');
        assert.ok((err as FacematchError).fields?.[field], `fields name ${field}: ${JSON.stringify((err as FacematchError).fields)}`);
      }
    }
    await assert.rejects(() => sb.accounts.register('nope'), (e) => code(e) === 'VALIDATION');
  });

  it('register -> code -> verify gives tokens and an API key that authenticates', async () => {
    const res = await sb.accounts.register({ email: 'Dev@Example.com', password: 'Str0ng!Pass' });
    assert.equal(res.email, 'dev@example.com');
    assert.ok(!JSON.stringify(res).match(/[A-Z2-9]{6}"/), 'register does not return the code');
    const peek = sb.accounts.peekVerificationCode('dev@example.com');
    assert.match(peek.code, /^[A-Z2-9]{6}$/);
    assert.equal(Date.parse(peek.expires_at) - now, 10 * 60_000);

    assert.throws(
      () => sb.accounts.verifyEmail({ email: 'dev@example.com', code: peek.code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA' }),
      (e) => code(e) === 'VALIDATION' && Boolean((e as FacematchError).fields?.code),
    );
    const v = sb.accounts.verifyEmail({ email: 'dev@example.com', code: peek.code });
    assert.equal(v.expires_in, 86400);
    assert.ok(v.access_token.length >= 32 && v.refresh_token.length >= 32 && v.access_token !== v.refresh_token);
    assert.match(v.application.api_key, /^fm_test_[A-Za-z0-9_-]{43}$/);
    assert.ok(v.organization.uuid && v.application.uuid && v.application.client_id);

    const app = sb.accounts.authenticate(v.application.api_key);
    assert.equal(app.applicationId, v.application.uuid);
    assert.equal(app.organizationId, v.organization.uuid);

    // verified: the code is gone and verifying again is a conflict
    assert.throws(() => sb.accounts.verifyEmail({ email: 'dev@example.com', code: peek.code }), (e) => code(e) === 'CONFLICT');
    await assert.rejects(() => sb.accounts.register({ email: 'dev@example.com', password: 'Str0ng!Pass' }), (e) => code(e) === 'CONFLICT');

    // the raw key is nowhere in the database file, only its hash
    sb.db.pragma('wal_checkpoint(TRUNCATE)');
    assert.equal(readFileSync(tmp.db).includes(Buffer.from(v.application.api_key)), false);
  });

  it('codes expire after 10 minutes', async () => {
    await sb.accounts.register({ email: 'late@example.com', password: 'Str0ng!Pass' });
    const { code: c } = sb.accounts.peekVerificationCode('late@example.com');
    now += 10 * 60_000 + 1;
    assert.throws(() => sb.accounts.verifyEmail({ email: 'late@example.com', code: c }), (e) => code(e) === 'VALIDATION');
    assert.throws(() => sb.accounts.peekVerificationCode('late@example.com'), (e) => code(e) === 'GONE');
    // registering again issues a fresh code
    await sb.accounts.register({ email: 'late@example.com', password: 'Str0ng!Pass' });
    const fresh = sb.accounts.peekVerificationCode('late@example.com');
    assert.ok(sb.accounts.verifyEmail({ email: 'late@example.com', code: fresh.code }).application.api_key);
  });

  it('login checks the password and never returns the API key', async () => {
    const ok = await sb.accounts.login({ email: 'dev@example.com', password: 'Str0ng!Pass' });
    assert.ok(ok.access_token);
    assert.equal('api_key' in ok.application, false);
    await assert.rejects(() => sb.accounts.login({ email: 'dev@example.com', password: 'Wr0ng!Pass' }), (e) => code(e) === 'UNAUTHORIZED');
    await assert.rejects(() => sb.accounts.login({ email: 'nobody@example.com', password: 'Wr0ng!Pass' }), (e) => code(e) === 'UNAUTHORIZED');
    await sb.accounts.register({ email: 'unverified@example.com', password: 'Str0ng!Pass' });
    await assert.rejects(() => sb.accounts.login({ email: 'unverified@example.com', password: 'Str0ng!Pass' }), (e) => code(e) === 'FORBIDDEN');
  });

  it('authenticate: missing key 403, wrong or revoked key 401', () => {
    assert.throws(() => sb.accounts.authenticate(undefined), (e) => code(e) === 'FORBIDDEN');
    assert.throws(() => sb.accounts.authenticate('  '), (e) => code(e) === 'FORBIDDEN');
    assert.throws(() => sb.accounts.authenticate('fm_test_not-a-real-key'), (e) => code(e) === 'UNAUTHORIZED');
    const p = sb.accounts.provision({ email: 'revoke@example.com' });
    const app = sb.accounts.authenticate(p.api_key);
    sb.accounts.revokeApiKey(app);
    assert.throws(() => sb.accounts.authenticate(p.api_key), (e) => code(e) === 'UNAUTHORIZED' && /revoked/.test((e as Error).message));
  });

  it('provision creates a verified account once and a new key each time; defaultApplication follows it', () => {
    const a = sb.accounts.provision({ email: 'ci@example.com' });
    // An existing account: no key without proof; the local CLI path may.
    assert.throws(() => sb.accounts.provision({ email: 'CI@example.com' }), (e) => code(e) === 'CONFLICT');
    const b = sb.accounts.provision({ email: 'CI@example.com' }, { localCli: true });
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(a.application_id, b.application_id);
    assert.notEqual(a.api_key, b.api_key);
    assert.equal(sb.accounts.authenticate(a.api_key).applicationId, a.application_id);
    assert.equal(sb.accounts.authenticate(b.api_key).applicationId, a.application_id);
    assert.equal(sb.accounts.defaultApplication()?.applicationId, a.application_id);
    assert.throws(() => sb.accounts.provision({ email: 'bad' }), (e) => code(e) === 'VALIDATION');
  });
});
