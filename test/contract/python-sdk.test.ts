// The PyPI package `didit-sdk` (pinned in test/sdk/python/requirements.txt, installed into
// .venv-sdk/ by test/sdk/ensure-venv.ts) driven against a real twin on 127.0.0.1: every face-family call through the
// SDK with its documented base-URL option, then the SDK's webhook verifier fed the deliveries the
// twin really sent to a real receiver (every status the sandbox reaches, non-ASCII metadata, a
// rotated secret, a stale one, a tampered one). Prints calls right / total.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { startTwin, type Twin } from '../helpers/http-twin.js';
import { startReceiver, type Receiver } from '../helpers/sandbox.js';

const VENV_PY = join(packageRoot, '.venv-sdk', 'bin', 'python');
const SCRIPT = join(packageRoot, 'test', 'sdk', 'python', 'drive_didit_sdk.py');
const hasSdk = existsSync(VENV_PY);
const noSdkReason = `the Python SDK venv is missing at ${VENV_PY}: run node dist/test/sdk/ensure-venv.js --strict (npm test tries it first) to see why`;
// Why: CI installs the SDK; a skip there would hide the whole contract check.
if (!hasSdk && process.env.CI) throw new Error(`CI is set but ${noSdkReason}`);

interface Outcome {
  call: string;
  ok: boolean;
  why: string;
  /** Set when the SDK and the documented contract part ways and the twin keeps the contract. */
  differs?: string;
}
interface RunResult {
  outcomes: Outcome[];
  [key: string]: unknown;
}

let twin: Twin;
let receiver: Receiver;
let tmp: string;
const all: Outcome[] = [];

/** Runs the driver asynchronously: the twin answers from this same process meanwhile. */
async function runPython(mode: string, input: unknown): Promise<RunResult> {
  const file = join(tmp, `${mode}.json`);
  writeFileSync(file, JSON.stringify(input));
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(VENV_PY, [SCRIPT, mode, file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', PYTHONIOENCODING: 'utf-8' } }, (err, out, errText) => {
      if (err) reject(new Error(`python ${mode} failed: ${err.message}\n${errText.slice(-2000)}`));
      else resolve(out);
    });
  });
  const out = JSON.parse(stdout) as RunResult;
  all.push(...out.outcomes);
  return out;
}

function failures(out: RunResult): string {
  return out.outcomes
    .filter((o) => !o.ok)
    .map((o) => `${o.call}: ${o.why}`)
    .join('\n');
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fm-pysdk-'));
  twin = await startTwin();
  receiver = await startReceiver();
});

after(async () => {
  await receiver?.close();
  await twin?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  const right = all.filter((o) => o.ok).length;
  process.stdout.write(`# didit-sdk (PyPI) calls right: ${right}/${all.length}\n`);
  const reasons = new Map<string, string[]>();
  for (const o of all.filter((x) => x.differs)) reasons.set(o.differs!, [...(reasons.get(o.differs!) ?? []), o.call]);
  for (const [why, calls] of reasons) process.stdout.write(`#   differs (${calls.length} calls, e.g. ${calls[0]}): ${why}\n`);
  for (const o of all.filter((x) => !x.ok)) process.stdout.write(`#   FAILED ${o.call}: ${o.why}\n`);
});

const skip = !hasSdk ? noSdkReason : !hasFaces ? noFacesReason : false;

test('didit-sdk drives every face-family call against the twin and verifies its real deliveries', { skip }, async () => {
  const pairs = readPairs('lfw-funneled-dev');
  const same = pairs.find((p) => p.same)!;
  const other = pairs.find((p) => !p.same && p.a !== same.a && p.b !== same.b)!;
  const images = { user: same.a, ref: same.b, other: other.b };
  const apiKey = twin.apiKey();
  const base = { base_url: `${twin.url}/v3`, api_key: apiKey, images, receiver_url: receiver.url };

  const first = await runPython('calls', base);
  assert.equal(failures(first), '', 'SDK calls before capture');
  const sessionId = String(first.session_id);
  const secret = String(first.webhook_secret);

  // The user's capture, as the hosted page uploads it: the twin decides and delivers.
  const app = twin.sandbox.accounts.authenticate(apiKey);
  const { session_token: token } = twin.sandbox.sessions.decision(app, sessionId) as unknown as { session_token?: string };
  await twin.sandbox.sessions.submitImages(token ? { sessionToken: token } : { app, sessionId }, { selfie: readFileSync(images.user) });

  const wf = (twin.sandbox.sessions.decision(app, sessionId) as unknown as { workflow_id: string }).workflow_id;
  const second = await runPython('after-capture', { ...base, session_id: sessionId, workflow_id: wf });
  assert.equal(failures(second), '', 'SDK calls after capture');

  // More deliveries: every outcome the sandbox can reach, with non-ASCII metadata.
  for (const outcome of ['Approved', 'In Review', 'Declined', 'Abandoned', 'Expired', 'NO_REFERENCE_IMAGE'] as const) {
    const s = twin.sandbox.sessions.create(app, { workflow_id: wf, vendor_data: `sdk-${outcome}`, metadata: { ville: 'Zürich — 東京', emoji: '\u{1F600}' } });
    twin.sandbox.sessions.simulate(app, s.session_id, outcome);
  }
  await twin.sandbox.webhooks.flush(15_000);
  const before = receiver.received.length;
  assert.ok(before >= 8, `expected at least 8 deliveries, got ${before}`);

  // A secret change as a receiver lives it: the old destination is switched off and a new one
  // (new secret) takes over, so later deliveries are signed with the new secret while earlier
  // ones, still retried or replayed, carry the old one. The verifier gets [new, old].
  const auth = { 'x-api-key': apiKey, 'content-type': 'application/json' };
  const off = await fetch(`${twin.url}/v3/webhook/destinations/${String(first.destination_id)}/`, { method: 'PATCH', headers: auth, body: JSON.stringify({ enabled: false }) });
  assert.equal(off.status, 200, await off.text());
  const created = await fetch(`${twin.url}/v3/webhook/destinations/`, { method: 'POST', headers: auth, body: JSON.stringify({ label: 'new secret', url: `${receiver.url}next`, subscribed_events: ['status.updated'] }) });
  assert.equal(created.status, 201);
  const newSecret = ((await created.json()) as { secret_shared_key: string }).secret_shared_key;
  assert.notEqual(newSecret, secret, 'the new destination has its own secret');
  const s = twin.sandbox.sessions.create(app, { workflow_id: wf, vendor_data: 'after-rotation' });
  twin.sandbox.sessions.simulate(app, s.session_id, 'Approved');
  await twin.sandbox.webhooks.flush(15_000);
  assert.ok(receiver.received.length > before, 'a delivery signed with the new secret');

  const cases: unknown[] = [];
  let nonAscii = 0;
  const statuses = new Set<string>();
  for (const [i, r] of receiver.received.entries()) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k] = v;
    const event = String(r.json.webhook_type);
    statuses.add(String(r.json.status));
    if (/[^\x00-\x7f]/.test(r.rawBody.toString('utf8')) || /\\u[0-9a-f]{4}/i.test(r.rawBody.toString('utf8'))) nonAscii++;
    const body_b64 = r.rawBody.toString('base64');
    const signedWith = i < before ? secret : newSecret;
    const name = `${i}-${event}-${String(r.json.status)}`;
    cases.push({ name, body_b64, headers, secrets: [signedWith], event, expect_valid: true });
    cases.push({ name: `${name}/rotation [new, old]`, body_b64, headers, secrets: [newSecret, secret], event, expect_valid: true });
    if (i === 0) {
      const tampered = Buffer.from(r.rawBody.toString('utf8').replace(/"vendor_data":"[^"]*"/, '"vendor_data":"someone-else"'), 'utf8');
      assert.notDeepEqual(tampered, r.rawBody);
      cases.push({ name: `${name}/tampered`, body_b64: tampered.toString('base64'), headers, secrets: [signedWith], event, expect_valid: false });
      cases.push({ name: `${name}/wrong secret`, body_b64, headers, secrets: ['not-the-secret'], event, expect_valid: false });
    }
  }
  assert.ok(nonAscii >= 1, 'some deliveries carry non-ASCII text');
  process.stdout.write(`# ${receiver.received.length} real deliveries, statuses: ${[...statuses].sort().join(', ')}\n`);
  for (const st of ['Approved', 'Declined', 'In Review', 'Abandoned', 'Expired']) assert.ok(statuses.has(st), `a delivery with status ${st}`);

  // A stale delivery: a real one signed 10 minutes ago by the twin's own signer path.
  const stale = await staleDelivery();
  const staleCase = { body_b64: stale.rawBody.toString('base64'), headers: stale.headers, secrets: [stale.secret], event: 'status.updated' };
  cases.push({ name: 'stale (10 min old)', ...staleCase, expect_valid: false });
  // Control: the same delivery with the age check off is accepted, so the refusal above is for age.
  cases.push({ name: 'stale, age check off', ...staleCase, ignore_age: true, expect_valid: true });

  const verified = await runPython('verify', cases);
  assert.equal(failures(verified), '', 'SDK webhook verification');
  assert.ok(verified.outcomes.length >= 20, `only ${verified.outcomes.length} verify cases`);
});

/** A real delivery from a second twin whose clock is 10 minutes behind. */
async function staleDelivery(): Promise<{ rawBody: Buffer; headers: Record<string, string>; secret: string }> {
  const past = Date.now() - 10 * 60_000;
  const old = await startTwin({ sandbox: { now: () => past } });
  const rec = await startReceiver();
  try {
    const key = old.apiKey();
    const app = old.sandbox.accounts.authenticate(key);
    const wf = old.sandbox.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    const dest = old.sandbox.webhooks.createDestination(app, { url: rec.url, subscribed_events: ['status.updated'] });
    const s = old.sandbox.sessions.create(app, { workflow_id: wf });
    old.sandbox.sessions.simulate(app, s.session_id, 'Approved');
    await old.sandbox.webhooks.flush(15_000);
    const r = rec.received[0];
    assert.ok(r, 'the stale twin delivered');
    assert.ok(Math.abs(Number(r.json.timestamp) * 1000 - past) < 60_000, 'its timestamp is 10 minutes old');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k] = v;
    return { rawBody: r.rawBody, headers, secret: dest.secret_shared_key };
  } finally {
    await rec.close();
    await old.close();
  }
}
