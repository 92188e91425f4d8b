// Sessions try rotations of both photos (the capture path always does); the standalone call
// does not by default. Trying them must not change an upright pair's outcome, and a photo
// turned 90/180/270 degrees must still be read upright. The LFW pair below is one whose
// reference photo, upright, was once read at 180 degrees in a session and Declined.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FaceEngine } from '../../src/engine/index.js';
import type { AppContext, Sandbox } from '../../src/services/index.js';
import { facesDir, hasFaces, noFacesReason } from '../helpers/data.js';
import { provisionApp, tempDb, testSandbox } from '../helpers/sandbox.js';

describe('rotations in the session path', { skip: hasFaces ? false : noFacesReason }, () => {
  const tmp = tempDb();
  let sb: Sandbox;
  let app: AppContext;
  let workflowId: string;
  const photo = (n: string): Buffer => readFileSync(join(facesDir, 'lfw-original-dev', 'images', 'Amber_Tamblyn', `Amber_Tamblyn_${n}.jpg`));
  const selfie = hasFaces ? photo('0001') : Buffer.alloc(0);
  const reference = hasFaces ? photo('0002') : Buffer.alloc(0);
  let standalone: { status: string; score: number | null };

  before(async () => {
    sb = testSandbox(tmp.db);
    app = provisionApp(sb).app;
    workflowId = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    standalone = (await sb.faceMatch.standalone(app, { userImage: selfie, refImage: reference })).face_match;
  });
  after(async () => {
    await sb.close();
    tmp.cleanup();
  });

  async function viaSession(user: Buffer, ref: Buffer): Promise<{ status: string; score: number | null }> {
    const s = sb.sessions.create(app, { workflow_id: workflowId });
    const d = await sb.sessions.submitImages({ app, sessionId: s.session_id }, { selfie: user, reference: ref });
    const fm = d.face_matches![0]!;
    return { status: fm.status, score: fm.score };
  }

  it('the upright pair: the session (rotations tried) gives the standalone call\'s status and score', async () => {
    assert.equal(standalone.status, 'Approved');
    assert.ok(standalone.score! > 70, `standalone score ${standalone.score}: above every default threshold`);
    const s = await viaSession(selfie, reference);
    assert.deepEqual(s, { status: 'Approved', score: standalone.score });
  });

  it('copies turned 90/180/270 degrees are read upright: same status, score close to the upright pair\'s', async () => {
    for (const turn of [90, 180, 270]) {
      const user = await sharp(selfie).rotate(turn).png().toBuffer();
      const ref = await sharp(reference).rotate(360 - turn).png().toBuffer();
      const s = await viaSession(user, ref);
      assert.equal(s.status, 'Approved', `turned ${turn}: ${JSON.stringify(s)}`);
      assert.ok(Math.abs(s.score! - standalone.score!) < 3, `turned ${turn}: score ${s.score} vs upright ${standalone.score}`);
    }
  });

  it('best_angle names the turn that undoes each copy\'s rotation', async () => {
    // The engine the sandbox's services use.
    const engine = FaceEngine.shared();
    for (const turn of [90, 180, 270]) {
      const user = await sharp(selfie).rotate(turn).png().toBuffer();
      const r = await engine.match(user, reference, { rotateImage: true });
      assert.equal(r.user_image.best_angle, (360 - turn) % 360, `turned ${turn}`);
      assert.equal(r.ref_image.best_angle, 0, `upright reference with selfie turned ${turn}`);
    }
  });
});
