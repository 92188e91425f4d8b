// The vendor's own MCP server (npm @didit-protocol/mcp-server@4.0.0, a dev dependency) driven
// against the HTTP twin exactly as an agent would: a real `serve`-equivalent server on
// 127.0.0.1, a fresh database, the vendor server spawned with its own environment variables,
// the MCP SDK client over stdio, every face-match-related tool called, and a webhook receiver
// that checks the signatures of every delivery it gets. The output counts calls right vs total.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { startTwin, type Twin } from '../helpers/http-twin.js';
import { startReceiver, type Receiver } from '../helpers/sandbox.js';

const require = createRequire(import.meta.url);
const VENDOR_BIN = require.resolve('@didit-protocol/mcp-server/dist/index.js');

type Json = Record<string, unknown>;
interface Outcome {
  tool: string;
  ok: boolean;
  why?: string;
}

const outcomes: Outcome[] = [];
let twin: Twin;
let receiver: Receiver;
const clients: Client[] = [];

async function vendorClient(env: Record<string, string>): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [VENDOR_BIN],
    env: { PATH: process.env.PATH ?? '', DIDIT_API_BASE_URL: `${twin.url}/v3`, DIDIT_AUTH_BASE_URL: `${twin.url}/auth/v2`, ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'facematch-contract-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/**
 * Calls a vendor tool and checks its answer. `expectError` marks calls the platform refuses
 * (the twin must refuse them too, with the same status). Every call is counted.
 */
async function call(client: Client, tool: string, args: Json, check: (body: Json & { raw?: string }) => void, expectError?: RegExp): Promise<Json> {
  let body: Json = {};
  try {
    const res = (await client.callTool({ name: tool, arguments: args })) as { content: Array<{ type: string; text: string }>; isError?: boolean };
    const text = res.content[0]?.text ?? '';
    if (expectError) {
      assert.equal(res.isError, true, `${tool} should have been refused: ${text.slice(0, 300)}`);
      assert.match(text, expectError);
    } else {
      assert.notEqual(res.isError, true, `${tool} failed: ${text.slice(0, 500)}`);
      body = JSON.parse(text) as Json;
      check(body);
    }
    outcomes.push({ tool, ok: true });
  } catch (err) {
    outcomes.push({ tool, ok: false, why: err instanceof Error ? err.message.slice(0, 400) : String(err) });
  }
  return body;
}

before(async () => {
  twin = await startTwin();
  receiver = await startReceiver();
});

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await receiver?.close();
  await twin?.close();
  const right = outcomes.filter((o) => o.ok).length;
  process.stdout.write(`# vendor MCP tool calls right: ${right}/${outcomes.length}\n`);
  for (const o of outcomes.filter((x) => !x.ok)) process.stdout.write(`#   FAILED ${o.tool}: ${o.why}\n`);
});

test('the vendor MCP server runs unchanged against the twin', { skip: hasFaces ? false : noFacesReason, timeout: 240_000 }, async () => {
  const pair = readPairs('lfw-funneled-dev').find((p) => p.same)!;
  const email = `vendor-${Date.now()}@example.com`;
  const password = 'Str0ng!Passw0rd';

  // ---- accounts: no API key yet, as for a brand-new user
  const anon = await vendorClient({});
  await call(anon, 'didit_register', { email, password }, (b) => assert.equal(b.email, email));
  const first = twin.sandbox.accounts.peekVerificationCode(email).code;
  await call(anon, 'didit_resend_otp', { email }, (b) => assert.equal(b.email, email));
  // The sandbox's "mailbox": the code the hosted platform would have e-mailed.
  const code = twin.sandbox.accounts.peekVerificationCode(email).code;
  assert.notEqual(code, first, 'resend-otp issues a new code');
  const verified = await call(anon, 'didit_verify_email', { email, code }, (b) => {
    for (const k of ['access_token', 'refresh_token', 'expires_in', 'organization', 'application']) assert.ok(k in b, k);
    assert.match(String((b.application as Json).api_key), /\S{20,}/);
  });
  const apiKey = String((verified.application as Json).api_key);
  const orgId = String((verified.organization as Json).uuid);
  const appId = String((verified.application as Json).uuid);
  const login = await call(anon, 'didit_login', { email, password }, (b) => assert.ok(b.access_token));
  const token = String(login.access_token);
  await call(anon, 'didit_list_organizations', { access_token: token }, (b) => {
    assert.ok(Array.isArray(b));
    assert.equal((b as unknown as Json[])[0]!.uuid, orgId);
  });
  await call(anon, 'didit_list_applications', { access_token: token, organization_id: orgId }, (b) => {
    assert.ok(Array.isArray(b));
    assert.equal((b as unknown as Json[])[0]!.uuid, appId);
  });
  await call(anon, 'didit_get_application', { access_token: token, organization_id: orgId, application_id: appId }, (b) => {
    assert.equal(b.client_id, (verified.application as Json).client_id);
    assert.equal(b.api_key, apiKey, 'the credential look-up returns the live key');
  });

  // ---- everything else with the key, as the user would now configure the server
  const mcp = await vendorClient({ DIDIT_API_KEY: apiKey });

  await call(mcp, 'didit_create_workflow', { workflow_label: 'Old style', workflow_type: 'kyc', is_face_match_enabled: true, features: [{ feature: 'FACE_MATCH' }] }, () => undefined, /400/);
  const wf = await call(mcp, 'didit_create_workflow', { workflow_label: 'Selfie + ID', features: [{ feature: 'LIVENESS' }, { feature: 'FACE_MATCH' }] }, (b) => {
    assert.deepEqual(b.features, ['LIVENESS', 'FACE_MATCH']);
    assert.ok(b.uuid);
  });
  const workflowId = String(wf.uuid);
  await call(mcp, 'didit_list_workflows', {}, (b) => {
    for (const k of ['count', 'next', 'previous', 'results']) assert.ok(k in b, k);
    assert.ok((b.results as Json[]).some((w) => w.uuid === workflowId));
  });
  await call(mcp, 'didit_get_workflow', { workflow_id: workflowId }, (b) => assert.equal(b.workflow_label, 'Selfie + ID'));
  await call(mcp, 'didit_update_workflow', { workflow_id: workflowId, workflow_label: 'Selfie + ID v2' }, (b) => {
    assert.equal(b.version, 2);
    assert.equal(b.workflow_label, 'Selfie + ID v2');
  });

  const dest = await call(mcp, 'didit_create_webhook_destination', { label: 'test receiver', url: receiver.url, subscribed_events: ['status.updated'], webhook_version: 'v3' }, (b) => {
    assert.match(String(b.secret_shared_key), /^[A-Za-z0-9_-]{43}$/);
  });
  const secret = String(dest.secret_shared_key);
  const destId = String(dest.uuid);
  await call(mcp, 'didit_list_webhook_destinations', {}, (b) => assert.ok((b as unknown as Json[]).some((d) => d.uuid === destId)));
  await call(mcp, 'didit_get_webhook_destination', { destination_uuid: destId }, (b) => {
    assert.equal(b.secret_shared_key, secret, 'GET returns the secret in full');
    assert.equal(b.secret_last4, secret.slice(-4));
    for (const k of ['previous_secret_expires_at', 'health_status']) assert.ok(k in b, k);
  });
  await call(mcp, 'didit_update_webhook_destination', { destination_uuid: destId, label: 'renamed' }, (b) => assert.equal(b.label, 'renamed'));

  const portrait = readFileSync(pair.b).toString('base64');
  const session = await call(mcp, 'didit_create_session', { workflow_id: workflowId, vendor_data: 'user-42', portrait_image: portrait }, (b) => {
    for (const k of ['session_id', 'session_number', 'session_token', 'url']) assert.ok(b[k], k);
    assert.equal(b.status, 'Not Started');
  });
  const sessionId = String(session.session_id);
  // The user's capture, as the hosted page would upload it.
  const app = twin.sandbox.accounts.authenticate(apiKey);
  await twin.sandbox.sessions.submitImages({ app, sessionId }, { selfie: readFileSync(pair.a) });

  await call(mcp, 'didit_list_sessions', { status: 'Approved,In Review,Declined', vendor_data: 'user-42', limit: '10' }, (b) => {
    for (const k of ['count', 'next', 'previous', 'results']) assert.ok(k in b, k);
    assert.deepEqual((b.results as Json[]).map((s) => s.session_id), [sessionId]);
  });
  await call(mcp, 'didit_get_session_decision', { session_id: sessionId }, (b) => {
    const fm = (b.face_matches as Json[])[0]!;
    assert.equal(typeof fm.score, 'number');
    assert.ok(['Approved', 'In Review', 'Declined'].includes(String(fm.status)));
    const live = (b.liveness_checks as Json[] | null)?.[0];
    assert.ok(live, 'a LIVENESS workflow produces liveness_checks');
    for (const k of ['status', 'method', 'score', 'reference_image', 'age_estimation', 'warnings']) assert.ok(k in live, k);
    assert.equal(live.method, 'PASSIVE');
  });
  await call(mcp, 'didit_update_session_status', { session_id: sessionId, new_status: 'Declined', comment: 'manual check failed' }, (b) => assert.deepEqual(b, { session_id: sessionId }));
  await call(mcp, 'didit_list_session_reviews', { session_id: sessionId }, (b) => {
    const items = b as unknown as Json[];
    assert.equal(items.at(-1)!.new_status, 'Declined');
    assert.equal(items.at(-1)!.note, 'manual check failed');
  });
  await call(mcp, 'didit_add_session_review', { session_id: sessionId, comment: 'second look' }, (b) => assert.equal(b.note, 'second look'));
  await call(mcp, 'didit_generate_session_pdf', { session_id: sessionId }, (b) => assert.match(String(b.raw), /^%PDF-/));

  const saved = await call(mcp, 'didit_face_match', { image_1_path: pair.a, image_2_path: pair.b, vendor_data: 'user-42' }, (b) => {
    const fm = b.face_match as Json;
    assert.equal(typeof fm.score, 'number');
    const entity = ((fm.user_image as Json).entities as Json[])[0]!;
    for (const k of ['bbox', 'confidence', 'age', 'gender']) assert.ok(k in entity, k);
  });
  await call(mcp, 'didit_passive_liveness', { image_path: pair.a }, (b) => {
    const l = b.liveness as Json;
    assert.equal(l.method, 'PASSIVE');
    assert.equal(typeof l.score, 'number');
    assert.ok(b.request_id && b.created_at);
  });
  await call(mcp, 'didit_age_estimation', { image_path: pair.a }, (b) => {
    const l = b.liveness as Json;
    assert.equal(typeof l.age_estimation, 'number');
    assert.equal(typeof l.score, 'number');
  });

  // Face search 1:N and face lists: the saved face match above kept both faces.
  await call(mcp, 'didit_face_search', { image_path: pair.b, vendor_data: 'probe' }, (b) => {
    const fs = b.face_search as Json;
    assert.equal(fs.status, 'Approved');
    // The workflow session above (same photos) matches too; the saved face match is among them.
    const m = (fs.matches as Json[]).find((x) => x.session_id === saved.request_id)!;
    assert.ok(m, JSON.stringify(fs.matches));
    for (const k of ['session_number', 'similarity_percentage', 'source', 'vendor_data', 'verification_date', 'match_image_url', 'status', 'is_blocklisted', 'is_allowlisted']) assert.ok(k in m, k);
    assert.deepEqual((fs.warnings as Json[]).map((w) => w.risk), ['DUPLICATED_FACE']);
    assert.ok(((fs.user_image as Json).entities as Json[]).length >= 1);
  });
  const lists = await call(mcp, 'didit_list_lists', { list_type: 'blocklist', entry_type: 'face' }, (b) => assert.equal(b.count, 1));
  const blockId = String(((lists.results as Json[])[0]!).uuid);
  const entry = await call(mcp, 'didit_upload_face_entry', { list_uuid: blockId, image_path: pair.a, comment: 'fraud ring' }, (b) => assert.equal(b.comment, 'fraud ring'));
  await call(mcp, 'didit_list_entries', { list_uuid: blockId }, (b) => assert.equal(((b.results as Json[])[0]!).uuid, entry.uuid));
  await call(mcp, 'didit_face_search', { image_path: pair.b }, (b) => {
    const fs = b.face_search as Json;
    assert.equal(fs.status, 'Declined');
    assert.ok((fs.warnings as Json[]).some((w) => w.risk === 'FACE_IN_BLOCKLIST'));
  });
  await call(mcp, 'didit_delete_list_entry', { list_uuid: blockId, entry_uuid: String(entry.uuid) }, () => undefined);
  await call(mcp, 'didit_delete_list', { list_uuid: blockId }, () => undefined, /403/);
  const allow = await call(mcp, 'didit_create_list', { name: 'Staff', list_type: 'allowlist', entry_type: 'face' }, (b) => assert.equal(b.is_system, false));
  const allowId = String(allow.uuid);
  await call(mcp, 'didit_get_list', { list_uuid: allowId }, (b) => assert.equal(b.name, 'Staff'));
  await call(mcp, 'didit_update_list', { list_uuid: allowId, description: 'employees' }, (b) => assert.equal(b.description, 'employees'));
  await call(mcp, 'didit_create_list_entry', { list_uuid: allowId, reference_session_id: String(saved.request_id) }, (b) => assert.equal(b.reference_session_id, saved.request_id));
  await call(mcp, 'didit_delete_list', { list_uuid: allowId }, () => undefined);

  // Webhooks: every delivery so far verifies with the destination's secret.
  await twin.sandbox.webhooks.flush(15_000);
  const mine = receiver.received.filter((r) => r.json.session_id === sessionId);
  assert.ok(mine.some((r) => r.json.status === 'Declined'), 'the review fired status.updated');
  for (const r of receiver.received) {
    const v = verifyWebhook({ rawBody: r.rawBody, headers: r.headers, secret });
    assert.equal(v.valid, true, `delivery ${String(r.json.event_id)} verifies: ${JSON.stringify(v)}`);
  }

  const other = twin.sandbox.sessions.create(app, { workflow_id: workflowId, vendor_data: 'user-43' });
  await call(mcp, 'didit_delete_session', { session_id: sessionId }, (b) => assert.equal(b.success, true));
  await call(mcp, 'didit_batch_delete_sessions', { session_numbers: [other.session_number] }, (b) => assert.equal(b.deleted_count, 1));
  await call(mcp, 'didit_list_sessions', {}, (b) => assert.equal(b.count, 0, 'deleted sessions are gone'));
  await call(mcp, 'didit_delete_webhook_destination', { destination_uuid: destId }, (b) => assert.equal(b.success, true));
  await call(mcp, 'didit_delete_workflow', { workflow_id: workflowId }, (b) => assert.equal(b.success, true));
  await call(mcp, 'didit_get_workflow', { workflow_id: workflowId }, () => undefined, /404/);

  // Deletion really deletes: rows, images, queued and logged deliveries.
  const left = (sql: string) => (twin.sandbox.db.prepare(sql).get(sessionId) as { n: number }).n;
  assert.equal(left('SELECT COUNT(*) AS n FROM sessions WHERE id = ?'), 0);
  assert.equal(left('SELECT COUNT(*) AS n FROM media WHERE session_id = ?'), 0);
  assert.equal(left('SELECT COUNT(*) AS n FROM webhook_outbox WHERE session_id = ?'), 0);

  const failed = outcomes.filter((o) => !o.ok);
  assert.deepEqual(failed, [], `${outcomes.length - failed.length}/${outcomes.length} vendor tool calls right`);
});
