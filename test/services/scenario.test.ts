// The whole service-level scenario with the real engine and real photos: register -> verify ->
// workflow -> webhook destination -> session -> capture (same person) -> Approved decision ->
// signed webhook received; a different person is declined; standalone face match is stored.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import type { AppContext, Sandbox } from '../../src/services/index.js';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { startReceiver, tempDb, testSandbox, type Receiver } from '../helpers/sandbox.js';

describe('scenario with real faces', { skip: hasFaces ? false : noFacesReason }, () => {
  const tmp = tempDb();
  let sb: Sandbox;
  let receiver: Receiver;
  let app: AppContext;
  let secret: string;
  const pairs = hasFaces ? readPairs('lfw-funneled-dev') : [];
  const same = pairs.find((p) => p.same)!;
  const diff = pairs.find((p) => !p.same)!;

  before(async () => {
    receiver = await startReceiver();
    sb = testSandbox(tmp.db);
  });
  after(async () => {
    await sb.close();
    await receiver.close();
    tmp.cleanup();
  });

  it('register -> verify -> workflow -> destination -> session -> images -> Approved -> verified webhook', async () => {
    await sb.accounts.register({ email: 'flow@example.com', password: 'Str0ng!Pass' });
    const { code } = sb.accounts.peekVerificationCode('flow@example.com');
    const verified = sb.accounts.verifyEmail({ email: 'flow@example.com', code });
    app = sb.accounts.authenticate(verified.application.api_key);
    const wf = sb.workflows.create(app, { workflow_label: 'KYC', features: [{ feature: 'OCR' }, { feature: 'FACE_MATCH' }] });
    secret = sb.webhooks.createDestination(app, { url: receiver.url, subscribed_events: ['status.updated'] }).secret_shared_key;
    const s = sb.sessions.create(app, { workflow_id: wf.uuid, vendor_data: 'person-1', callback: 'https://example.com/back' });
    assert.equal(sb.sessions.byToken(s.session_token).needsReference, true);

    const d = await sb.sessions.submitImages({ sessionToken: s.session_token }, { selfie: readFileSync(same.a), reference: readFileSync(same.b) });
    assert.equal(d.status, 'Approved');
    const fm = d.face_matches![0]!;
    assert.equal(fm.status, 'Approved');
    assert.ok(fm.score! > 70, `score ${fm.score}`);
    assert.deepEqual(fm.warnings, []);
    const selfie = new URL(fm.source_image!);
    const opened = sb.media.open(decodeURIComponent(selfie.pathname.split('/media/')[1]!), {
      expires: selfie.searchParams.get('expires')!,
      signature: selfie.searchParams.get('signature')!,
    });
    assert.ok(opened.bytes.equals(readFileSync(same.a)));
    assert.deepEqual(sb.sessions.decision(app, s.session_id).face_matches![0]!.score, fm.score);

    await sb.webhooks.flush(5000);
    const got = receiver.received.filter((r) => r.json.session_id === s.session_id);
    assert.deepEqual(got.map((r) => r.json.status), ['Not Started', 'In Progress', 'Approved']);
    const approved = got[2]!;
    const v = verifyWebhook({ rawBody: approved.rawBody, headers: approved.headers, secret, now: Number(approved.json.timestamp) });
    assert.equal(v.valid, true, JSON.stringify(v));
    const decision = approved.json.decision as { face_matches: Array<{ score: number }>; vendor_data: string };
    assert.equal(decision.face_matches[0]!.score, fm.score);
    assert.equal(decision.vendor_data, 'person-1');
    // the session is finished: no more images
    await assert.rejects(
      sb.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: readFileSync(same.a) }),
      (e) => e instanceof FacematchError && e.code === 'CONFLICT',
    );
  });

  it('a different person: the attempt is Declined with LOW_FACE_MATCH_SIMILARITY, the session stays In Progress while attempts remain; a portrait_image serves as reference', async () => {
    const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] });
    const s = sb.sessions.create(app, { workflow_id: wf.uuid, portrait_image: readFileSync(diff.b).toString('base64') });
    assert.equal(sb.sessions.byToken(s.session_token).needsReference, false);
    const d = await sb.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: readFileSync(diff.a) });
    assert.equal(d.status, 'In Progress');
    assert.equal(d.face_matches![0]!.status, 'Declined');
    assert.equal(d.face_match_attempts_remaining, 2);
    assert.ok(d.face_matches![0]!.score! <= 50);
    assert.equal(d.face_matches![0]!.warnings[0]!.risk, 'LOW_FACE_MATCH_SIMILARITY');
    assert.ok(d.face_matches![0]!.target_image, 'the portrait is the target image');
    assert.equal(d.face_match_attempts, 1);
    // Declined with attempts left: the user may try again
    assert.equal(sb.sessions.byToken(s.session_token).acceptsImages, true);
    const again = await sb.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: readFileSync(diff.b) });
    assert.equal(again.status, 'Approved');
    assert.equal(again.face_match_attempts, 2);
  });

  it('no face in the reference: the workflow\'s face_match_not_computed_action decides', async () => {
    const sharp = (await import('sharp')).default;
    const blank = await sharp({ create: { width: 160, height: 160, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
    // DECLINE declines the attempt; with attempts left the session stays In Progress.
    for (const [action, expected, item] of [['REVIEW', 'In Review', 'In Review'], ['DECLINE', 'In Progress', 'Declined']] as const) {
      const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH', config: { face_match_not_computed_action: action } }] });
      const s = sb.sessions.create(app, { workflow_id: wf.uuid });
      const d = await sb.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: readFileSync(same.a), reference: blank });
      assert.equal(d.status, expected);
      assert.equal(d.face_matches![0]!.status, item);
      assert.equal(d.face_matches![0]!.score, null);
    }
  });

  it('engine errors on bad images propagate and use no attempt', async () => {
    const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] });
    const s = sb.sessions.create(app, { workflow_id: wf.uuid });
    await assert.rejects(
      sb.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: readFileSync(same.a).subarray(0, 300), reference: readFileSync(same.b) }),
      (e) => e instanceof FacematchError && e.code.startsWith('IMAGE_'),
    );
    assert.equal(sb.sessions.decision(app, s.session_id).face_match_attempts, 0);
  });

  it('standalone face match: SPEC body; with save_api_request the request is a session with a decision and a webhook', async () => {
    const before = receiver.received.length;
    const r = await sb.faceMatch.standalone(app, {
      userImage: readFileSync(same.a),
      refImage: readFileSync(same.b),
      declineThreshold: '30',
      vendorData: 'standalone-1',
      metadata: '{"order": 7}',
    });
    assert.deepEqual(Object.keys(r).sort(), ['created_at', 'face_match', 'request_id']);
    assert.deepEqual(Object.keys(r.face_match).sort(), ['ref_image', 'score', 'status', 'user_image', 'warnings']);
    assert.equal(r.face_match.status, 'Approved');
    assert.ok(r.face_match.user_image.entities.length >= 1);
    const d = sb.sessions.decision(app, r.request_id);
    assert.equal(d.status, 'Approved');
    assert.equal(d.vendor_data, 'standalone-1');
    assert.deepEqual(d.metadata, { order: 7 });
    assert.equal(d.face_matches![0]!.score, r.face_match.score);
    await sb.webhooks.flush(5000);
    const hook = receiver.received.slice(before).find((x) => x.json.session_id === r.request_id);
    assert.ok(hook, 'status.updated for the standalone request');
    assert.equal(hook.json.status, 'Approved');

    const unsaved = await sb.faceMatch.standalone(app, { userImage: readFileSync(diff.a), refImage: readFileSync(diff.b), saveApiRequest: 'false' });
    assert.equal(unsaved.face_match.status, 'Declined');
    assert.equal(unsaved.face_match.warnings[0]!.risk, 'LOW_FACE_MATCH_SIMILARITY');
    assert.throws(() => sb.sessions.decision(app, unsaved.request_id), (e) => e instanceof FacematchError && e.code === 'NOT_FOUND');
  });

  it('standalone validation names the field', async () => {
    const img = readFileSync(same.a);
    const fieldOf = async (extra: Record<string, unknown>) => {
      try {
        await sb.faceMatch.standalone(app, { userImage: img, refImage: img, ...extra });
      } catch (err) {
        assert.ok(err instanceof FacematchError, String(err));
        return Object.keys(err.fields ?? {})[0];
      }
      return 'accepted';
    };
    assert.equal(await fieldOf({ declineThreshold: 101 }), 'face_match_score_decline_threshold');
    assert.equal(await fieldOf({ declineThreshold: 'abc' }), 'face_match_score_decline_threshold');
    assert.equal(await fieldOf({ metadata: '{bad' }), 'metadata');
    assert.equal(await fieldOf({ metadata: '[1]' }), 'metadata');
    assert.equal(await fieldOf({ rotateImage: 'perhaps' }), 'rotate_image');
    assert.equal(await fieldOf({ saveApiRequest: 3 }), 'save_api_request');
    assert.equal(await fieldOf({ vendorData: 5 }), 'vendor_data');
    assert.equal(await fieldOf({ refImage: Buffer.alloc(0) }), 'ref_image');
  });
});
