// refine: 'small' (an eval option, off by default: measured neutral on KYC): a small face re-decoded from the original at full
// resolution is detected again on that crop before landmarks; photos whose face is not
// re-decoded (every LFW photo) are left exactly as with refine off.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { FaceEngine } from '../../src/engine/index.js';
import { iou } from '../../src/engine/nms.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';

const skip = hasFaces ? false : noFacesReason;
const small = new FaceEngine({ parallel: false, pipeline: { refine: 'small' } });
const off = new FaceEngine({ parallel: false, pipeline: { refine: false } });
after(async () => {
  await small.close();
  await off.close();
});
const photos = (n = 4): string[] => readPairs('lfw-funneled-dev').filter((p) => p.same).slice(0, n).map((p) => p.a);

test("refine 'small' leaves a photo whose face is not re-decoded unchanged", { skip }, async () => {
  for (const f of photos()) {
    const img = readFileSync(f);
    const [a, b] = [await small.analyze(img), await off.analyze(img)];
    assert.deepEqual(Array.from(a.embedding!), Array.from(b.embedding!), f);
  }
});

test("refine 'small' re-detects a small face in a large photo: embedding changes, face still the right one", { skip }, async () => {
  let changed = 0;
  let found = 0;
  for (const f of photos(8)) {
    const orig = readFileSync(f);
    const ref = (await off.analyze(orig)).entities[0]!.bbox;
    // The 250 px photo at 180 px in a 2000x1500 frame: decoded at 1/2, face ~50 px there.
    const photo = await sharp(orig).resize(180, 180).toBuffer();
    const frame = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#707070' } }).composite([{ input: photo, left: 900, top: 520 }]).jpeg({ quality: 80 }).toBuffer();
    const k = 180 / 250;
    const want: [number, number, number, number] = [900 + ref[0] * k, 520 + ref[1] * k, 900 + ref[2] * k, 520 + ref[3] * k];
    const [a, b] = [await small.analyze(frame), await off.analyze(frame)];
    // The detector sees this face at ~16 px: not every one is found (without refine either).
    assert.equal(!!a.embedding, !!b.embedding, f);
    if (!a.embedding || !b.embedding) continue;
    found++;
    assert.ok(iou(a.entities[0]!.bbox, want) > 0.6, `${f}: ${a.entities[0]!.bbox} vs ${want}`);
    const cos = a.embedding.reduce((s, v, i) => s + v * b.embedding![i]!, 0);
    assert.ok(cos > 0.9, `${f}: refined and unrefined faces differ too much (${cos})`);
    if (cos < 0.99999) changed++;
  }
  assert.ok(found >= 5, `only ${found} of 8 small faces found`);
  assert.ok(changed >= found - 1, `refine changed only ${changed} of ${found} small faces`);
});

test('tile retry: a face too small for the whole-frame detector is found on full-resolution tiles and matches', { skip }, async () => {
  const noTiles = new FaceEngine({ parallel: false, pipeline: { tileRetry: 0 } });
  try {
    let found = 0;
    let missed = 0;
    let matched = 0;
    for (const p of readPairs('lfw-funneled-dev').filter((r) => r.same).slice(0, 6)) {
      // The 250 px photo at 90 px (face ~37 px) in a 1280x960 frame, off-centre: decoded
      // at 1/2, the detector sees the face at ~9 px.
      const photo = await sharp(readFileSync(p.b)).resize(90, 90).toBuffer();
      const frame = await sharp({ create: { width: 1280, height: 960, channels: 3, background: '#8a8378' } }).composite([{ input: photo, left: 300, top: 250 }]).jpeg({ quality: 88 }).toBuffer();
      const [a, b] = [await small.analyze(frame), await noTiles.analyze(frame)];
      if (b.embedding) continue; // found without tiles: nothing to show here
      missed++;
      if (!a.embedding) continue;
      found++;
      const box = a.entities[0]!.bbox;
      assert.ok(box[0] > 290 && box[2] < 400 && box[1] > 240 && box[3] < 350, `box ${box} outside the photo`);
      const r = await small.match(frame, readFileSync(p.a));
      if (r.score! > 30) matched++;
    }
    assert.ok(missed >= 4, `only ${missed} of 6 faces were missed without tiles (the setting does not test the retry)`);
    assert.ok(found >= missed - 1, `tiles found ${found} of ${missed} missed faces`);
    assert.ok(matched >= found - 1, `${matched} of ${found} tile-found faces matched the other photo`);
  } finally {
    await noTiles.close();
  }
});
