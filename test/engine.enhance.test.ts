// Exposure/colour corrections on real photos: a well-lit photo is left untouched (same
// embedding with corrections on and off); a dark, noisy version of a genuine pair scores
// higher with them than without, and a near-black one is found only by the retry; the
// quality signals still describe the photo as sent (TOO_DARK).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { FaceEngine } from '../src/engine/index.js';
import { applyColour, gammaLut, greyWorld } from '../src/engine/enhance.js';
import { hasFaces, noFacesReason, readPairs } from './helpers/data.js';

const skip = hasFaces ? false : noFacesReason;
const on = new FaceEngine({ parallel: false });
const off = new FaceEngine({ parallel: false, pipeline: { enhance: { on: false } as never } });
after(async () => {
  await on.close();
  await off.close();
});

test('gamma LUT maps the given mean to the target; grey-world flags a strong cast only', () => {
  const lut = gammaLut(30, 115);
  assert.ok(Math.abs(lut[30]! - 115) <= 1);
  assert.equal(lut[0], 0);
  assert.equal(lut[255], 255);
  const px = (r: number, g: number, b: number) => ({ data: Uint8Array.from({ length: 300 }, (_, i) => [r, g, b][i % 3]!), width: 10, height: 10 });
  assert.ok(greyWorld(px(120, 118, 121)).cast < 0.05);
  const warm = greyWorld(px(180, 140, 100));
  assert.ok(warm.cast > 0.3);
  const fixed = applyColour(px(180, 140, 100), null, warm.gains);
  assert.ok(Math.abs(fixed.data[0]! - fixed.data[2]!) < 12, `balanced ${fixed.data.slice(0, 3)}`);
});

test('a well-lit photo is not corrected: identical embedding with corrections on and off', { skip }, async () => {
  for (const p of readPairs('lfw-original-dev').slice(0, 4)) {
    const img = readFileSync(p.a);
    const a = await on.analyze(img);
    const b = await off.analyze(img);
    assert.equal(a.corrected, false);
    assert.deepEqual(Array.from(a.embedding!), Array.from(b.embedding!));
  }
});

test('dark noisy selfies of genuine pairs score higher corrected on average; quality still says TOO_DARK', { skip }, async () => {
  const sum = { on: 0, off: 0 };
  const pairs = readPairs('lfw-funneled-dev').filter((p) => p.same).slice(0, 8);
  for (const p of pairs) {
    // Under-exposed x0.15 with +-6 levels of sensor noise, then JPEG (a dim room).
    const { data, info } = await sharp(readFileSync(p.b)).linear(0.15, 0).raw().toBuffer({ resolveWithObject: true });
    let s = 7;
    for (let i = 0; i < data.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = Math.max(0, Math.min(255, data[i]! + ((s >>> 16) % 13) - 6));
    }
    const dark = await sharp(data, { raw: info }).jpeg({ quality: 75 }).toBuffer();
    const ref = readFileSync(p.a);
    const [r1, r0] = [await on.match(dark, ref), await off.match(dark, ref)];
    sum.on += r1.score ?? 0;
    sum.off += r0.score ?? 0;
    assert.ok(r1.quality.user_image.issues.some((i) => i.code === 'TOO_DARK'));
  }
  assert.ok(sum.on > sum.off + 8, `mean score corrected ${sum.on / 8}, uncorrected ${sum.off / 8}`);
});

test('a near-black photo: no face without the retry, found with it', { skip }, async () => {
  let foundOn = 0;
  let foundOff = 0;
  for (const p of readPairs('lfw-funneled-dev').slice(0, 12)) {
    const black = await sharp(readFileSync(p.a)).linear(0.07, 0).png().toBuffer();
    if ((await on.analyze(black)).embedding) foundOn++;
    if ((await off.analyze(black)).embedding) foundOff++;
  }
  assert.ok(foundOn > foundOff, `found ${foundOn} with corrections, ${foundOff} without`);
});
