// Each pipeline step run on its own, on real photos (or copies made harder: a tight crop, a
// dark room, a small face in a large photo, a turned photo), with the real models.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { loadSessions, MODEL_DIMS, MODEL_FILES, runModel, type Sessions } from '../../src/engine/models.js';
import { decodeImage } from '../../src/engine/decode.js';
import { detectFaces, detectorFrame, DETECT_THRESHOLD } from '../../src/engine/detect.js';
import { detectOnTiles, detectWithRetry } from '../../src/engine/detect-retry.js';
import { landmarkSquare, landmarksFor, landmarksWithMirror, MIRROR68 } from '../../src/engine/landmarks.js';
import { alignFace, ALIGN_SIZE } from '../../src/engine/align.js';
import { EMBED_DIM, embedderTensor } from '../../src/engine/embed.js';
import { EMBEDDER } from '../../src/engine/embedder.js';
import { chooseOrientation, type Rotation } from '../../src/engine/orientation.js';
import { correctExposure, measureFace, smallFaceRegion, type ImageRun, type Oriented } from '../../src/engine/measure.js';
import { fallbackSteps, firstFound } from '../../src/engine/fallbacks.js';
import { pipelineConfig } from '../../src/engine/pipeline-config.js';
import { analyzeImage } from '../../src/engine/pipeline.js';
import { matchReport } from '../../src/engine/match-report.js';
import { StageTimer } from '../../src/engine/timer.js';
import { modelsDir } from '../../src/paths.js';
import { iou } from '../../src/engine/nms.js';
import { lumaStats } from '../../src/engine/quality.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { darkNoisy } from '../helpers/engine.js';

const skip = hasFaces ? false : noFacesReason;
const cfg = pipelineConfig();
let sessions: Sessions;
before(async () => {
  sessions = await loadSessions(modelsDir, 1);
});
const genuine = (): Array<{ a: string; b: string }> => (hasFaces ? readPairs('lfw-funneled-dev').filter((p) => p.same) : []);
const runOf = async (buf: Buffer): Promise<ImageRun> => ({ sessions, decoded: await decodeImage(buf), cfg, timer: new StageTimer() });

test('detect with retries: a tight crop the detector misses in its own frame is found in a padded one', { skip }, async () => {
  // The centre 100x100 of a funneled photo: the face fills the frame, no margin.
  const tight = await sharp(readFileSync(genuine()[0]!.a)).extract({ left: 75, top: 80, width: 100, height: 100 }).png().toBuffer();
  const { image } = await decodeImage(tight);
  const frame = detectorFrame(image.width, image.height, cfg.detectAspect);
  assert.equal((await detectFaces(sessions.detect, image, DETECT_THRESHOLD, frame)).length, 0, 'the crop is found without padding: it no longer tests the retry');
  assert.equal((await detectWithRetry({ session: sessions.detect, image, detectAspect: cfg.detectAspect, padRetry: [] })).length, 0);
  const found = await detectWithRetry({ session: sessions.detect, image, detectAspect: cfg.detectAspect, padRetry: cfg.padRetry });
  assert.equal(found.length, 1);
  const box = found[0]!.box;
  // Clipped to the photo and covering most of it (the face fills the crop).
  assert.ok(box[0] >= 0 && box[1] >= 0 && box[2] <= 100 && box[3] <= 100, `box ${box} outside the crop`);
  assert.ok(iou(box, [0, 0, 100, 100]) > 0.5, `box ${box} is not the face filling the crop`);
});

test('detect on tiles: a face too small for the whole shrunk frame is found on full-resolution tiles, boxed in working pixels', { skip }, async () => {
  const photo = await sharp(readFileSync(genuine()[1]!.b)).resize(90, 90).toBuffer();
  const frame = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#8a8378' } }).composite([{ input: photo, left: 600, top: 500 }]).jpeg({ quality: 88 }).toBuffer();
  const { decoded, timer } = await runOf(frame);
  assert.ok(decoded.scale > 1.01, 'the photo is not shrunk for work');
  assert.equal((await detectWithRetry({ session: sessions.detect, image: decoded.image, detectAspect: cfg.detectAspect, padRetry: cfg.padRetry })).length, 0, 'found without tiles');
  const dets = await detectOnTiles({ session: sessions.detect, decoded, n: cfg.tileRetry, enhance: cfg.enhance, timer });
  assert.ok(dets.length >= 1, 'no face on the tiles');
  const s = decoded.scale;
  const inPhoto = dets.filter((d) => d.box[0] * s > 590 && d.box[2] * s < 700 && d.box[1] * s > 490 && d.box[3] * s < 600);
  assert.equal(inPhoto.length, 1, `boxes ${JSON.stringify(dets.map((d) => d.box.map((v) => Math.round(v * s))))}`);
});

test('landmark augmentation: the mirror table pairs left with right; the mirrored reading agrees on an upright face, not on a turned one', { skip }, async () => {
  // An involution: eye corners, mouth corners and jaw swap sides, the midline stays.
  for (let i = 0; i < 68; i++) assert.equal(MIRROR68[MIRROR68[i]!], i);
  assert.equal(MIRROR68[36], 45);
  assert.equal(MIRROR68[48], 54);
  assert.deepEqual([8, 27, 30, 33, 51, 57, 62, 66].map((i) => MIRROR68[i]), [8, 27, 30, 33, 51, 57, 62, 66]);
  for (const p of genuine().slice(0, 3)) {
    const upright = await decodeImage(readFileSync(p.a));
    const turned = await decodeImage(await sharp(readFileSync(p.a)).rotate(180).png().toBuffer());
    const errOf = async (image: typeof upright.image): Promise<{ err: number; pts: number }> => {
      const dets = await detectWithRetry({ session: sessions.detect, image, detectAspect: cfg.detectAspect, padRetry: cfg.padRetry });
      const box = dets.sort((a, b) => b.score - a.score)[0]!.box;
      const r = await landmarksWithMirror({ session: sessions.landmark, image, crop: landmarkSquare(box, 'sqrt'), flip: true });
      // The averaged crop at scale 1 is the same reading.
      const same = await landmarksFor({ session: sessions.landmark, image, box, shape: 'sqrt', scales: [1], flip: true });
      assert.equal(same.flipErr, r.flipErr);
      return { err: r.flipErr!, pts: r.pts.length };
    };
    const [u, t] = [await errOf(upright.image), await errOf(turned.image)];
    assert.equal(u.pts, 68);
    assert.ok(u.err < t.err, `${p.a}: mirror disagreement upright ${u.err} >= turned ${t.err}`);
    assert.ok(u.err < 0.012, `${p.a}: upright disagreement ${u.err}`);
  }
});

test('orientation: a photo turned 90 degrees is read at 270 (embedding only that one); an upright photo is kept as sent', { skip }, async () => {
  const file = genuine()[2]!.a;
  for (const [buf, want] of [[await sharp(readFileSync(file)).rotate(90).png().toBuffer(), 270], [readFileSync(file), 0]] as const) {
    const run = await runOf(buf);
    const calls: string[] = [];
    const asSent = await measureFace({ ...run, embed: true });
    const chosen = await chooseOrientation<Oriented>({
      asSent,
      embed: true,
      read: (angle: Rotation, embed: boolean) => {
        calls.push(`${angle}${embed ? '+embed' : ''}`);
        return measureFace({ ...run, angle, embed });
      },
    });
    assert.equal(chosen?.angle, want);
    assert.ok(chosen?.embedding, 'the chosen reading is not embedded');
    assert.deepEqual(calls, want ? ['90', '180', '270', `${want}+embed`] : ['90', '180', '270']);
  }
});

test('fallbacks: the named steps in order; a dark, noisy selfie with no face as sent is found by the first brightened step', { skip }, async () => {
  const dark = await darkNoisy(readFileSync(genuine()[0]!.b), { gain: 0.08, amp: 9, seed: 5, quality: 85, side: 600 });
  const run = await runOf(dark);
  assert.equal(await measureFace({ ...run }), null, 'found as sent: the photo no longer tests the fallbacks');
  const steps = fallbackSteps({ ...run, embed: true });
  assert.deepEqual(steps.map((s) => s.name), ['brightened-smoothed', 'brightened', 'shadow-lift', 'brightened-heavy-smooth']);
  const found = await firstFound(steps);
  assert.ok(found?.embedding, 'no face found by the fallbacks');
  // Measured on the photo as sent (the copy only served to find it).
  assert.equal(found.src, run.decoded.image);
  assert.ok(run.timer.t.detect_retry !== undefined);
  // Order and presence follow the config: smoothed last without retrySmoothFirst, no gain steps on a bright photo, tiles on a shrunk one.
  const plain = fallbackSteps({ ...run, cfg: pipelineConfig({ enhance: { ...cfg.enhance, retrySmoothFirst: false, retryHeavySmooth: false } }), embed: true });
  assert.deepEqual(plain.map((s) => s.name), ['brightened', 'shadow-lift', 'brightened-smoothed']);
  const big = await sharp(readFileSync(genuine()[0]!.b)).resize(2000, 2000).jpeg().toBuffer();
  assert.deepEqual(fallbackSteps({ ...(await runOf(big)), embed: true }).map((s) => s.name), ['shadow-lift', 'tiles']);
});

test('measure steps: a small face in a large photo is re-read from the original; a dark face is corrected, a well-lit one is not', { skip }, async () => {
  const photo = await sharp(readFileSync(genuine()[3]!.a)).resize(250, 250).toBuffer();
  const large = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#707070' } }).composite([{ input: photo, left: 1000, top: 700 }]).jpeg({ quality: 90 }).toBuffer();
  const { decoded, timer } = await runOf(large);
  const box = (await detectWithRetry({ session: sessions.detect, image: decoded.image, detectAspect: cfg.detectAspect, padRetry: cfg.padRetry }))[0]!.box;
  assert.ok(decoded.scale > 1.01 && box[2] - box[0] < cfg.smallFacePx, `face ${box} at scale ${decoded.scale}: not a small face in a shrunk photo`);
  const r = await smallFaceRegion({ decoded, angle: 0, img: decoded.image, box, smallFacePx: cfg.smallFacePx, timer });
  assert.equal(r.redecoded, true);
  // The same face, more pixels across it.
  assert.ok(r.box[2] - r.box[0] > (box[2] - box[0]) * 1.3, `re-read box ${r.box} vs ${box}`);
  assert.equal((await smallFaceRegion({ decoded, angle: 90, img: decoded.image, box, smallFacePx: cfg.smallFacePx, timer })).redecoded, false);

  const lit = await decodeImage(readFileSync(genuine()[3]!.a));
  const litBox = (await detectWithRetry({ session: sessions.detect, image: lit.image, detectAspect: cfg.detectAspect, padRetry: cfg.padRetry }))[0]!.box;
  const same = correctExposure({ asSent: lit.image, working: lit.image, box: litBox, enhance: cfg.enhance });
  assert.equal(same.corrected, false);
  assert.equal(same.image, lit.image);
  const dimmed = await decodeImage(await sharp(readFileSync(genuine()[3]!.a)).linear(0.35, 0).png().toBuffer());
  const fixed = correctExposure({ asSent: dimmed.image, working: dimmed.image, box: litBox, enhance: cfg.enhance });
  assert.equal(fixed.corrected, true);
  const [before, after] = [lumaStats(dimmed.image, litBox).mean, lumaStats(fixed.image, litBox).mean];
  assert.ok(before < 70 && after > before + 30, `face luma ${before} -> ${after}`);
});

test('the embedder is described in one place: model file, input size, template, normalisation and length all agree with the model', { skip }, async () => {
  assert.equal(MODEL_FILES.feature, EMBEDDER.file);
  assert.deepEqual(MODEL_DIMS.feature, [1, 3, EMBEDDER.size, EMBEDDER.size]);
  assert.equal(ALIGN_SIZE, EMBEDDER.size);
  assert.equal(EMBED_DIM, EMBEDDER.dim);
  // The aligned face of a real photo has the size the model takes, and the model answers with EMBEDDER.dim values.
  const { image } = await decodeImage(readFileSync(genuine()[4]!.a));
  const box = (await detectWithRetry({ session: sessions.detect, image, detectAspect: cfg.detectAspect, padRetry: cfg.padRetry }))[0]!.box;
  const marks = await landmarksFor({ session: sessions.landmark, image, box, shape: cfg.landmarkCrop, scales: [1], flip: true });
  const aligned = alignFace(image, marks.pts);
  assert.deepEqual([aligned.width, aligned.height], [EMBEDDER.size, EMBEDDER.size]);
  const t = embedderTensor(aligned);
  const out = await runModel(sessions.feature, t, MODEL_DIMS.feature);
  assert.equal(out[sessions.feature.outputNames[0]!]!.length, EMBEDDER.dim);
  // Channel order and normalisation: the first plane is the blue channel, (value - mean) / std.
  const n = EMBEDDER.size * EMBEDDER.size;
  assert.equal(t[0], (aligned.data[2]! - EMBEDDER.mean) / EMBEDDER.std);
  assert.equal(t[2 * n], (aligned.data[0]! - EMBEDDER.mean) / EMBEDDER.std);
});

test('score step: two analysed photos give the calibrated score and decision; a side without a face is named in the warning', { skip }, async () => {
  const [p, q] = [genuine()[5]!, genuine()[6]!];
  const analyse = (file: string | Buffer, label: string): ReturnType<typeof analyzeImage> => analyzeImage({ sessions, buf: typeof file === 'string' ? readFileSync(file) : file, label, cfg });
  const [a, b, other] = [await analyse(p.a, 'user_image'), await analyse(p.b, 'ref_image'), await analyse(q.b, 'ref_image')];
  const thresholds = { mode: 'standalone' as const, decline: 30, review: 70, nodeId: null };
  const same = matchReport({ user: a, ref: b, thresholds, timing: () => ({}) });
  assert.equal(same.status, 'Approved');
  assert.ok(same.score! > 50, `genuine pair scored ${same.score}`);
  const diff = matchReport({ user: a, ref: other, thresholds, timing: () => ({}) });
  assert.ok(diff.score! < same.score!, `impostor ${diff.score} >= genuine ${same.score}`);
  const blank = await analyse(await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } }).png().toBuffer(), 'ref_image');
  const none = matchReport({ user: a, ref: blank, thresholds, timing: () => ({}) });
  assert.equal(none.score, null);
  assert.equal(none.status, 'Declined');
  assert.match(JSON.stringify(none.warnings), /ref_image|reference/i);
});
