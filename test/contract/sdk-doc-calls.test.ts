// The official server SDKs for Node.js, Go and Java cannot be installed here (not on the npm
// registry this machine reaches; the Go module proxy answers 403; Maven Central has no
// me.didit:didit-java). Their docs pages show, beside each cURL request, the SDK call that sends
// it; this test sends those requests, bodies as the pages print them, to the twin and checks
// the answers the SDKs' typed responses read (workflows, sessions, webhook destinations, and face
// search, face lists and the blocklist).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { facesDir, hasFaces, noFacesReason } from '../helpers/data.js';
import { call, form, startTwin, type Twin } from '../helpers/http-twin.js';

let twin: Twin;
let key: string;
before(async () => {
  twin = await startTwin();
  key = twin.apiKey();
});
after(async () => twin?.close());

test('the requests behind workflows.create/retrieve, sessions.create/retrieveDecision and webhooks.destinations.create', async () => {
  // workflows.create (management-api/workflows/create): OCR with its duplicate-user action,
  // passive liveness, face match thresholds.
  const wf = await call(twin.url, 'POST', '/v3/workflows/', {
    key,
    json: {
      workflow_label: 'Standard KYC',
      features: [
        { feature: 'OCR', config: { duplicated_user_action: 'review' } },
        { feature: 'LIVENESS', config: { face_liveness_method: 'passive' } },
        { feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 40, face_match_score_review_threshold: 60 } },
      ],
    },
  });
  assert.equal(wf.status, 201, wf.text);
  const workflow = wf.json as { uuid: string; workflow_label: string; workflow_type: string; features: string[] };
  assert.deepEqual(workflow.features, ['OCR', 'LIVENESS', 'FACE_MATCH']);
  assert.equal(workflow.workflow_type, 'kyc');
  // workflows.retrieve (management-api/workflows/get)
  const got = await call(twin.url, 'GET', `/v3/workflows/${workflow.uuid}/`, { key });
  assert.equal((got.json as { workflow_label: string }).workflow_label, 'Standard KYC');
  // workflows.update with a full features list (management-api/workflows/update)
  const upd = await call(twin.url, 'PATCH', `/v3/workflows/${workflow.uuid}/`, { key, json: { features: [{ feature: 'OCR' }, { feature: 'AML' }] } });
  assert.equal(upd.status, 200, upd.text);
  assert.deepEqual((upd.json as { features: string[] }).features, ['OCR', 'AML']);

  // webhooks.destinations.create (management-api/webhook/create-destination)
  const dest = await call(twin.url, 'POST', '/v3/webhook/destinations/', {
    key,
    json: { label: 'Production session webhooks', url: 'https://yourapp.com/webhooks/didit', webhook_version: 'v3', subscribed_events: ['status.updated', 'data.updated'] },
  });
  assert.equal(dest.status, 201, dest.text);
  assert.equal(typeof (dest.json as { secret_shared_key: unknown }).secret_shared_key, 'string');

  // sessions.create then sessions.retrieveDecision (sessions-api/create-session, retrieve-session)
  const s = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflow.uuid, vendor_data: 'user-123', callback: 'https://example.com/done', metadata: { user_type: 'premium' } } });
  assert.equal(s.status, 201, s.text);
  const created = s.json as { session_id: string; url: string; session_token: string };
  assert.ok(created.url && created.session_token);
  const d = await call(twin.url, 'GET', `/v3/session/${created.session_id}/decision/`, { key });
  assert.equal(d.status, 200);
  const decision = d.json as { session_id: string; status: string; vendor_data: string; metadata: unknown };
  assert.equal(decision.status, 'Not Started');
  assert.equal(decision.vendor_data, 'user-123');
  assert.deepEqual(decision.metadata, { user_type: 'premium' });
});

/** Two photos each of two people from lfw-original-dev, read in place. */
function twoPeople(): Buffer[][] {
  const dir = join(facesDir, 'lfw-original-dev', 'images');
  const ids = readdirSync(dir).sort().filter((id) => readdirSync(join(dir, id)).length >= 2);
  return [ids[0]!, ids[5]!].map((id) => readdirSync(join(dir, id)).sort().slice(0, 2).map((f) => readFileSync(join(dir, id, f))));
}

test('the requests behind lists.create/list, lists.entries.create/list/upload_face, face_search.search, blocklist.add/remove', { skip: hasFaces ? false : noFacesReason }, async () => {
  const [a, b] = twoPeople() as [Buffer[], Buffer[]];
  // A session holding person A's face: a saved face match (save_api_request defaults to true).
  const fm = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form({ user_image: a[0]!, ref_image: a[1]! }) });
  assert.equal(fm.status, 200, fm.text);
  const sessionId = (fm.json as { request_id: string }).request_id;

  // lists.create (management-api/lists/create)
  const created = await call(twin.url, 'POST', '/v3/lists/', {
    key,
    json: { name: 'Trusted office IPs', description: 'Office egress ranges', list_type: 'allowlist', entry_type: 'ip_address' },
  });
  assert.equal(created.status, 201, created.text);
  const list = created.json as { uuid: string; name: string; list_type: string; entry_type: string; is_system: boolean; entry_count: number };
  assert.deepEqual([list.name, list.list_type, list.entry_type, list.is_system, list.entry_count], ['Trusted office IPs', 'allowlist', 'ip_address', false, 0]);

  // lists.list (management-api/lists/list): the system blocklists, one per entry type.
  const listed = await call(twin.url, 'GET', '/v3/lists/?list_type=blocklist', { key });
  assert.equal(listed.status, 200, listed.text);
  const blocklists = (listed.json as { count: number; next: unknown; previous: unknown; results: Array<{ uuid: string; list_type: string; entry_type: string; is_system: boolean }> }).results;
  assert.ok(blocklists.length > 1 && blocklists.every((l) => l.list_type === 'blocklist' && l.is_system), listed.text.slice(0, 300));
  const phoneList = blocklists.find((l) => l.entry_type === 'phone')!.uuid;
  const faceList = blocklists.find((l) => l.entry_type === 'face')!.uuid;

  // lists.entries.create (management-api/lists/create-entry): a phone, stored as given (E.164).
  const entry = await call(twin.url, 'POST', `/v3/lists/${phoneList}/entries/`, { key, json: { value: '+14155552671', comment: 'Reported fraud' } });
  assert.equal(entry.status, 201, entry.text);
  assert.equal((entry.json as { value: string }).value, '+14155552671');
  // lists.entries.list (management-api/lists/list-entries), with the page's search parameter.
  const entries = await call(twin.url, 'GET', `/v3/lists/${phoneList}/entries/?search=4155552671`, { key });
  assert.equal(entries.status, 200, entries.text);
  assert.equal((entries.json as { count: number }).count, 1, entries.text);

  // lists.entries.upload_face (management-api/lists/upload-face): person B into the face blocklist.
  const up = await call(twin.url, 'POST', `/v3/lists/${faceList}/entries/face-upload/`, { key, json: { image: b[0]!.toString('base64'), comment: 'Known fraud attempt' } });
  assert.equal(up.status, 201, up.text);
  assert.equal((up.json as { comment: string }).comment, 'Known fraud attempt');

  // face_search.search (standalone-apis/face-search): every field the page sends, as multipart.
  const fs = await call(twin.url, 'POST', '/v3/face-search/', {
    key,
    body: form({ user_image: b[1]! }, { search_type: 'most_similar', rotate_image: 'false', save_api_request: 'true', vendor_data: 'user-123', metadata: JSON.stringify({ flow: 'dedup_check' }) }),
  });
  assert.equal(fs.status, 200, fs.text);
  const res = fs.json as {
    request_id: string;
    vendor_data: string;
    metadata: unknown;
    face_search: { status: string; total_matches: number; matches: Array<Record<string, unknown>>; user_image: { entities: unknown[]; best_angle: number }; warnings: Array<{ risk: string }> };
  };
  assert.equal(res.face_search.status, 'Declined');
  assert.equal(res.face_search.total_matches, res.face_search.matches.length);
  assert.ok(res.face_search.warnings.some((w) => w.risk === 'FACE_IN_BLOCKLIST'), fs.text.slice(0, 400));
  assert.equal(res.face_search.user_image.entities.length, 1);
  assert.equal(res.face_search.user_image.best_angle, 0);
  assert.deepEqual([res.vendor_data, res.metadata], ['user-123', { flow: 'dedup_check' }]);
  // Every field of a match the page's response shows (the typed SDKs read them).
  const documented = ['session_id', 'session_number', 'similarity_percentage', 'source', 'vendor_data', 'verification_date', 'user_details', 'match_image_url', 'status', 'is_blocklisted', 'is_allowlisted', 'api_service', 'vendor_user_id', 'biometric_template_id'];
  for (const m of res.face_search.matches) assert.deepEqual(documented.filter((k) => !(k in m)), [], JSON.stringify(m).slice(0, 400));

  // blocklist.add / blocklist.remove (management-api/blocklist/add, remove)
  const add = await call(twin.url, 'POST', '/v3/blocklist/add/', { key, json: { session_id: sessionId, blocklist_face: true, blocklist_document: true } });
  assert.equal(add.status, 200, add.text);
  assert.deepEqual(add.json, { message: 'Successfully updated blocklist.' });
  const inList = await call(twin.url, 'GET', `/v3/lists/${faceList}/entries/`, { key });
  assert.ok(inList.text.includes(sessionId), inList.text.slice(0, 300));
  const rm = await call(twin.url, 'POST', '/v3/blocklist/remove/', { key, json: { session_id: sessionId, unblock_face: true, unblock_document: true } });
  assert.equal(rm.status, 200, rm.text);
  assert.deepEqual(rm.json, { message: 'Successfully removed from blocklist.' });
  const after = await call(twin.url, 'GET', `/v3/lists/${faceList}/entries/`, { key });
  assert.ok(!after.text.includes(sessionId), after.text.slice(0, 300));

  // blocklist.list (management-api/blocklist/list): the mixed feed is not served (docs/contract.md).
  const feed = await call(twin.url, 'GET', '/v3/blocklist/?item_type=document', { key });
  assert.equal(feed.status, 501, feed.text);
  assert.match((feed.json as { detail: string }).detail, /hosted platform/);
});
