// Data at rest: the database folder is 0700 and the database, WAL,
// SHM and credential files 0600 whatever the umask; secrets that are only checked are not in
// the file in plain text; the media-signing secret cannot mint links that never expire; and an
// API key can be revoked through the API, the CLI and MCP.
import assert from 'node:assert/strict';
import { createDecipheriv, createHmac } from 'node:crypto';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import { openSandbox } from '../../src/services/index.js';
import { ensureSandboxCredential } from '../../src/services/sandbox-credential.js';
import { call, startTwin } from '../helpers/http-twin.js';
import { childEnv, cliPath, connectStdio, fails, ok, tempDir } from '../helpers/mcp-harness.js';

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('data at rest', () => {
  test('folder 0700, database, WAL, SHM and credential 0600, even with umask 000', async () => {
    const t = tempDir('fm-rest-');
    const old = process.umask(0o000);
    try {
      const dbPath = join(t.dir, 'a', 'b', 'sandbox.db');
      const sb = openSandbox({ dbPath, deliverWebhooks: false });
      try {
        sb.accounts.provision({ email: 'perm@example.com' });
        ensureSandboxCredential(sb);
        assert.equal(mode(join(t.dir, 'a')).toString(8), '700');
        assert.equal(mode(join(t.dir, 'a', 'b')).toString(8), '700');
        const files = readdirSync(join(t.dir, 'a', 'b'));
        for (const f of ['sandbox.db', 'sandbox.db-wal', 'sandbox.db-shm', 'sandbox.db-credential']) {
          assert.ok(files.includes(f), `${f} exists (${files.join(', ')})`);
          assert.equal(mode(join(t.dir, 'a', 'b', f)).toString(8), '600', f);
        }
      } finally {
        await sb.close();
      }
      // An existing dedicated folder with a loose mode is tightened; an existing db file too.
      const own = join(t.dir, '.facematch-mcp');
      mkdirSync(own, { mode: 0o755 });
      chmodSync(own, 0o755);
      const again = openSandbox({ dbPath: join(own, 'sandbox.db'), deliverWebhooks: false });
      await again.close();
      assert.equal(mode(own).toString(8), '700');
      chmodSync(join(own, 'sandbox.db'), 0o644);
      const third = openSandbox({ dbPath: join(own, 'sandbox.db'), deliverWebhooks: false });
      await third.close();
      assert.equal(mode(join(own, 'sandbox.db')).toString(8), '600');
    } finally {
      process.umask(old);
      t.cleanup();
    }
  });

  test('secrets that are only checked are not stored in plain text', async () => {
    const t = tempDir('fm-rest-');
    try {
      const dbPath = join(t.dir, 'sandbox.db');
      const sb = openSandbox({ dbPath, deliverWebhooks: false });
      const password = 'Pl41n!Text-Pass';
      const key = sb.accounts.provision({ email: 'hash@example.com', password }).api_key;
      const credential = ensureSandboxCredential(sb);
      const token = (await sb.accounts.login({ email: 'hash@example.com', password })).access_token;
      sb.db.pragma('wal_checkpoint(TRUNCATE)');
      await sb.close();
      const bytes = Buffer.concat(['', '-wal'].filter((s) => existsSync(dbPath + s)).map((s) => readFileSync(dbPath + s))).toString('latin1');
      assert.ok(bytes.includes('hash@example.com'), 'the check reads the real data');
      for (const [name, secret] of Object.entries({ key, credential, token, password })) {
        assert.equal(bytes.includes(secret), false, `${name} is not in the database in plain text`);
      }
    } finally {
      t.cleanup();
    }
  });

  test('a copy of the database file alone yields no API key', async () => {
    const t = tempDir('fm-rest-');
    try {
      const dbPath = join(t.dir, 'sandbox.db');
      const email = 'copy@example.com';
      const password = 'C0py!Pass-word';
      const sb = openSandbox({ dbPath, deliverWebhooks: false });
      const key = sb.accounts.provision({ email, password }).api_key;
      const owner = await sb.accounts.login({ email, password });
      assert.equal(sb.accounts.applications(owner.access_token, owner.organization.uuid)[0]!.api_key, key, 'the owner reads the live key back');
      sb.db.pragma('wal_checkpoint(TRUNCATE)');
      await sb.close();

      // Someone copies the database file and nothing else.
      const stolen = join(t.dir, 'stolen', 'sandbox.db');
      mkdirSync(join(t.dir, 'stolen'));
      copyFileSync(dbPath, stolen);
      const raw = new Database(stolen, { readonly: true });
      const sealed = (raw.prepare('SELECT key_sealed FROM api_keys WHERE key_sealed IS NOT NULL').all() as Array<{ key_sealed: string }>).map((r) => r.key_sealed);
      const values = (raw.prepare('SELECT value FROM meta').all() as Array<{ value: unknown }>).map((r) => String(r.value));
      raw.close();
      assert.ok(sealed.length > 0, 'the check reads the real sealed keys');
      // Every value the database keeps, tried as the AES-256-GCM key: none opens a sealed key.
      for (const value of values) {
        for (const encoding of ['base64url', 'hex', 'base64'] as const) {
          const candidate = Buffer.from(value, encoding);
          if (candidate.length !== 32) continue;
          for (const box of sealed) {
            const [iv, tag, enc] = box.split('.');
            const opened = (() => {
              try {
                const d = createDecipheriv('aes-256-gcm', candidate, Buffer.from(iv!, 'base64url'));
                d.setAuthTag(Buffer.from(tag!, 'base64url'));
                return Buffer.concat([d.update(Buffer.from(enc!, 'base64url')), d.final()]).toString('utf8');
              } catch {
                return null;
              }
            })();
            assert.equal(opened, null, 'a value stored in the database opens a sealed API key');
          }
        }
      }
      // Opened as a sandbox, the copy's look-up has no key to give.
      const copy = openSandbox({ dbPath: stolen, deliverWebhooks: false });
      try {
        const thief = await copy.accounts.login({ email, password });
        assert.equal(copy.accounts.applications(thief.access_token, thief.organization.uuid)[0]!.api_key, null);
      } finally {
        await copy.close();
      }
    } finally {
      t.cleanup();
    }
  });

  test('a database that kept its sealing key inside moves it to the file beside it', async () => {
    const t = tempDir('fm-rest-');
    try {
      const dbPath = join(t.dir, 'sandbox.db');
      const sealFile = `${dbPath}-seal-key`;
      const email = 'legacy@example.com';
      const password = 'L3gacy!Pass';
      const sb = openSandbox({ dbPath, deliverWebhooks: false });
      const key = sb.accounts.provision({ email, password }).api_key;
      await sb.close();
      // The earlier layout: the sealing key in the meta table, no file.
      assert.ok(existsSync(sealFile), 'the sealing key is kept in a file beside the database');
      const secret = readFileSync(sealFile, 'utf8').trim();
      rmSync(sealFile);
      const raw = new Database(dbPath);
      raw.prepare("INSERT INTO meta (key, value) VALUES ('key_seal_secret', ?)").run(secret);
      raw.close();

      const again = openSandbox({ dbPath, deliverWebhooks: false });
      try {
        const left = again.db.prepare("SELECT COUNT(*) AS n FROM meta WHERE key = 'key_seal_secret'").get() as { n: number };
        assert.equal(left.n, 0, 'the sealing key left the database');
        assert.equal(readFileSync(sealFile, 'utf8').trim(), secret);
        assert.equal(mode(sealFile).toString(8), '600');
        const owner = await again.accounts.login({ email, password });
        assert.equal(again.accounts.applications(owner.access_token, owner.organization.uuid)[0]!.api_key, key, 'keys sealed before still open');
      } finally {
        await again.close();
      }
    } finally {
      t.cleanup();
    }
  });

  test('the media-signing secret cannot mint a link that never expires', async () => {
    const twin = await startTwin();
    try {
      const sb = twin.sandbox;
      const secret = (sb.db.prepare("SELECT value FROM meta WHERE key = 'media_secret'").get() as { value: string }).value;
      const mediaId = 'any-id';
      const forge = (expires: number) => `/media/${mediaId}?expires=${expires}&signature=${createHmac('sha256', secret).update(`${mediaId}.${expires}`).digest('hex')}`;
      const forever = Math.floor(Date.now() / 1000) + 10 * 365 * 86400;
      assert.throws(
        () => sb.media.open(mediaId, { expires: String(forever), signature: forge(forever).split('signature=')[1] }),
        (e) => e instanceof FacematchError && e.code === 'FORBIDDEN' && /longer than the 60-minute maximum/.test(e.message),
      );
      const viaHttp = await call(twin.url, 'GET', forge(forever));
      assert.equal(viaHttp.status, 403, viaHttp.text);
      // A link within the lifetime passes the signature and age checks (then: unknown id).
      const soon = Math.floor(Date.now() / 1000) + 600;
      assert.equal((await call(twin.url, 'GET', forge(soon))).status, 404);
      const past = Math.floor(Date.now() / 1000) - 5;
      assert.equal((await call(twin.url, 'GET', forge(past))).status, 410);
    } finally {
      await twin.close();
    }
  });
});

describe('API key revocation', () => {
  test('through the API: POST /sandbox/api-keys/revoke/', async () => {
    const twin = await startTwin();
    try {
      const key = twin.apiKey('revoke-http@example.com');
      const other = twin.apiKey('other-app@example.com');
      const second = twin.sandbox.accounts.provision({ email: 'revoke-http@example.com' }, { localCli: true }).api_key;
      assert.equal((await call(twin.url, 'GET', '/v3/workflows/', { key })).status, 200);
      // Another application's key cannot be revoked with this one.
      const cross = await call(twin.url, 'POST', '/sandbox/api-keys/revoke/', { key, json: { api_key: other } });
      assert.equal(cross.status, 404, cross.text);
      assert.equal((await call(twin.url, 'GET', '/v3/workflows/', { key: other })).status, 200);
      // A named key of the same application, then the caller's own key.
      const named = await call(twin.url, 'POST', '/sandbox/api-keys/revoke/', { key, json: { api_key: second } });
      assert.equal(named.status, 200, named.text);
      assert.equal((await call(twin.url, 'GET', '/v3/workflows/', { key: second })).status, 401);
      const own = await call(twin.url, 'POST', '/sandbox/api-keys/revoke/', { key, json: {} });
      assert.equal(own.status, 200, own.text);
      assert.equal((own.json as { newly_revoked: boolean }).newly_revoked, true);
      const after = await call(twin.url, 'GET', '/v3/workflows/', { key });
      assert.equal(after.status, 401);
      assert.match(after.text, /revoked/);
    } finally {
      await twin.close();
    }
  });

  test('through the CLI: facematch-mcp keys revoke', async () => {
    const t = tempDir('fm-keys-');
    try {
      const db = join(t.dir, 'sandbox.db');
      const sb = openSandbox({ dbPath: db, deliverWebhooks: false });
      const key = sb.accounts.provision({ email: 'cli@example.com' }).api_key;
      await sb.close();
      const r = spawnSync(process.execPath, [cliPath, 'keys', 'revoke', '-', '--db', db], { input: `${key}\n`, env: childEnv({}), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { newly_revoked: boolean }).newly_revoked, true);
      assert.doesNotMatch(r.stdout + r.stderr, new RegExp(key.slice(12)), 'the key is not echoed');
      const unknown = spawnSync(process.execPath, [cliPath, 'keys', 'revoke', 'fm_test_nope', '--db', db], { env: childEnv({}), encoding: 'utf8' });
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /No such API key/);
      const check = openSandbox({ dbPath: db, deliverWebhooks: false });
      try {
        assert.throws(() => check.accounts.authenticate(key), (e) => e instanceof FacematchError && e.code === 'UNAUTHORIZED');
      } finally {
        await check.close();
      }
    } finally {
      t.cleanup();
    }
  });

  test('through MCP: revoke_api_key', async () => {
    const t = tempDir('fm-keys-');
    const conn = await connectStdio({ env: { FACEMATCH_DB: join(t.dir, 'db.sqlite'), FACEMATCH_LOG: 'silent' }, cwd: t.dir });
    try {
      const { api_key } = await ok<{ api_key: string }>(conn.client, 'provision_account', { email: 'mcp-revoke@example.com' });
      const r = await ok<{ newly_revoked: boolean; prefix: string }>(conn.client, 'revoke_api_key', { api_key });
      assert.equal(r.newly_revoked, true);
      assert.ok(api_key.startsWith(r.prefix));
      assert.match(await fails(conn.client, 'revoke_api_key', { api_key: 'fm_test_not-a-key' }), /No such API key/);
      const sb = openSandbox({ dbPath: join(t.dir, 'db.sqlite'), deliverWebhooks: false });
      try {
        assert.throws(() => sb.accounts.authenticate(api_key), (e) => e instanceof FacematchError && /revoked/.test(e.message));
      } finally {
        await sb.close();
      }
    } finally {
      await conn.close();
      t.cleanup();
    }
  });
});
