// The HTTP calls of the vendor's MCP server 5.0.0 (GitHub didit-protocol/mcp, not on a registry)
// for its face-family tools, replayed exactly as its source makes them: a user's Bearer access
// token plus X-Didit-Organization-Id (src/config.ts getHeaders), JSON or multipart bodies, the
// /v3/session/... routes for single sessions and the console routes
// /v3/organization/{org}/application/{app}/... (src/tools/sessions.ts, settings.ts, webhooks.ts,
// standalone.ts) for the rest, including face search, face lists and the blocklist (standalone.ts,
// lists.ts, blocklist.ts). Prints calls right / total.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { facesDir, hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, type CallResult, startTwin, type Twin } from '../helpers/http-twin.js';

let twin: Twin;
const outcomes: Array<{ tool: string; ok: boolean; why?: string }> = [];

before(async () => {
  twin = await startTwin();
});
after(async () => {
  await twin?.close();
  const right = outcomes.filter((o) => o.ok).length;
  process.stdout.write(`# vendor MCP 5.0.0 face-family HTTP calls right: ${right}/${outcomes.length}\n`);
  for (const o of outcomes.filter((x) => !x.ok)) process.stdout.write(`#   FAILED ${o.tool}: ${o.why}\n`);
});

async function tool(name: string, run: () => Promise<CallResult>, check: (r: CallResult) => void): Promise<CallResult | null> {
  try {
    const r = await run();
    check(r);
    outcomes.push({ tool: name, ok: true });
    return r;
  } catch (err) {
    outcomes.push({ tool: name, ok: false, why: err instanceof Error ? err.message.slice(0, 300) : String(err) });
    return null;
  }
}

test('the MCP 5 face-family tools\' HTTP calls, replayed with a Bearer token', { skip: hasFaces ? false : noFacesReason }, async () => {
  const email = 'mcp5@example.com';
  const password = 'Str0ng!Pass';
  assert.equal((await call(twin.url, 'POST', '/auth/v2/programmatic/register/', { json: { email, password } })).status, 201);
  const { code } = twin.sandbox.accounts.peekVerificationCode(email);
  const signed = (await call(twin.url, 'POST', '/auth/v2/programmatic/verify-email/', { json: { email, code } })).json as {
    access_token: string;
    organization: { uuid: string };
    application: { uuid: string };
  };
  const org = signed.organization.uuid;
  const app = signed.application.uuid;
  // src/config.ts: JSON calls carry these three headers, multipart calls the last two.
  const json = { 'Content-Type': 'application/json', Authorization: `Bearer ${signed.access_token}`, 'X-Didit-Organization-Id': org };
  const multipart = { Authorization: `Bearer ${signed.access_token}`, 'X-Didit-Organization-Id': org };
  const root = `/v3/organization/${org}/application/${app}`;
  const body = (r: CallResult) => r.json as Record<string, unknown>;
  const ok = (status: number) => (r: CallResult) => assert.equal(r.status, status, r.text.slice(0, 300));

  const wf = await tool('didit_workflow_create', () => call(twin.url, 'POST', `${root}/verification-settings/`, { headers: json, body: JSON.stringify({ workflow_label: 'MCP5', features: [{ feature: 'LIVENESS' }, { feature: 'FACE_MATCH' }] }) }), ok(201));
  const wfId = String(wf ? body(wf).uuid : '');
  await tool('didit_workflow_list', () => call(twin.url, 'GET', `${root}/verification-settings/`, { headers: json }), (r) => {
    ok(200)(r);
    assert.ok(JSON.stringify(r.json).includes(wfId));
  });
  await tool('didit_workflow_get', () => call(twin.url, 'GET', `${root}/verification-settings/${wfId}/`, { headers: json }), (r) => assert.equal(body(r).uuid, wfId));
  await tool('didit_workflow_update', () => call(twin.url, 'PATCH', `${root}/verification-settings/${wfId}/`, { headers: json, body: JSON.stringify({ workflow_label: 'MCP5 v2' }) }), (r) => assert.equal(body(r).workflow_label, 'MCP5 v2'));

  const hook = await tool('didit_webhook_create', () => call(twin.url, 'POST', `${root}/webhook/destinations/`, { headers: json, body: JSON.stringify({ label: 'mcp5', url: 'https://example.com/hook', subscribed_events: ['status.updated'] }) }), ok(201));
  const hookId = String(hook ? body(hook).uuid : '');
  await tool('didit_webhook_list', () => call(twin.url, 'GET', `${root}/webhook/destinations/`, { headers: json }), (r) => assert.ok(r.text.includes(hookId)));
  await tool('didit_webhook_get', () => call(twin.url, 'GET', `${root}/webhook/destinations/${hookId}/`, { headers: json }), (r) => assert.equal(body(r).uuid, hookId));
  await tool('didit_webhook_update', () => call(twin.url, 'PATCH', `${root}/webhook/destinations/${hookId}/`, { headers: json, body: JSON.stringify({ label: 'mcp5-2' }) }), (r) => assert.equal(body(r).label, 'mcp5-2'));
  await tool('didit_webhook_delete', () => call(twin.url, 'DELETE', `${root}/webhook/destinations/${hookId}/`, { headers: json }), ok(204));

  const s = await tool('didit_session_create', () => call(twin.url, 'POST', '/v3/session/', { headers: json, body: JSON.stringify({ workflow_id: wfId, vendor_data: 'mcp5-user' }) }), ok(201));
  const sid = String(s ? body(s).session_id : '');
  await tool('didit_session_list', () => call(twin.url, 'GET', `${root}/sessions/?vendor_data=mcp5-user`, { headers: json }), (r) => assert.equal((r.json as { count: number }).count, 1));
  await tool('didit_session_get_decision', () => call(twin.url, 'GET', `/v3/session/${sid}/decision/`, { headers: json }), (r) => assert.equal(body(r).status, 'Not Started'));
  const pairs = readPairs('lfw-funneled-dev');
  const same = pairs.find((p) => p.same)!;
  const a = readFileSync(same.a);
  const b = readFileSync(same.b);
  const app1 = twin.sandbox.accounts.authenticateBearer(signed.access_token, { organizationId: org });
  await twin.sandbox.sessions.submitImages({ app: app1, sessionId: sid }, { selfie: a, reference: b });
  await tool('didit_session_update_status', () => call(twin.url, 'PATCH', `/v3/session/${sid}/update-status/`, { headers: json, body: JSON.stringify({ new_status: 'Declined', comment: 'mcp5' }) }), (r) => assert.equal(body(r).session_id, sid));
  await tool('didit_session_list_reviews', () => call(twin.url, 'GET', `${root}/sessions/${sid}/reviews/`, { headers: json }), (r) => assert.ok(Array.isArray(r.json) && (r.json as unknown[]).length >= 1, r.text));
  await tool('didit_session_add_review', () => call(twin.url, 'POST', `${root}/sessions/${sid}/reviews/`, { headers: json, body: JSON.stringify({ new_status: 'Approved', comment: 'ok after all' }) }), (r) => assert.ok(r.status === 200 || r.status === 201, r.text));
  await tool('didit_session_generate_pdf', () => call(twin.url, 'GET', `/v3/session/${sid}/generate-pdf/`, { headers: json }), (r) => {
    ok(200)(r);
    assert.ok(r.text.startsWith('%PDF-'));
  });

  // src/config.ts buildFormData: files under their field names, then the other arguments as strings.
  const form = (files: Record<string, Buffer>, fields: Record<string, string> = {}) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(files)) fd.append(k, new Blob([v]), `${k}.jpg`);
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    return fd;
  };
  await tool('didit_verify_face_match', () => call(twin.url, 'POST', `${root}/apis/face-match/`, { headers: multipart, body: form({ user_image: a, ref_image: b }) }), (r) => {
    ok(200)(r);
    assert.equal((body(r).face_match as { status: string }).status, 'Approved');
  });
  await tool('didit_verify_passive_liveness', () => call(twin.url, 'POST', `${root}/apis/passive-liveness/`, { headers: multipart, body: form({ user_image: a }) }), (r) => {
    ok(200)(r);
    assert.ok(body(r).liveness);
  });
  await tool('didit_verify_age_estimation', () => call(twin.url, 'POST', `${root}/apis/age-estimation/`, { headers: multipart, body: form({ user_image: a }) }), (r) => {
    ok(200)(r);
    assert.equal(typeof (body(r).liveness as { age_estimation: unknown }).age_estimation, 'number');
  });

  // Face search, face lists and the blocklist (src/tools/standalone.ts, lists.ts, blocklist.ts).
  // The list tools send their remaining arguments as the query or the JSON body; face upload
  // reads the file and sends it base64 in JSON; face search sends user_image plus the other
  // arguments as multipart fields. The face search and blocklist tools declare organization_id and
  // application_id and do not strip them, so an agent naming its scope sends them in the body too.
  const stranger = otherPerson();
  const lists = await tool('didit_lists_list', () => call(twin.url, 'GET', `${root}/lists/?list_type=blocklist&entry_type=face&limit=10&offset=0`, { headers: json }), (r) => {
    ok(200)(r);
    const results = (r.json as { results: Array<{ list_type: string; entry_type: string; is_system: boolean }> }).results;
    assert.ok(results.length === 1 && results[0]!.is_system && results[0]!.entry_type === 'face', r.text.slice(0, 300));
  });
  const faceBlocklist = String(lists ? (lists.json as { results: Array<{ uuid: string }> }).results[0]!.uuid : '');
  const created = await tool('didit_lists_create', () => call(twin.url, 'POST', `${root}/lists/`, { headers: json, body: JSON.stringify({ name: 'MCP5 trusted faces', list_type: 'allowlist', entry_type: 'face', description: 'staff' }) }), ok(201));
  const allowId = String(created ? body(created).uuid : '');
  await tool('didit_lists_get', () => call(twin.url, 'GET', `${root}/lists/${allowId}/`, { headers: json }), (r) => assert.equal(body(r).name, 'MCP5 trusted faces', r.text));
  await tool('didit_lists_update', () => call(twin.url, 'PATCH', `${root}/lists/${allowId}/`, { headers: json, body: JSON.stringify({ name: 'MCP5 staff', description: 'renamed' }) }), (r) => assert.equal(body(r).name, 'MCP5 staff', r.text));
  await tool('didit_lists_entry_create', () => call(twin.url, 'POST', `${root}/lists/${allowId}/entries/`, { headers: json, body: JSON.stringify({ reference_session_id: sid, display_label: 'mcp5 user', comment: 'known staff' }) }), (r) => {
    ok(201)(r);
    assert.equal(body(r).reference_session_id, sid);
  });
  await tool('didit_lists_entries_list', () => call(twin.url, 'GET', `${root}/lists/${allowId}/entries/?search=mcp5&limit=10&offset=0`, { headers: json }), (r) => assert.equal((r.json as { count: number }).count, 1, r.text));
  const uploaded = await tool('didit_lists_entry_upload_face', () => call(twin.url, 'POST', `${root}/lists/${faceBlocklist}/entries/face-upload/`, { headers: json, body: JSON.stringify({ image: stranger[0]!.toString('base64'), display_label: 'fraudster', comment: 'chargeback' }) }), ok(201));
  const uploadedId = String(uploaded ? body(uploaded).uuid : '');
  await tool('didit_verify_face_search', () => call(twin.url, 'POST', `${root}/apis/face-search/`, { headers: multipart, body: form({ user_image: stranger[1]! }, { organization_id: org, application_id: app, vendor_data: 'mcp5-probe' }) }), (r) => {
    ok(200)(r);
    const fs = body(r).face_search as { status: string; matches: Array<{ source: string; is_blocklisted: boolean }>; warnings: Array<{ risk: string }> };
    assert.equal(fs.status, 'Declined', r.text.slice(0, 300));
    assert.ok(fs.matches.some((m) => m.source === 'list_entry' && m.is_blocklisted), r.text.slice(0, 300));
    assert.ok(fs.warnings.some((w) => w.risk === 'FACE_IN_BLOCKLIST'), r.text.slice(0, 300));
  });
  await tool('didit_lists_entry_delete', () => call(twin.url, 'DELETE', `${root}/lists/${faceBlocklist}/entries/${uploadedId}/`, { headers: json }), ok(204));
  await tool('didit_blocklist_add', () => call(twin.url, 'POST', `${root}/blocklist/add/`, { headers: json, body: JSON.stringify({ organization_id: org, application_id: app, session_id: sid, blocklist_face: true }) }), (r) => {
    ok(200)(r);
    assert.equal(body(r).message, 'Successfully updated blocklist.');
  });
  const blocked = await call(twin.url, 'GET', `${root}/lists/${faceBlocklist}/entries/`, { headers: json });
  assert.ok(blocked.text.includes(sid), `the session's face is not in the face blocklist: ${blocked.text.slice(0, 300)}`);
  await tool('didit_blocklist_remove', () => call(twin.url, 'POST', `${root}/blocklist/remove/`, { headers: json, body: JSON.stringify({ session_id: sid, unblock_face: true }) }), (r) => {
    ok(200)(r);
    assert.equal(body(r).message, 'Successfully removed from blocklist.');
  });
  const unblocked = await call(twin.url, 'GET', `${root}/lists/${faceBlocklist}/entries/`, { headers: json });
  assert.equal((unblocked.json as { count: number }).count, 0, unblocked.text.slice(0, 300));
  await tool('didit_lists_delete', () => call(twin.url, 'DELETE', `${root}/lists/${allowId}/`, { headers: json }), ok(204));
  // The mixed feed of blocked faces, documents, phones and e-mails, and the allowlist by session,
  // are not served: 501 naming the hosted platform (docs/contract.md).
  await tool('didit_blocklist_get (501)', () => call(twin.url, 'GET', `${root}/blocklist/`, { headers: json }), (r) => {
    assert.equal(r.status, 501, r.text.slice(0, 300));
    assert.match(String(body(r).detail), /hosted platform/);
  });
  await tool('didit_allowlist_add (501)', () => call(twin.url, 'POST', `${root}/allowlist/add/`, { headers: json, body: JSON.stringify({ session_id: sid }) }), (r) => {
    assert.equal(r.status, 501, r.text.slice(0, 300));
    assert.match(String(body(r).detail), /hosted platform/);
  });

  const s2 = await call(twin.url, 'POST', '/v3/session/', { headers: json, body: JSON.stringify({ workflow_id: wfId }) });
  await tool('didit_session_delete', () => call(twin.url, 'DELETE', `/v3/session/${body(s2).session_id as string}/delete/`, { headers: json }), ok(204));
  const s3 = await call(twin.url, 'POST', '/v3/session/', { headers: json, body: JSON.stringify({ workflow_id: wfId }) });
  await tool('didit_session_batch_delete', () => call(twin.url, 'DELETE', `${root}/sessions/delete/`, { headers: json, body: JSON.stringify({ session_numbers: [body(s3).session_number], delete_all: false }) }), (r) => assert.equal((r.json as { deleted_count: number }).deleted_count, 1, r.text));
  await tool('didit_workflow_delete', () => call(twin.url, 'DELETE', `${root}/verification-settings/${wfId}/`, { headers: json }), ok(204));

  // What the platform refuses: an API key on a console route, another organization's path.
  const key = twin.apiKey();
  const keyOnConsole = await call(twin.url, 'GET', `${root}/sessions/`, { key });
  assert.equal(keyOnConsole.status, 403);
  const other = await call(twin.url, 'GET', `/v3/organization/00000000-0000-4000-8000-000000000000/application/${app}/sessions/`, { headers: json });
  assert.equal(other.status, 403);

  const failed = outcomes.filter((o) => !o.ok);
  assert.deepEqual(failed, []);
});

/** Two photos of one person from lfw-original-dev, nobody else in this test's sessions. */
function otherPerson(): Buffer[] {
  const dir = join(facesDir, 'lfw-original-dev', 'images');
  const id = readdirSync(dir).sort().filter((x) => readdirSync(join(dir, x)).length >= 2)[0]!;
  return readdirSync(join(dir, id)).sort().slice(0, 2).map((f) => readFileSync(join(dir, id, f)));
}
