// GET/PATCH /v3/webhook/: the application-level configuration as the platform's pages describe
// it: a legacy URL that follows the oldest enabled destination on every destination write, an
// application secret that rotate_secret_key replaces (destination secrets untouched), partial
// updates, unknown fields refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, errorBody, startTwin, type Twin } from '../helpers/http-twin.js';

let twin: Twin;
let key: string;
before(async () => {
  twin = await startTwin();
  key = twin.apiKey();
});
after(async () => twin?.close());

interface Config {
  webhook_url: string | null;
  webhook_version: string;
  secret_shared_key: string;
  face_retention_days: number | null;
  biometric_consent_mode: string | null;
  destinations: Array<{ uuid: string; url: string; secret_shared_key: string }>;
}

test('GET /v3/webhook/ and its partial PATCH with secret rotation', async () => {
  const first = await call(twin.url, 'GET', '/v3/webhook/', { key });
  assert.equal(first.status, 200, first.text);
  const c0 = first.json as Config;
  assert.equal(c0.webhook_url, null);
  assert.equal(c0.webhook_version, 'v3');
  assert.match(c0.secret_shared_key, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(c0.destinations, []);
  assert.equal(((await call(twin.url, "GET", "/v3/webhook/", { key })).json as Config).secret_shared_key, c0.secret_shared_key, "stable until rotated");

  // Destination writes: webhook_url follows the oldest enabled destination.
  const a = (await call(twin.url, 'POST', '/v3/webhook/destinations/', { key, json: { url: 'https://a.example/hook', subscribed_events: ['status.updated'] } })).json as { uuid: string; secret_shared_key: string };
  await call(twin.url, 'POST', '/v3/webhook/destinations/', { key, json: { url: 'https://b.example/hook', subscribed_events: ['status.updated'] } });
  assert.equal(((await call(twin.url, 'GET', '/v3/webhook/', { key })).json as Config).webhook_url, 'https://a.example/hook');
  await call(twin.url, 'PATCH', `/v3/webhook/destinations/${a.uuid}/`, { key, json: { enabled: false } });
  assert.equal(((await call(twin.url, 'GET', '/v3/webhook/', { key })).json as Config).webhook_url, 'https://b.example/hook');

  // PATCH: partial, the answer is the whole configuration; rotation changes only the app secret.
  const rotated = await call(twin.url, 'PATCH', '/v3/webhook/', { key, json: { rotate_secret_key: true, face_retention_days: 365, biometric_consent_mode: 'auto' } });
  assert.equal(rotated.status, 200, rotated.text);
  const c1 = rotated.json as Config;
  assert.notEqual(c1.secret_shared_key, c0.secret_shared_key);
  assert.equal(c1.face_retention_days, 365);
  assert.equal(c1.biometric_consent_mode, 'auto');
  assert.equal(c1.webhook_url, 'https://b.example/hook');
  assert.equal(c1.destinations.find((d) => d.uuid === a.uuid)?.secret_shared_key, a.secret_shared_key, 'destination secrets untouched');
  const url = await call(twin.url, 'PATCH', '/v3/webhook/', { key, json: { webhook_url: 'https://legacy.example/hook', webhook_version: 'v2' } });
  assert.equal((url.json as Config).webhook_url, 'https://legacy.example/hook');
  assert.equal((url.json as Config).secret_shared_key, c1.secret_shared_key);

  // Refusals: unknown keys, bad values; other applications do not see this one's settings.
  for (const bad of [{ workflow_type: 'kyc' }, { webhook_url: 'ftp://x' }, { webhook_url: 'https://user:pw@x.example/hook' }, { webhook_url: 'http://169.254.169.254/latest' }, { webhook_version: 'v9' }, { rotate_secret_key: 'yes' }]) {
    const r = await call(twin.url, 'PATCH', '/v3/webhook/', { key, json: bad });
    assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
    errorBody(r);
  }
  const other = (await call(twin.url, 'GET', '/v3/webhook/', { key: twin.apiKey() })).json as Config;
  assert.notEqual(other.secret_shared_key, c1.secret_shared_key);
  assert.equal(other.webhook_url, null);
  assert.equal((await call(twin.url, 'GET', '/v3/webhook/')).status, 403);
});
