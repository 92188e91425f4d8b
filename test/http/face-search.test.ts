// Face Search 1:N, face lists and the blocklist over the real HTTP twin, engine and store:
// faces kept by saved face matches are found again; a face list entry (uploaded or from a
// session) declines a search; deleting the entry or the session takes its face out of every
// search at once; bad input gets the documented 4xx.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { facesDir, hasFaces, noFacesReason } from '../helpers/data.js';
import { call, errorBody, form, startTwin, type Twin } from '../helpers/http-twin.js';
import type { FaceSearchResult, ListBody, ListEntryBody } from '../../src/contract/index.js';

const root = join(facesDir, 'lfw-original-dev', 'images');
/** Three photos each of two people, read in place. */
function people(): Array<Buffer[]> {
  if (!hasFaces) return [];
  const ids = readdirSync(root).sort().filter((id) => readdirSync(join(root, id)).length >= 3);
  return [ids[0]!, ids[7]!].map((id) => readdirSync(join(root, id)).sort().slice(0, 3).map((f) => readFileSync(join(root, id, f))));
}

describe('HTTP twin: face search, face lists, blocklist', { skip: hasFaces ? false : noFacesReason }, () => {
  let twin: Twin;
  let key: string;
  let a: Buffer[];
  let b: Buffer[];
  let blocklist: ListBody;
  before(async () => {
    twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    key = twin.apiKey();
    [a, b] = people() as [Buffer[], Buffer[]];
  });
  after(async () => twin?.close());

  const search = async (img: Buffer, fields: Record<string, string> = {}) => {
    const r = await call(twin.url, 'POST', '/v3/face-search/', { key, body: form({ user_image: img }, fields) });
    assert.equal(r.status, 200, r.text);
    return r.json as FaceSearchResult;
  };

  test('a saved face match keeps its faces: a third photo finds the session, DUPLICATED_FACE, Approved', async () => {
    const fm = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form({ user_image: a[0]!, ref_image: a[1]! }, { vendor_data: 'user-a' }) });
    assert.equal(fm.status, 200, fm.text);
    const sessionId = (fm.json as { request_id: string }).request_id;
    const res = await search(a[2]!, { vendor_data: 'probe' });
    const fs = res.face_search;
    assert.equal(fs.status, 'Approved');
    assert.equal(fs.total_matches, fs.matches.length);
    const m = fs.matches[0]!;
    assert.equal(m.session_id, sessionId);
    assert.equal(m.source, 'session');
    assert.equal(m.vendor_data, 'user-a');
    assert.equal(m.status, 'Approved');
    assert.equal(m.api_service, 'FACE_MATCH');
    assert.equal(m.is_blocklisted, false);
    assert.ok(m.similarity_percentage >= 70, `similarity ${m.similarity_percentage}`);
    assert.ok(m.match_image_url?.includes('/media/'));
    assert.deepEqual(fs.warnings.map((w) => w.risk), ['DUPLICATED_FACE']);
    assert.equal(fs.warnings[0]!.additional_data?.duplicated_session_id, sessionId);
    assert.equal(res.vendor_data, 'probe');
    // Someone else is not matched above the floor.
    const other = await search(b[0]!);
    assert.ok(!other.face_search.matches.some((x) => x.session_id === sessionId), JSON.stringify(other.face_search.matches));
    // Another application never sees this one's faces.
    const stranger = await call(twin.url, 'POST', '/v3/face-search/', { key: twin.apiKey(), body: form({ user_image: a[2]! }) });
    assert.equal(stranger.status, 200, stranger.text);
    assert.equal((stranger.json as FaceSearchResult).face_search.total_matches, 0);
  });

  test('the system face blocklist: face-upload declines a later photo; deleting the entry lifts it', async () => {
    const lists = await call(twin.url, 'GET', '/v3/lists/?list_type=blocklist&entry_type=face', { key });
    assert.equal(lists.status, 200, lists.text);
    const page = lists.json as { count: number; results: ListBody[] };
    assert.equal(page.count, 1);
    blocklist = page.results[0]!;
    assert.equal(blocklist.is_system, true);
    const up = await call(twin.url, 'POST', `/v3/lists/${blocklist.uuid}/entries/face-upload/`, { key, json: { image: b[0]!.toString('base64'), comment: 'known fraud' } });
    assert.equal(up.status, 201, up.text);
    const entry = up.json as ListEntryBody;
    assert.equal(entry.comment, 'known fraud');
    assert.equal(entry.reference_object_uuid, entry.value);
    assert.ok(typeof entry.metadata?.reference_image_url === 'string');
    const hit = await search(b[1]!);
    assert.equal(hit.face_search.status, 'Declined');
    assert.equal(hit.face_search.matches[0]!.source, 'list_entry');
    assert.equal(hit.face_search.matches[0]!.is_blocklisted, true);
    assert.ok(['FACE_IN_BLOCKLIST', 'POSSIBLE_FACE_IN_BLOCKLIST'].includes(hit.face_search.warnings[0]!.risk));
    assert.equal((await call(twin.url, 'GET', `/v3/lists/${blocklist.uuid}/`, { key })).json && ((await call(twin.url, 'GET', `/v3/lists/${blocklist.uuid}/`, { key })).json as ListBody).entry_count, 1);
    const del = await call(twin.url, 'DELETE', `/v3/lists/${blocklist.uuid}/entries/${entry.uuid}/`, { key });
    assert.equal(del.status, 204, del.text);
    const after = await search(b[1]!);
    assert.equal(after.face_search.status, 'Approved');
    assert.ok(!after.face_search.matches.some((m) => m.source === 'list_entry'));
    assert.equal(twin.sandbox.db.prepare('SELECT COUNT(*) AS n FROM faces WHERE entry_id IS NOT NULL').get() && (twin.sandbox.db.prepare('SELECT COUNT(*) AS n FROM faces WHERE entry_id IS NOT NULL').get() as { n: number }).n, 0);
  });

  test('blocklist/add by session declines the person (duplicate warning suppressed); remove lifts it; deleting the session deletes its faces', async () => {
    const fm = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form({ user_image: b[1]!, ref_image: b[2]! }) });
    const sessionId = (fm.json as { request_id: string }).request_id;
    const add = await call(twin.url, 'POST', '/v3/blocklist/add/', { key, json: { session_id: sessionId, blocklist_face: true } });
    assert.equal(add.status, 200, add.text);
    assert.deepEqual(add.json, { message: 'Successfully updated blocklist.' });
    const hit = await search(b[0]!);
    assert.equal(hit.face_search.status, 'Declined');
    const risks = hit.face_search.warnings.map((w) => w.risk);
    assert.ok(risks.includes('FACE_IN_BLOCKLIST') || risks.includes('POSSIBLE_FACE_IN_BLOCKLIST'), risks.join());
    assert.ok(!risks.includes('DUPLICATED_FACE'));
    assert.ok(hit.face_search.matches.some((m) => m.session_id === sessionId && m.is_blocklisted));
    const rm = await call(twin.url, 'POST', '/v3/blocklist/remove/', { key, json: { session_id: sessionId, unblock_face: true } });
    assert.equal(rm.status, 200, rm.text);
    assert.equal((await search(b[0]!)).face_search.status, 'Approved');
    const facesOf = () => (twin.sandbox.db.prepare('SELECT COUNT(*) AS n FROM faces WHERE session_id = ?').get(sessionId) as { n: number }).n;
    assert.equal(facesOf(), 2);
    assert.equal((await call(twin.url, 'DELETE', `/v3/session/${sessionId}/delete/`, { key })).status, 204);
    assert.equal(facesOf(), 0);
    const gone = await search(b[0]!);
    assert.ok(!gone.face_search.matches.some((m) => m.session_id === sessionId));
  });

  test('an entry from reference_session_id; allowlists are created, blocklists are not; system lists stay', async () => {
    const created = await call(twin.url, 'POST', '/v3/lists/', { key, json: { name: 'Staff', list_type: 'allowlist', entry_type: 'face' } });
    assert.equal(created.status, 201, created.text);
    const allow = created.json as ListBody;
    assert.equal(allow.is_system, false);
    const fm = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form({ user_image: a[2]!, ref_image: a[0]! }) });
    const sessionId = (fm.json as { request_id: string }).request_id;
    const e = await call(twin.url, 'POST', `/v3/lists/${allow.uuid}/entries/`, { key, json: { reference_session_id: sessionId } });
    assert.equal(e.status, 201, e.text);
    assert.equal((e.json as ListEntryBody).reference_session_id, sessionId);
    const res = await search(a[1]!);
    assert.ok(res.face_search.matches.some((m) => m.is_allowlisted));
    assert.ok(!res.face_search.warnings.some((w) => w.risk === 'DUPLICATED_FACE'), 'a high allowlist match suppresses duplicate warnings');
    const dup = await call(twin.url, 'POST', '/v3/lists/', { key, json: { name: 'Staff', list_type: 'custom', entry_type: 'email' } });
    assert.equal(dup.status, 400);
    const block = await call(twin.url, 'POST', '/v3/lists/', { key, json: { name: 'Mine', list_type: 'blocklist', entry_type: 'face' } });
    assert.equal(block.status, 400);
    assert.match(errorBody(block).detail, /system blocklist/);
    assert.equal((await call(twin.url, 'DELETE', `/v3/lists/${blocklist.uuid}/`, { key })).status, 403);
    assert.equal((await call(twin.url, 'DELETE', `/v3/lists/${allow.uuid}/`, { key })).status, 204);
    assert.equal((twin.sandbox.db.prepare('SELECT COUNT(*) AS n FROM faces WHERE entry_id IS NOT NULL').get() as { n: number }).n, 0, 'the list took its entries and faces');
  });

  test('a workflow session with a liveness step is screened: a blocklisted face declines it, an earlier approved session is a duplicate', async () => {
    const app = twin.sandbox.accounts.authenticate(key);
    const wf = twin.sandbox.workflows.create(app, { workflow_label: 'kyc', features: [{ feature: 'LIVENESS' }, { feature: 'FACE_MATCH' }] });
    const first = twin.sandbox.sessions.create(app, { workflow_id: wf.uuid, vendor_data: 'first' });
    const d1 = await twin.sandbox.sessions.submitImages({ app, sessionId: first.session_id }, { selfie: a[0]!, reference: a[1]! });
    assert.equal(d1.status, 'Approved');
    // The same person again under another name: a duplicate (information), still Approved.
    const second = twin.sandbox.sessions.create(app, { workflow_id: wf.uuid, vendor_data: 'second' });
    const d2 = await twin.sandbox.sessions.submitImages({ app, sessionId: second.session_id }, { selfie: a[2]!, reference: a[1]! });
    assert.equal(d2.status, 'Approved');
    const dup = d2.liveness_checks![0]!.warnings.find((w) => w.risk === 'DUPLICATED_FACE');
    assert.ok(dup, JSON.stringify(d2.liveness_checks));
    assert.equal(dup.log_type, 'information');
    // An earlier approved session of this person (earlier tests kept some too), never itself.
    const dupOf = String(dup.additional_data?.duplicated_session_id);
    assert.notEqual(dupOf, second.session_id);
    assert.equal(twin.sandbox.sessions.decision(app, dupOf).status, 'Approved');
    // A returning user (same vendor_data as an earlier session) is not their own duplicate.
    const again = twin.sandbox.sessions.create(app, { workflow_id: wf.uuid, vendor_data: 'returning' });
    await twin.sandbox.sessions.submitImages({ app, sessionId: again.session_id }, { selfie: b[0]!, reference: b[1]! });
    const back = twin.sandbox.sessions.create(app, { workflow_id: wf.uuid, vendor_data: 'returning' });
    const d4 = await twin.sandbox.sessions.submitImages({ app, sessionId: back.session_id }, { selfie: b[2]!, reference: b[1]! });
    assert.ok(!d4.liveness_checks![0]!.warnings.some((w) => w.additional_data?.duplicated_session_id === again.session_id), JSON.stringify(d4.liveness_checks));
    // Blocklist the first session's face: a third attempt by that person is Declined.
    await call(twin.url, 'POST', '/v3/blocklist/add/', { key, json: { session_id: first.session_id, blocklist_face: true } });
    const third = twin.sandbox.sessions.create(app, { workflow_id: wf.uuid, vendor_data: 'third' });
    const d3 = await twin.sandbox.sessions.submitImages({ app, sessionId: third.session_id }, { selfie: a[2]!, reference: a[0]! });
    assert.equal(d3.status, 'Declined');
    assert.equal(d3.liveness_checks![0]!.status, 'Declined');
    assert.ok(d3.liveness_checks![0]!.warnings.some((w) => w.risk === 'FACE_IN_BLOCKLIST' && w.node_id), JSON.stringify(d3.liveness_checks));
    for (const s of [first, second, third, again, back]) twin.sandbox.sessions.deleteSession(app, s.session_id);
  });

  test('bad input: no face, several faces, too large, wrong list type, unknown list or entry, bad search_type', async () => {
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 130, b: 140 } } }).jpeg().toBuffer();
    const noFace = await call(twin.url, 'POST', '/v3/face-search/', { key, body: form({ user_image: blank }) });
    assert.equal(noFace.status, 400);
    assert.match(errorBody(noFace).detail, /No face detected/);
    const entries = () => (twin.sandbox.db.prepare('SELECT COUNT(*) AS n FROM list_entries').get() as { n: number }).n;
    const before = entries();
    const up = await call(twin.url, 'POST', `/v3/lists/${blocklist.uuid}/entries/face-upload/`, { key, json: { image: blank.toString('base64') } });
    assert.equal(up.status, 400);
    assert.match(errorBody(up).detail, /No face detected/);
    assert.equal(entries(), before, 'no entry is created');
    // Two people side by side: the search runs on the subject face and says so.
    const [p, q] = await Promise.all([a[0]!, b[0]!].map((x) => sharp(x).resize(150, 150).toBuffer()));
    const pair = await sharp({ create: { width: 320, height: 170, channels: 3, background: { r: 255, g: 255, b: 255 } } })
      .composite([{ input: p!, left: 5, top: 10 }, { input: q!, left: 165, top: 10 }])
      .jpeg()
      .toBuffer();
    const two = await search(pair);
    assert.ok(two.face_search.user_image.entities.length >= 2);
    assert.ok(two.face_search.warnings.some((w) => w.risk === 'MULTIPLE_FACES_DETECTED' && w.log_type === 'warning'));
    const big = Buffer.alloc(2.5 * 1024 * 1024, 7);
    const tooBig = await call(twin.url, 'POST', `/v3/lists/${blocklist.uuid}/entries/face-upload/`, { key, json: { image: big.toString('base64') } });
    assert.equal(tooBig.status, 400);
    assert.match(errorBody(tooBig).detail, /larger than 2 MB/);
    const huge = await call(twin.url, 'POST', '/v3/face-search/', { key, body: form({ user_image: Buffer.alloc(6 * 1024 * 1024, 1) }) });
    assert.ok(huge.status === 413 || huge.status === 400, huge.text);
    errorBody(huge);
    const emails = (await call(twin.url, 'GET', '/v3/lists/?entry_type=email&list_type=blocklist', { key })).json as { results: ListBody[] };
    const wrong = await call(twin.url, 'POST', `/v3/lists/${emails.results[0]!.uuid}/entries/face-upload/`, { key, json: { image: a[0]!.toString('base64') } });
    assert.equal(wrong.status, 400);
    assert.match(errorBody(wrong).detail, /face blocklist or allowlist/);
    const unknown = '00000000-0000-4000-8000-000000000000';
    assert.equal((await call(twin.url, 'GET', `/v3/lists/${unknown}/`, { key })).status, 404);
    assert.equal((await call(twin.url, 'DELETE', `/v3/lists/${blocklist.uuid}/entries/${unknown}/`, { key })).status, 404);
    assert.equal((await call(twin.url, 'POST', '/v3/blocklist/add/', { key, json: { session_id: unknown, blocklist_face: true } })).status, 404);
    const st = await call(twin.url, 'POST', '/v3/face-search/', { key, body: form({ user_image: a[0]! }, { search_type: 'nearest' }) });
    assert.equal(st.status, 400);
    assert.match(errorBody(st).detail, /search_type/);
  });
});
