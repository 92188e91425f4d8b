// The python-sdk snippet (`webhook snippet --lang python-sdk`: verification and client calls
// through the PyPI didit-sdk, pinned in test/sdk/python/requirements.txt and installed into
// .venv-sdk/) run for real against a `serve` process: its client creates the sessions, the twin
// delivers every status it sends to a real receiver with non-ASCII metadata, and its verify
// accepts every delivery (raw and re-encoded), a rotated secret as [new, old], and refuses a
// stale, a tampered, a wrong-secret and an old-secret-only delivery.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { canonicalizeBody } from '../../src/webhooks/index.js';
import { startTwin } from '../helpers/http-twin.js';
import { startReceiver, type Received } from '../helpers/sandbox.js';
import { childEnv, cliPath, startServe, tempDir } from '../helpers/mcp-harness.js';

const VENV_PY = join(packageRoot, '.venv-sdk', 'bin', 'python');
const hasSdk = existsSync(VENV_PY);
const noSdkReason = `the Python SDK venv is missing at ${VENV_PY}: run node dist/test/sdk/ensure-venv.js --strict (npm test tries it first) to see why`;
// Why: CI installs the SDK; a skip there would hide the snippet's only run.
if (!hasSdk && process.env.CI) throw new Error(`CI is set but ${noSdkReason}`);

/** The snippet's three uses an app makes of it: the client, a decision, and verify on raw bytes. */
const RUNNER = `import base64, json, sys
from didit_webhook import WebhookVerificationError, didit_client, session_decision, verify

mode, path = sys.argv[1], sys.argv[2]
data = json.load(open(path, encoding="utf-8"))
if mode == "create":
    client = didit_client()
    out = []
    for s in data["sessions"]:
        made = client.sessions.create(vendor_data=s["vendor_data"], workflow_id=data["workflow_id"], metadata=s["metadata"])
        out.append({"session_id": str(made.session_id), "url": made.url})
elif mode == "decision":
    out = session_decision(didit_client(), data["session_id"])
else:
    out = []
    for c in data:
        kwargs = {"max_age_seconds": c["max_age"]} if "max_age" in c else {}
        try:
            event = verify(base64.b64decode(c["body_b64"]), c["headers"], c["secrets"], **kwargs)
            assert isinstance(event, dict) and event["session_id"], event
            out.append({"name": c["name"], "valid": True, "event_id": event["event_id"], "reason": None})
        except WebhookVerificationError as err:
            out.append({"name": c["name"], "valid": False, "event_id": None, "reason": str(err)})
sys.stdout.write(json.dumps(out))
`;

interface VerifyCase {
  name: string;
  body_b64: string;
  headers: Record<string, string>;
  secrets: string[];
  max_age?: number;
  expect: boolean;
}

/** Polls until `done` holds (the receiver answers from this process meanwhile). */
async function until(done: () => boolean, what: string, ms = 30_000): Promise<void> {
  for (let waited = 0; !done(); waited += 100) {
    assert.ok(waited < ms, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function headersOf(r: Received): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') h[k] = v;
  return h;
}

/** A real delivery from a twin whose clock is 10 minutes behind. */
async function staleDelivery(): Promise<{ rawBody: Buffer; headers: Record<string, string>; secret: string }> {
  const past = Date.now() - 10 * 60_000;
  const old = await startTwin({ sandbox: { now: () => past } });
  const rec = await startReceiver();
  try {
    const app = old.sandbox.accounts.authenticate(old.apiKey());
    const wf = old.sandbox.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    const dest = old.sandbox.webhooks.createDestination(app, { url: rec.url, subscribed_events: ['status.updated'] });
    old.sandbox.sessions.create(app, { workflow_id: wf });
    await old.sandbox.webhooks.flush(15_000);
    const r = rec.received[0];
    assert.ok(r, 'the stale twin delivered');
    assert.ok(Math.abs(Number(r.json.timestamp) * 1000 - past) < 60_000, 'its timestamp is 10 minutes old');
    return { rawBody: r.rawBody, headers: headersOf(r), secret: dest.secret_shared_key };
  } finally {
    await rec.close();
    await old.close();
  }
}

test('python-sdk snippet: its client against serve, its verify on every real delivery, rotation, stale, tampered', { skip: hasSdk ? false : noSdkReason, timeout: 300_000 }, async (t) => {
  const tmp = tempDir('fm-pysdk-snippet-');
  const db = join(tmp.dir, 'sandbox.db');
  const receiver = await startReceiver();
  const serve = await startServe({ FACEMATCH_DB: db, FACEMATCH_LOG: 'silent' });
  try {
    const prov = spawnSync(process.execPath, [cliPath, 'provision', '--email', 'dev@example.com', '--db', db], { encoding: 'utf8', env: childEnv({ FACEMATCH_LOG: 'silent' }) });
    assert.equal(prov.status, 0, prov.stderr);
    const apiKey = (JSON.parse(prov.stdout) as { api_key: string }).api_key;
    const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${serve.url}${path}`, { method, headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const workflowId = String((await call('POST', '/v3/workflows/', { workflow_label: 'KYC', features: [{ feature: 'FACE_MATCH' }] })).uuid);
    const first = await call('POST', '/v3/webhook/destinations/', { label: 'app', url: receiver.url, subscribed_events: ['status.updated', 'data.updated'] });
    const oldSecret = String(first.secret_shared_key);

    // The snippet, saved where the CLI says, beside the app's code.
    const got = spawnSync(process.execPath, [cliPath, 'webhook', 'snippet', '--lang', 'python-sdk'], { encoding: 'utf8' });
    assert.equal(got.status, 0, got.stderr);
    const file = /save it as (\S+?),/.exec(got.stderr)?.[1];
    assert.equal(file, 'didit_webhook.py');
    assert.match(got.stderr, /pip install "didit-sdk==0\.4\.0"/);
    assert.doesNotMatch(got.stdout, /facematch_mcp|facematch-mcp\//, 'the app does not import this package');
    writeFileSync(join(tmp.dir, file!), got.stdout);
    writeFileSync(join(tmp.dir, 'run.py'), RUNNER);

    const env = { PATH: process.env.PATH ?? '', PYTHONIOENCODING: 'utf-8', FACEMATCH_API_BASE: serve.url, FACEMATCH_API_KEY: apiKey };
    // Asynchronous: the receiver in this process answers the deliveries meanwhile.
    const python = async (mode: string, input: unknown): Promise<unknown> => {
      const path = join(tmp.dir, `${mode}-${Date.now()}.json`);
      writeFileSync(path, JSON.stringify(input));
      const out = await new Promise<string>((resolve, reject) => {
        execFile(VENV_PY, ['run.py', mode, path], { cwd: tmp.dir, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`python ${mode}: ${err.message}\n${stderr.slice(-2000)}`));
          else resolve(stdout);
        });
      });
      return JSON.parse(out) as unknown;
    };

    // The SDK's client creates one session per outcome; the twin then drives each there.
    const outcomes = ['Approved', 'In Review', 'Declined', 'NO_REFERENCE_IMAGE', 'Abandoned', 'Expired'] as const;
    const metadata = { ville: 'Zürich — 東京', emoji: '\u{1F600}', big: '12345678901234567891' };
    const made = (await python('create', { workflow_id: workflowId, sessions: outcomes.map((o) => ({ vendor_data: `sdk-${o}`, metadata })) })) as Array<{ session_id: string; url: string }>;
    assert.equal(made.length, outcomes.length);
    for (const [i, o] of outcomes.entries()) {
      assert.match(made[i]!.url, new RegExp(`^${serve.url.replace(/[.]/g, '\\.')}/`), 'the session url is the twin\'s');
      await call('POST', `/sandbox/session/${made[i]!.session_id}/simulate/`, { outcome: o });
    }
    await until(() => receiver.received.length >= outcomes.length * 2, `${outcomes.length * 2} deliveries (got ${receiver.received.length})`);
    const decision = (await python('decision', { session_id: made[0]!.session_id })) as { status: string; session_id: string };
    assert.equal(decision.session_id, made[0]!.session_id);
    assert.equal(decision.status, 'Approved', 'session_decision reads the decision through the SDK');

    // A secret change as a receiver lives it: the old destination is switched off and a new one
    // takes over; deliveries signed before carry the old secret, later ones the new.
    await call('PATCH', `/v3/webhook/destinations/${String(first.uuid)}/`, { enabled: false });
    const second = await call('POST', '/v3/webhook/destinations/', { label: 'new secret', url: `${receiver.url}/next`, subscribed_events: ['status.updated'] });
    const newSecret = String(second.secret_shared_key);
    assert.notEqual(newSecret, oldSecret);
    const later = (await python('create', { workflow_id: workflowId, sessions: [{ vendor_data: 'after-rotation', metadata }] })) as Array<{ session_id: string }>;
    await call('POST', `/sandbox/session/${later[0]!.session_id}/simulate/`, { outcome: 'Approved' });
    await until(() => receiver.received.filter((r) => r.path.endsWith('/next')).length >= 2, 'two deliveries to the new destination');

    const cases: VerifyCase[] = [];
    const statuses = new Set<string>();
    const events = new Set<string>();
    for (const [i, r] of receiver.received.entries()) {
      const headers = headersOf(r);
      // Which destination it went to decides which secret signed it.
      const rotated = r.path.endsWith('/next');
      const signedWith = rotated ? newSecret : oldSecret;
      const name = `${i}-${String(r.json.webhook_type)}-${String(r.json.status)}${rotated ? '-new-secret' : ''}`;
      statuses.add(String(r.json.status));
      events.add(String(r.json.webhook_type));
      const b64 = r.rawBody.toString('base64');
      cases.push({ name, body_b64: b64, headers, secrets: [signedWith], expect: true });
      cases.push({ name: `${name}/[new, old]`, body_b64: b64, headers, secrets: [newSecret, oldSecret], expect: true });
      // A middleware re-encoded the body with raw UTF-8: only X-Signature-V2 can hold.
      const reencoded = Buffer.from(canonicalizeBody(r.rawBody.toString('utf8')).v2, 'utf8');
      assert.notDeepEqual(reencoded, r.rawBody, 'the non-ASCII metadata is escaped on the wire, so re-encoding changes the bytes');
      cases.push({ name: `${name}/re-encoded`, body_b64: reencoded.toString('base64'), headers, secrets: [signedWith], expect: true });
      if (rotated) cases.push({ name: `${name}/old secret only`, body_b64: b64, headers, secrets: [oldSecret], expect: false });
      if (i === 0) {
        const tampered = Buffer.from(r.rawBody.toString('utf8').replace(/"vendor_data":"[^"]*"/, '"vendor_data":"someone-else"'), 'utf8');
        assert.notDeepEqual(tampered, r.rawBody);
        cases.push({ name: `${name}/tampered`, body_b64: tampered.toString('base64'), headers, secrets: [signedWith], expect: false });
        cases.push({ name: `${name}/wrong secret`, body_b64: b64, headers, secrets: ['not-the-secret'], expect: false });
      }
    }
    for (const st of ['Not Started', 'Approved', 'In Review', 'Declined', 'Abandoned', 'Expired']) assert.ok(statuses.has(st), `a delivery with status ${st}`);
    assert.deepEqual([...events], ['status.updated'], 'the event types the twin sends');
    const stale = await staleDelivery();
    const staleCase = { body_b64: stale.rawBody.toString('base64'), headers: stale.headers, secrets: [stale.secret] };
    cases.push({ name: 'stale (signed 10 min ago)', ...staleCase, expect: false });
    // Control: the same delivery with a 1-hour window passes, so the refusal above is for its age.
    cases.push({ name: 'stale, 1 h window', ...staleCase, max_age: 3600, expect: true });

    const results = (await python('verify', cases.map(({ expect: _e, ...c }) => c))) as Array<{ name: string; valid: boolean; event_id: string | null; reason: string | null }>;
    assert.equal(results.length, cases.length);
    const wrong = results.filter((r, i) => r.valid !== cases[i]!.expect).map((r) => `${r.name}: valid=${r.valid} ${r.reason ?? ''}`);
    assert.deepEqual(wrong, [], 'every case as expected');
    for (const [i, r] of results.entries()) {
      if (r.valid) assert.equal(r.event_id, receiver.received[Number(cases[i]!.name.split('-')[0])]?.json.event_id ?? r.event_id);
      else assert.match(r.reason ?? '', /not a valid, fresh delivery/);
    }
    t.diagnostic(`${receiver.received.length} real deliveries from serve (${[...statuses].join(', ')}), ${cases.length} cases, all as expected`);
  } finally {
    await serve.stop();
    await receiver.close();
    tmp.cleanup();
  }
});
