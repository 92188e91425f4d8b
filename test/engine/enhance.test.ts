// Exposure/colour corrections on real photos: a well-lit photo is left untouched (same
// embedding with corrections on and off); a dark, noisy version of a genuine pair scores
// higher with them than without, and a near-black one is found only by the retry; the
// quality signals still describe the photo as sent (TOO_DARK).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { FaceEngine } from '../../src/engine/index.js';
import { DEFAULT_CLAHE, applyColour, boxBlur, claheGate, claheLuma, faceContrast, gammaLut, greyWorld, smoothLumaChroma } from '../../src/engine/enhance.js';
import type { RgbImage } from '../../src/engine/image.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { darkNoisy } from '../helpers/engine.js';

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
    const dark = await darkNoisy(readFileSync(p.b), { gain: 0.15, amp: 6, seed: 7, quality: 75 });
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

test('box blur (running sums): every pixel is the rounded mean of its clamped (2r+1)^2 window, any radius', () => {
  for (const [w, h, r] of [[13, 7, 1], [20, 31, 3], [9, 6, 8]] as const) {
    const data = new Uint8Array(w * h * 3);
    let s = 3;
    for (let i = 0; i < data.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = (s >>> 16) & 255;
    }
    const out = boxBlur({ data, width: w, height: h }, r).data;
    const at = (x: number, y: number, c: number): number => data[(Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) * 3 + c]!;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) sum += at(x + dx, y + dy, c);
          assert.equal(out[(y * w + x) * 3 + c], Math.floor(sum / (2 * r + 1) ** 2 + 0.5), `${w}x${h} r${r} at ${x},${y},${c}`);
        }
      }
    }
  }
});

test('luma/chroma smoothing: chroma noise is removed at the chroma radius, a luma edge kept at luma radius 0', () => {
  const w = 40;
  const h = 20;
  const data = new Uint8Array(w * h * 3);
  let s = 11;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const n = ((s >>> 16) % 41) - 20; // colour noise: red up, blue down, same luma-ish
      const base = x < w / 2 ? 60 : 180; // a vertical luma edge
      const o = (y * w + x) * 3;
      data[o] = base + n;
      data[o + 1] = base - Math.round((0.299 * n - 0.114 * n) / 0.587);
      data[o + 2] = base - n;
    }
  }
  const img: RgbImage = { data, width: w, height: h };
  const chromaSd = (im: RgbImage): number => {
    let s1 = 0;
    let s2 = 0;
    let k = 0;
    for (let y = 3; y < h - 3; y++) for (let x = 3; x < w / 2 - 4; x++) {
      const o = (y * w + x) * 3;
      const d = im.data[o]! - im.data[o + 2]!;
      s1 += d;
      s2 += d * d;
      k++;
    }
    return Math.sqrt(s2 / k - (s1 / k) ** 2);
  };
  const out = smoothLumaChroma(img, 0, 3);
  assert.ok(chromaSd(out) < chromaSd(img) / 3, `chroma sd ${chromaSd(out)} vs ${chromaSd(img)}`);
  // The edge between columns 19 and 20 stays a step (luma not blurred).
  const luma = (im: RgbImage, x: number): number => { const o = (10 * w + x) * 3; return 0.299 * im.data[o]! + 0.587 * im.data[o + 1]! + 0.114 * im.data[o + 2]!; };
  assert.ok(luma(out, 20) - luma(out, 19) > 100, `edge ${luma(out, 19)} -> ${luma(out, 20)}`);
  assert.ok(Math.abs(luma(out, 5) - luma(img, 5)) < 4);
});

test('a near-black noisy selfie found by the retry is measured on the photo itself (face gain + luma/chroma smoothing): higher genuine scores', { skip }, async () => {
  // The previous retry embedded the brightened whole-image copy as it was (no face-based
  // gain, no smoothing). Genuine funneled pairs, selfie x0.08 with +-9 levels of colour
  // noise, JPEG 85: a dark room.
  const old = new FaceEngine({ parallel: false, pipeline: { enhance: { retryOnOriginal: false, retrySmoothFirst: false, denoiseRadius: 'fixed', chromaRadius: 0 } as never } });
  try {
    const sum = { now: 0, old: 0 };
    let n = 0;
    for (const p of readPairs('lfw-funneled-dev').filter((r) => r.same).slice(0, 10)) {
      const dark = await darkNoisy(readFileSync(p.b), { gain: 0.08, amp: 9, seed: 5, quality: 85, side: 600 });
      const ref = readFileSync(p.a);
      const [a, b] = [await on.match(dark, ref), await old.match(dark, ref)];
      if (a.score === null || b.score === null) continue;
      sum.now += a.score;
      sum.old += b.score;
      n++;
    }
    assert.ok(n >= 6, `faces found in only ${n} of 10 dark selfies`);
    assert.ok(sum.now > sum.old + 3 * n, `mean genuine score now ${(sum.now / n).toFixed(1)}, before ${(sum.old / n).toFixed(1)} (${n} pairs)`);
  } finally {
    await old.close();
  }
});

// CLAHE (claheLuma): pure-function checks on synthetic images, then the gate on real photos.
const lumaAt = (im: RgbImage, i: number): number => 0.299 * im.data[i * 3]! + 0.587 * im.data[i * 3 + 1]! + 0.114 * im.data[i * 3 + 2]!;
function grey(w: number, h: number, f: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(f(x, y), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { data, width: w, height: h };
}

test('CLAHE: a low-contrast texture gets its local contrast stretched in the dark and the bright half alike', () => {
  // A texture of +-6 levels (every level in between) around 50 (left half) and 190 (right half).
  const img = grey(64, 64, (x, y) => (x < 32 ? 50 : 190) + ((x + 3 * y) % 13) - 6);
  const sd = (im: RgbImage, xa: number, xb: number): number => {
    let s1 = 0;
    let s2 = 0;
    let k = 0;
    for (let y = 4; y < 60; y++) for (let x = xa; x < xb; x++) {
      const l = lumaAt(im, y * 64 + x);
      s1 += l;
      s2 += l * l;
      k++;
    }
    return Math.sqrt(s2 / k - (s1 / k) ** 2);
  };
  const out = claheLuma(img, { tiles: 4, clip: 4 });
  for (const [xa, xb] of [[4, 28], [36, 60]] as const) {
    assert.ok(sd(out, xa, xb) > 2.5 * sd(img, xa, xb), `columns ${xa}-${xb}: sd ${sd(img, xa, xb).toFixed(1)} -> ${sd(out, xa, xb).toFixed(1)}`);
  }
  // Strength 0.5 lands between; a lower clip limit stretches less.
  const half = sd(claheLuma(img, { tiles: 4, clip: 4, strength: 0.5 }), 4, 28);
  assert.ok(half > sd(img, 4, 28) && half < sd(out, 4, 28));
  assert.ok(sd(claheLuma(img, { tiles: 4, clip: 1.5 }), 4, 28) < sd(out, 4, 28));
  // Pixels outside the region are copied.
  const part = claheLuma(img, { tiles: 2, clip: 4 }, { x: 0, y: 0, w: 32, h: 64 });
  assert.deepEqual(part.data.subarray(32 * 3, 64 * 3), img.data.subarray(32 * 3, 64 * 3));
  assert.ok(sd(part, 4, 28) > 2 * sd(img, 4, 28));
});

test('CLAHE: a flat image stays flat, near its own level', () => {
  for (const v of [30, 128, 220]) {
    const out = claheLuma(grey(40, 40, () => v), { tiles: 4, clip: 2 });
    const first = out.data[0]!;
    assert.ok(out.data.every((x) => x === first), `flat ${v} is no longer flat`);
    assert.ok(Math.abs(first - v) <= 3, `flat ${v} -> ${first}`);
  }
});

test('CLAHE: colour kept (R:G:B ratios of every unsaturated pixel), only luma changes', () => {
  const w = 48;
  const h = 48;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const k = 0.35 + 0.1 * Math.sin(x / 3) + 0.05 * (y / h); // low-contrast skin-like tone
    data.set([Math.round(200 * k), Math.round(140 * k), Math.round(100 * k)], (y * w + x) * 3);
  }
  const img: RgbImage = { data, width: w, height: h };
  const out = claheLuma(img, { tiles: 3, clip: 3 });
  let changed = 0;
  for (let i = 0; i < w * h; i++) {
    const [r, g, b] = [out.data[i * 3]!, out.data[i * 3 + 1]!, out.data[i * 3 + 2]!];
    if (r === 255) continue;
    if (Math.abs(lumaAt(out, i) - lumaAt(img, i)) > 3) changed++;
    const [r0, g0, b0] = [img.data[i * 3]!, img.data[i * 3 + 1]!, img.data[i * 3 + 2]!];
    assert.ok(Math.abs(r / g - r0 / g0) < 0.06 && Math.abs(g / b - g0 / b0) < 0.06, `pixel ${i}: ${r0},${g0},${b0} -> ${r},${g},${b}`);
  }
  assert.ok(changed > (w * h) / 4, `only ${changed} pixels changed luma`);
});

test('CLAHE gate: fires on an aligned face whose eye band is in shadow, not on an evenly lit one, never when off', () => {
  const even = grey(112, 112, (x, y) => 120 + ((x + y) % 7) * 4);
  const glasses = grey(112, 112, (x, y) => (y >= 38 && y < 64 ? 35 : 120) + ((x + y) % 7) * 4);
  assert.ok(faceContrast(even).band > 0.9);
  assert.ok(faceContrast(glasses).band < 0.4, `band ${faceContrast(glasses).band}`);
  const cfg = { ...DEFAULT_CLAHE, on: true, sdBelow: 0, bandBelow: 0.45 };
  assert.equal(claheGate(even, cfg), false);
  assert.equal(claheGate(glasses, cfg), true);
  assert.equal(claheGate(glasses, { ...cfg, on: false }), false);
});

test('CLAHE on (gated): well-lit photos are untouched, identical embedding to the default pipeline', { skip }, async () => {
  const eq = new FaceEngine({ parallel: false, pipeline: { enhance: { clahe: { on: true, sdBelow: 0, bandBelow: 0.45, clip: 1.5, strength: 0.5 } } as never } });
  try {
    for (const p of readPairs('lfw-original-dev').slice(0, 4)) {
      const img = readFileSync(p.b);
      const [a, b] = [await eq.analyze(img), await on.analyze(img)];
      assert.equal(a.corrected, false);
      assert.deepEqual(Array.from(a.embedding!), Array.from(b.embedding!));
    }
  } finally {
    await eq.close();
  }
});
