// The black-point option of the dark-face correction (enhance.blackPoint) on synthetic
// images: a dark face whose blacks were lifted gets its black level subtracted before the
// gain (darkest levels back near 0, more contrast than the plain gain gives), a dark face
// without lifted blacks and a well-lit one are corrected exactly as without the option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exposureLut, faceBlackPoint, lumaPercentile } from '../../src/engine/enhance.js';
import type { Box, RgbImage } from '../../src/engine/image.js';
import { correctExposure } from '../../src/engine/measure.js';
import { pipelineConfig } from '../../src/engine/pipeline-config.js';
import { lumaStats } from '../../src/engine/quality.js';

const W = 200;
const H = 240;
// The face region spans the whole ramp, so its darkest 1% is the ramp's foot.
const box: Box = [0, 40, 200, 200];

/** A grey "face": a horizontal ramp 0..`top` levels with a seeded +-3 level texture, raised to `lift` with white kept (contrast x (1 - lift/255)). */
function face(top: number, lift = 0): RgbImage {
  const data = new Uint8Array(W * H * 3);
  let s = 12345;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const v = Math.max(0, Math.min(255, (x / (W - 1)) * top + ((s >>> 16) % 7) - 3));
      const l = Math.round(lift + v * (1 - lift / 255));
      data.set([l, l, l], (y * W + x) * 3);
    }
  }
  return { data, width: W, height: H };
}

const off = pipelineConfig().enhance;
const on = pipelineConfig({ enhance: { blackPoint: { percentile: 1 } } as never }).enhance;

test('the option is off by default, and a zero black point is the plain gain', () => {
  assert.equal(off.blackPoint, false);
  assert.deepEqual(exposureLut(30, 115, 'gain', 0), exposureLut(30, 115, 'gain'));
  // Black point 20 of mean 30: level 20 -> 0, the mean -> the target.
  const lut = exposureLut(30, 115, 'gain', 20);
  assert.equal(lut[20], 0);
  assert.equal(lut[10], 0);
  assert.ok(Math.abs(lut[30]! - 115) <= 1, `mean maps to ${lut[30]}`);
});

test('a dark face with lifted blacks: the black level is subtracted before the gain', () => {
  const img = face(70, 20);
  const mean = lumaStats(img, box).mean;
  assert.ok(mean < off.darkBelow, `synthetic face mean ${mean}`);
  const black = faceBlackPoint(img, box, mean, on);
  // The darkest 1% sits at the lift (ramp foot 0 -> 20 after lifting), within the texture.
  assert.ok(black >= 18 && black <= 24, `black point ${black}`);
  assert.equal(faceBlackPoint(img, box, mean, off), 0);

  const plain = correctExposure({ asSent: img, working: img, box, enhance: off });
  const lifted = correctExposure({ asSent: img, working: img, box, enhance: on });
  assert.equal(plain.corrected, true);
  assert.equal(lifted.corrected, true);
  // Both bring the face's mean to about the target...
  for (const c of [plain, lifted]) assert.ok(Math.abs(lumaStats(c.image, box).mean - off.target) < 8, `mean ${lumaStats(c.image, box).mean}`);
  // ...but only with the black point do the darkest levels come back near black, and the face spread wider.
  assert.ok(lumaPercentile(plain.image, box, 1) > 40, `plain gain keeps a grey floor: ${lumaPercentile(plain.image, box, 1)}`);
  assert.ok(lumaPercentile(lifted.image, box, 1) < 8, `black point floor ${lumaPercentile(lifted.image, box, 1)}`);
  assert.ok(lumaStats(lifted.image, box).sd > lumaStats(plain.image, box).sd * 1.4, `sd ${lumaStats(lifted.image, box).sd} vs ${lumaStats(plain.image, box).sd}`);
});

test('a dark face without lifted blacks and a well-lit face come out as without the option', () => {
  const dark = face(50);
  const a = correctExposure({ asSent: dark, working: dark, box, enhance: on });
  const b = correctExposure({ asSent: dark, working: dark, box, enhance: off });
  assert.equal(a.corrected, true);
  assert.deepEqual(a.image.data, b.image.data);

  const lit = face(230, 20);
  const mean = lumaStats(lit, box).mean;
  assert.ok(mean > off.darkBelow && mean < off.brightAbove, `lit face mean ${mean}`);
  assert.equal(faceBlackPoint(lit, box, mean, on), 0);
  const c = correctExposure({ asSent: lit, working: lit, box, enhance: on });
  assert.equal(c.corrected, false);
  assert.equal(c.image, lit);
});

test('the black point is at most half the face mean (a flat face is not stretched without bound)', () => {
  // A flat dark face: every level within +-3 of 40.
  const flat = face(0, 40);
  const mean = lumaStats(flat, box).mean;
  assert.ok(lumaPercentile(flat, box, 1) > mean / 2);
  assert.equal(faceBlackPoint(flat, box, mean, on), mean / 2);
});
