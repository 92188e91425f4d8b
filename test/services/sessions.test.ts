// Sessions without the face models: creation shape, idempotency on vendor_data, expiry with an
// injected clock, NO_REFERENCE_IMAGE and the attempts cap, forced outcomes, signed media.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import type { AppContext, Sandbox } from '../../src/services/index.js';
import { provisionApp, startReceiver, tempDb, testSandbox, type Receiver } from '../helpers/sandbox.js';

const isCode = (code: string) => (e: unknown) => e instanceof FacematchError && e.code === code;
// A tiny valid PNG (1x1) and JPEG header bytes: enough for type sniffing and storage.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('sessions', () => {
  const tmp = tempDb();
  let now = Date.UTC(2030, 5, 1, 12);
  let sb: Sandbox;
  let app: AppContext;
  let receiver: Receiver;
  let faceOnly: string;
  before(async () => {
    receiver = await startReceiver();
    sb = testSandbox(tmp.db, { now: () => now });
    app = provisionApp(sb).app;
    sb.webhooks.createDestination(app, { url: receiver.url, subscribed_events: ['status.updated'] });
    faceOnly = sb.workflows.create(app, { workflow_label: 'face only', features: [{ feature: 'FACE_MATCH' }], session_expiration_time: 10 }).uuid;
  });
  after(async () => {
    await sb.close();
    await receiver.close();
    tmp.cleanup();
  });

  it('create returns the SPEC 201 body with a capture url', () => {
    const s = sb.sessions.create(app, { workflow_id: faceOnly, vendor_data: 'user-1', metadata: { plan: 'pro' }, callback: 'https://example.com/done' });
    assert.deepEqual(Object.keys(s).sort(), ['callback', 'metadata', 'session_id', 'session_number', 'session_token', 'status', 'url', 'vendor_data', 'workflow_id', 'workflow_version'].sort());
    assert.equal(s.status, 'Not Started');
    assert.equal(s.url, `http://127.0.0.1:9/session/${s.session_token}`);
    assert.deepEqual(s.metadata, { plan: 'pro' });
    assert.equal(s.workflow_version, 1);
    const info = sb.sessions.byToken(s.session_token);
    assert.equal(info.sessionId, s.session_id);
    assert.equal(info.needsReference, true);
    assert.equal(info.acceptsImages, true);
    const d = sb.sessions.decision(app, s.session_id);
    assert.equal(d.face_matches, null);
    assert.equal(d.environment, 'sandbox');
    assert.deepEqual(d.features, ['FACE_MATCH']);
  });

  it('is idempotent on vendor_data for an unfinished session of the same workflow version', () => {
    const a = sb.sessions.create(app, { workflow_id: faceOnly, vendor_data: 'idem', callback: 'https://example.com/a' });
    const b = sb.sessions.create(app, { workflow_id: faceOnly, vendor_data: 'idem', callback: 'https://example.com/b', metadata: { n: 2 } });
    assert.equal(b.session_id, a.session_id);
    assert.equal(b.session_number, a.session_number);
    assert.equal(b.callback, 'https://example.com/b');
    assert.deepEqual(b.metadata, { n: 2 });
    assert.notEqual(sb.sessions.create(app, { workflow_id: faceOnly, vendor_data: 'idem-2' }).session_id, a.session_id);
    assert.notEqual(sb.sessions.create(app, { workflow_id: faceOnly }).session_id, sb.sessions.create(app, { workflow_id: faceOnly }).session_id);
    // a new workflow version starts a new session
    sb.workflows.update(app, faceOnly, { workflow_label: 'face only v2' });
    const c = sb.sessions.create(app, { workflow_id: faceOnly, vendor_data: 'idem' });
    assert.notEqual(c.session_id, a.session_id);
    assert.equal(c.workflow_version, 2);
    // a finished session is not reused
    sb.sessions.simulate(app, c.session_id, 'Approved');
    assert.notEqual(sb.sessions.create(app, { workflow_id: faceOnly, vendor_data: 'idem' }).session_id, c.session_id);
  });

  it('validates the body, naming the field', () => {
    const fieldOf = (input: unknown): string => {
      try {
        sb.sessions.create(app, input);
      } catch (err) {
        assert.ok(err instanceof FacematchError && err.code === 'VALIDATION', String(err));
        return Object.keys(err.fields ?? {})[0] ?? '';
      }
      assert.fail('accepted');
    };
    assert.equal(fieldOf({}), 'workflow_id');
    assert.equal(fieldOf({ workflow_id: 42 }), 'workflow_id');
    assert.equal(fieldOf({ workflow_id: '00000000-0000-0000-0000-000000000000' }), 'workflow_id');
    assert.equal(fieldOf({ workflow_id: faceOnly, vendor_data: 7 }), 'vendor_data');
    assert.equal(fieldOf({ workflow_id: faceOnly, callback: 'javascript:alert(1)' }), 'callback');
    assert.equal(fieldOf({ workflow_id: faceOnly, metadata: '{not json' }), 'metadata');
    assert.equal(fieldOf({ workflow_id: faceOnly, metadata: [1, 2] }), 'metadata');
    assert.equal(fieldOf({ workflow_id: faceOnly, portrait_image: '%%%' }), 'portrait_image');
    assert.equal(fieldOf({ workflow_id: faceOnly, portrait_image: Buffer.from('hello world').toString('base64') }), 'portrait_image');
    assert.equal(fieldOf({ workflow_id: faceOnly, portrait_image: Buffer.alloc(1_100_000, 0xff).toString('base64') }), 'portrait_image');
    assert.equal(fieldOf('{"workflow_id": 1}'), 'non_field_errors');
    // metadata as a JSON string is accepted
    assert.deepEqual(sb.sessions.create(app, { workflow_id: faceOnly, metadata: '{"a":1}' }).metadata, { a: 1 });
    assert.ok(sb.sessions.create(app, { workflow_id: faceOnly, portrait_image: `data:image/png;base64,${PNG.toString('base64')}` }).session_id);
  });

  it('a workflow link starts a session; list validates its query', () => {
    const wf = sb.workflows.get(app, faceOnly);
    const s = sb.sessions.createFromWorkflowLink(wf.workflow_url.split('/u/')[1]!);
    assert.equal(s.workflow_id, faceOnly);
    assert.equal(s.status, 'Not Started');
    assert.throws(() => sb.sessions.createFromWorkflowLink('nope'), isCode('NOT_FOUND'));
    assert.throws(() => sb.sessions.list(app, { status: 'Done' }), (e) => isCode('VALIDATION')(e) && Boolean((e as FacematchError).fields?.status));
    assert.throws(() => sb.sessions.list(app, { limit: 0 }), (e) => isCode('VALIDATION')(e) && Boolean((e as FacematchError).fields?.limit));
    const page = sb.sessions.list(app, { limit: 2, offset: 1 });
    assert.equal(page.results.length, 2);
    assert.ok(page.count > 2);
  });

  it('sessions of another application are NOT_FOUND', () => {
    const s = sb.sessions.create(app, { workflow_id: faceOnly });
    const other = provisionApp(sb, 'someone-else@example.com').app;
    assert.throws(() => sb.sessions.decision(other, s.session_id), isCode('NOT_FOUND'));
    assert.throws(() => sb.sessions.simulate(other, s.session_id, 'Approved'), isCode('NOT_FOUND'));
    assert.throws(() => sb.webhooks.listDeliveries(other, s.session_id), isCode('NOT_FOUND'));
    assert.throws(() => sb.sessions.decision(app, 'nope'), isCode('NOT_FOUND'));
    assert.throws(() => sb.sessions.byToken('nope'), isCode('NOT_FOUND'));
  });

  it('expires after session_expiration_time and emits status.updated Expired', async () => {
    const s = sb.sessions.create(app, { workflow_id: faceOnly, vendor_data: 'expiring' });
    now += 9 * 60_000;
    assert.equal(sb.sessions.decision(app, s.session_id).status, 'Not Started');
    now += 60_001;
    assert.equal(sb.sessions.decision(app, s.session_id).status, 'Expired');
    assert.equal(sb.sessions.byToken(s.session_token).acceptsImages, false);
    await assert.rejects(sb.sessions.submitImages({ sessionToken: s.session_token }, { selfie: PNG }), isCode('CONFLICT'));
    // a new session for the same vendor_data, since the old one is finished
    assert.notEqual(sb.sessions.create(app, { workflow_id: faceOnly, vendor_data: 'expiring' }).session_id, s.session_id);
    await sb.webhooks.flush(5000);
    const statuses = receiver.received.filter((r) => r.json.session_id === s.session_id).map((r) => r.json.status);
    assert.deepEqual(statuses, ['Not Started', 'Expired']);
    const list = sb.sessions.list(app, { status: 'Expired' });
    assert.ok(list.results.some((r) => r.session_id === s.session_id));
    assert.equal(list.count, list.results.length);
  });

  it('no reference image: Declined NO_REFERENCE_IMAGE, and the attempts cap (the session is Declined only when they are used up)', async () => {
    const s = sb.sessions.create(app, { workflow_id: faceOnly });
    for (let i = 1; i <= 3; i++) {
      const d = await sb.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: PNG });
      assert.equal(d.status, i < 3 ? 'In Progress' : 'Declined');
      assert.equal(d.face_match_attempts, i);
      assert.equal(d.face_match_attempts_remaining, 3 - i);
      const fm = d.face_matches![0]!;
      assert.equal(fm.status, 'Declined');
      assert.equal(fm.score, null);
      assert.equal(fm.node_id, 'face_match_1');
      assert.equal(fm.target_image, null);
      assert.match(fm.source_image!, /\/media\/[0-9a-f-]+\?expires=\d+&signature=[0-9a-f]{64}$/);
      const risks = fm.warnings.map((w) => w.risk);
      assert.ok(risks.includes('NO_REFERENCE_IMAGE'));
      assert.equal(risks.includes('FACE_MATCH_MAX_ATTEMPTS_EXCEEDED'), i === 3);
    }
    await assert.rejects(
      sb.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: PNG }),
      (e) => isCode('CONFLICT')(e) && /FACE_MATCH_MAX_ATTEMPTS_EXCEEDED/.test((e as Error).message),
    );
    await assert.rejects(sb.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: Buffer.alloc(0) }), isCode('CONFLICT'));
    const fresh = sb.sessions.create(app, { workflow_id: faceOnly });
    await assert.rejects(sb.sessions.submitImages({ app, sessionId: fresh.session_id }, { selfie: Buffer.alloc(0) }), isCode('IMAGE_EMPTY'));
  });

  it('simulate forces every outcome with a score inside its band', () => {
    const wf = sb.workflows.create(app, { features: [{ feature: 'OCR' }, { feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 40, face_match_score_review_threshold: 60 } }] });
    const s = sb.sessions.create(app, { workflow_id: wf.uuid });
    const a = sb.sessions.simulate(app, s.session_id, 'Approved');
    assert.equal(a.status, 'Approved');
    assert.ok(a.face_matches![0]!.score! > 60);
    assert.deepEqual(a.face_matches![0]!.warnings, []);
    const r = sb.sessions.simulate(app, s.session_id, 'In Review');
    assert.ok(r.face_matches![0]!.score! > 40 && r.face_matches![0]!.score! <= 60);
    assert.equal(r.face_matches![0]!.warnings[0]!.risk, 'LOW_FACE_MATCH_SIMILARITY');
    const d = sb.sessions.simulate(app, s.session_id, 'Declined');
    assert.ok(d.face_matches![0]!.score! <= 40);
    const n = sb.sessions.simulate(app, s.session_id, 'NO_REFERENCE_IMAGE');
    assert.equal(n.status, 'Declined');
    assert.equal(n.face_matches![0]!.score, null);
    assert.equal(n.face_matches![0]!.warnings[0]!.risk, 'NO_REFERENCE_IMAGE');
    assert.equal(sb.sessions.simulate(app, s.session_id, 'Abandoned').status, 'Abandoned');
    assert.equal(sb.sessions.simulate(app, s.session_id, 'Expired').status, 'Expired');
    assert.deepEqual(sb.sessions.decision(app, s.session_id).features, ['ID_VERIFICATION', 'FACE_MATCH']);
    assert.throws(() => sb.sessions.simulate(app, s.session_id, 'Maybe' as 'Approved'), (e) => isCode('VALIDATION')(e) && Boolean((e as FacematchError).fields?.outcome));
  });

  it('media URLs: open with a valid signature; tampered 403, expired 410, unknown 404', async () => {
    // No reference: the selfie is stored without running the engine, and its URL is signed.
    const s = sb.sessions.create(app, { workflow_id: faceOnly });
    const d = await sb.sessions.submitImages({ sessionToken: s.session_token }, { selfie: PNG });
    const url = new URL(d.face_matches![0]!.source_image!);
    assert.equal(url.origin, 'http://127.0.0.1:9');
    const id = decodeURIComponent(url.pathname.split('/media/')[1]!);
    const q = { expires: url.searchParams.get('expires')!, signature: url.searchParams.get('signature')! };
    assert.equal(Number(q.expires), Math.floor(now / 1000) + 3600);
    const got = sb.media.open(id, q);
    assert.ok(got.bytes.equals(PNG));
    assert.equal(got.contentType, 'image/png');
    const flip = (q.signature[0] === 'a' ? 'b' : 'a') + q.signature.slice(1);
    assert.throws(() => sb.media.open(id, { ...q, signature: flip }), isCode('FORBIDDEN'));
    assert.throws(() => sb.media.open(id, { ...q, expires: String(Number(q.expires) + 3600) }), isCode('FORBIDDEN'));
    assert.throws(() => sb.media.open(`${id}/../x`, q), isCode('FORBIDDEN'));
    assert.throws(() => sb.media.open(id, {}), isCode('FORBIDDEN'));
    const unknown = new URL(sb.media.signedUrl('0a0a0a0a-0000-0000-0000-000000000000'));
    assert.throws(
      () => sb.media.open('0a0a0a0a-0000-0000-0000-000000000000', { expires: unknown.searchParams.get('expires')!, signature: unknown.searchParams.get('signature')! }),
      isCode('NOT_FOUND'),
    );
    now += 60 * 60_000 + 1000;
    assert.throws(() => sb.media.open(id, q), isCode('GONE'));
  });
});
