// Quality signals on real photos and on derived versions of them (dark, overexposed,
// flat, blurred, shrunk, no face): the signal moves the right way and the matching issue
// code fires with a sentence a person can act on; the match report carries both images'.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { FaceEngine, QUALITY_THRESHOLDS, type ImageQuality, type QualityIssueCode } from '../../src/engine/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';

const skip = hasFaces ? false : noFacesReason;
const engine = new FaceEngine({ parallel: false });
after(() => engine.close());

/** A few well-lit frontal funneled photos (the first genuine pairs' images). */
function photos(n: number): Buffer[] {
  return readPairs('lfw-funneled-dev').filter((p) => p.same).slice(0, n).map((p) => readFileSync(p.a));
}
const codes = (q: ImageQuality): QualityIssueCode[] => q.issues.map((i) => i.code);

test('a clean photo: face found, signals in range, no exposure/blur issue', { skip }, async () => {
  for (const img of photos(4)) {
    const q = await engine.assess(img);
    assert.equal(q.face_found, true);
    assert.ok(q.face_count >= 1);
    assert.ok(q.face_bbox && q.face_size_px! > 60 && q.face_size_px! < 250, JSON.stringify(q));
    assert.ok(q.brightness! > QUALITY_THRESHOLDS.minBrightness && q.brightness! < QUALITY_THRESHOLDS.maxBrightness);
    assert.ok(q.contrast! > QUALITY_THRESHOLDS.minContrast);
    assert.ok(q.sharpness! > QUALITY_THRESHOLDS.minSharpness);
    assert.ok(q.pose && Math.abs(q.pose.roll) < 30);
    for (const c of ['NO_FACE', 'TOO_DARK', 'TOO_BRIGHT', 'LOW_CONTRAST', 'BLURRY'] as const) assert.ok(!codes(q).includes(c), `${c} on a clean photo: ${JSON.stringify(q)}`);
  }
});

test('darkened, overexposed, flattened and blurred versions raise the matching issue', { skip }, async () => {
  for (const img of photos(3)) {
    const base = await engine.assess(img);
    const dark = await engine.assess(await sharp(img).linear(0.25, 0).jpeg().toBuffer());
    assert.ok(dark.brightness! < base.brightness! * 0.4, `dark ${dark.brightness} vs ${base.brightness}`);
    assert.ok(codes(dark).includes('TOO_DARK'), JSON.stringify(dark.issues));
    assert.match(dark.issues.find((i) => i.code === 'TOO_DARK')!.message, /too dark.*light/i);
    const bright = await engine.assess(await sharp(img).linear(1.6, 110).jpeg().toBuffer());
    assert.ok(bright.brightness! > base.brightness!);
    assert.ok(codes(bright).includes('TOO_BRIGHT') || !bright.face_found, JSON.stringify(bright));
    const flat = await engine.assess(await sharp(img).linear(0.25, 95).jpeg().toBuffer());
    assert.ok(flat.contrast! < base.contrast! * 0.4);
    assert.ok(codes(flat).includes('LOW_CONTRAST'), JSON.stringify(flat.issues));
    const blurred = await engine.assess(await sharp(img).blur(3).jpeg().toBuffer());
    assert.ok(blurred.sharpness! < base.sharpness! / 3, `blur ${blurred.sharpness} vs ${base.sharpness}`);
    assert.ok(codes(blurred).includes('BLURRY'), JSON.stringify(blurred.issues));
  }
});

test('a tiny face is FACE_TOO_SMALL; an image without a face is NO_FACE with whole-image brightness', { skip }, async () => {
  const [img] = photos(1);
  const small = await engine.assess(await sharp(img!).resize(70, 70).png().toBuffer());
  if (small.face_found) assert.ok(codes(small).includes('FACE_TOO_SMALL'), JSON.stringify(small));
  else assert.ok(codes(small).includes('NO_FACE'));
  const grey = await sharp({ create: { width: 200, height: 160, channels: 3, background: '#303030' } }).png().toBuffer();
  const q = await engine.assess(grey);
  assert.equal(q.face_found, false);
  assert.equal(q.face_count, 0);
  assert.equal(q.face_bbox, null);
  assert.equal(q.sharpness, null);
  assert.equal(q.pose, null);
  assert.ok(Math.abs(q.brightness! - 48) < 2, `brightness ${q.brightness}`);
  assert.deepEqual(codes(q).slice(0, 2), ['NO_FACE', 'TOO_DARK']);
});

test('a rotated photo shows the rotation as roll', { skip }, async () => {
  const [img] = photos(1);
  const q = await engine.assess(await sharp(img!).rotate(20, { background: '#808080' }).png().toBuffer());
  const base = await engine.assess(img!);
  assert.ok(q.pose && base.pose);
  assert.ok(Math.abs(q.pose.roll - base.pose.roll - 20) < 8, `roll ${base.pose.roll} -> ${q.pose.roll}`);
});

test('the match report carries both images\' quality, from the same detection', { skip }, async () => {
  const p = readPairs('lfw-original-dev').find((x) => x.same)!;
  const darkUser = await sharp(readFileSync(p.a)).linear(0.2, 0).jpeg().toBuffer();
  const r = await engine.match(darkUser, readFileSync(p.b));
  assert.ok(r.quality.user_image.issues.some((i) => i.code === 'TOO_DARK'));
  assert.match(r.quality.user_image.issues.find((i) => i.code === 'TOO_DARK')!.message, /selfie/);
  assert.ok(!r.quality.ref_image.issues.some((i) => i.code === 'TOO_DARK'));
  assert.deepEqual(r.quality.user_image.face_bbox, r.user_image.entities[0]!.bbox);
  assert.deepEqual(r.quality.ref_image.face_bbox, r.ref_image.entities[0]!.bbox);
  assert.equal(r.quality.ref_image.face_count, r.ref_image.entities.length);
});
