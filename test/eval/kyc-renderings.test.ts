// The dim renderings of the KYC development set (test/eval/kyc-set.ts, DIM_RENDERINGS) are
// what their names say: coarse noise has the same sd with less high-frequency energy,
// lifted blacks raise the darkest levels, the phone-style denoise flattens noise but keeps
// edges, every selfie is a JPEG, and the same seed gives the same bytes. Fast: one pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { DIM_RENDERINGS, PARAM_SETS, Rng, coarseNoise, liftBlacks, phoneDenoise, renderPair, renderSelfiePhoto, type DimRendering, type Raw } from './kyc-set.js';
import { sumConditions } from './kyc-table.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';

const skip = hasFaces ? false : noFacesReason;

/** Luma sd and rms difference of horizontal neighbours (high-frequency energy) of one plane. */
function stats(plane: ArrayLike<number>, w: number, h: number, stride = 1): { sd: number; hf: number } {
  let s = 0;
  let s2 = 0;
  let d2 = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = plane[(y * w + x) * stride]!;
      s += v;
      s2 += v * v;
      if (x + 1 < w) d2 += (v - plane[(y * w + x + 1) * stride]!) ** 2;
    }
  }
  const n = w * h;
  return { sd: Math.sqrt(s2 / n - (s / n) ** 2), hf: Math.sqrt(d2 / ((w - 1) * h)) };
}

test('coarse noise: the same sd as fine noise, less high-frequency energy the coarser it is, and reproducible', () => {
  const w = 240;
  const h = 320;
  const field = (scale: number, seed = 5): Float32Array => coarseNoise(w, h, scale, 7, new Rng(seed), 0.8);
  const [fine, x2, x4] = [1, 2, 4].map((s) => stats(field(s), w, h, 3));
  const expected = Math.sqrt(7 ** 2 + (7 * 0.8) ** 2); // luma + one channel's chroma
  for (const r of [fine, x2, x4]) assert.ok(Math.abs(r!.sd - expected) / expected < 0.05, `sd ${r!.sd.toFixed(2)}, expected ${expected.toFixed(2)}`);
  assert.ok(x2!.hf < 0.7 * fine!.hf, `x2 high-frequency ${x2!.hf.toFixed(2)} vs fine ${fine!.hf.toFixed(2)}`);
  assert.ok(x4!.hf < 0.6 * x2!.hf, `x4 high-frequency ${x4!.hf.toFixed(2)} vs x2 ${x2!.hf.toFixed(2)}`);
  assert.deepEqual(field(2), field(2));
  assert.notDeepEqual(field(2, 5), field(2, 6));
});

test('lifted blacks: black becomes the lift level, white stays white, contrast is compressed', () => {
  const img: Raw = { data: new Uint8ClampedArray([0, 0, 0, 10, 20, 30, 255, 255, 255]), width: 3, height: 1 };
  liftBlacks(img, 24);
  assert.deepEqual([img.data[0], img.data[1], img.data[2]], [24, 24, 24]);
  assert.deepEqual([img.data[6], img.data[7], img.data[8]], [255, 255, 255]);
  // 10 levels apart before, 10 x (1 - 24/255) after.
  assert.equal(img.data[4]! - img.data[3]!, Math.round(24 + 20 * (1 - 24 / 255)) - Math.round(24 + 10 * (1 - 24 / 255)));
  assert.ok(img.data[4]! - img.data[3]! < 10);
});

test('phone denoise: noise on a flat patch drops, a step edge survives', () => {
  const w = 80;
  const h = 60;
  const img: Raw = { data: new Uint8ClampedArray(w * h * 3), width: w, height: h };
  const rng = new Rng(9);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) img.data[(y * w + x) * 3 + c] = (x < w / 2 ? 40 : 120) + rng.gauss() * 6;
  const out = phoneDenoise(img, 2 * 6, 3, 0.3);
  const luma = (r: Raw): Float32Array => Float32Array.from({ length: w * h }, (_, i) => 0.299 * r.data[i * 3]! + 0.587 * r.data[i * 3 + 1]! + 0.114 * r.data[i * 3 + 2]!);
  const patch = (l: Float32Array, x0: number): number[] => Array.from({ length: 30 * 20 }, (_, k) => l[(20 + Math.floor(k / 20)) * w + x0 + (k % 20)]!);
  const before = stats(patch(luma(img), 5), 20, 30);
  const after = stats(patch(luma(out), 5), 20, 30);
  assert.ok(after.sd < before.sd / 2, `flat patch sd ${before.sd.toFixed(2)} -> ${after.sd.toFixed(2)}`);
  const lo = luma(out);
  const row = 30 * w;
  // Two pixels either side of the step still differ by most of its 80 levels.
  assert.ok(lo[row + w / 2 + 1]! - lo[row + w / 2 - 2]! > 60, `edge ${lo[row + w / 2 - 2]} -> ${lo[row + w / 2 + 1]}`);
});

test('every dim rendering of a pair is a 960x1280 JPEG, reproducible per seed, differing only in what its name says', { skip }, async () => {
  const index = 0;
  const p = readPairs('lfw-funneled-dev')[index]!;
  const photo = readFileSync(p.b);
  const params = PARAM_SETS.base;
  const render = (condition: DimRendering, seed = 1): Promise<Buffer> => renderSelfiePhoto(photo, { seed, index, condition, params });
  const grey = new Map<DimRendering, { data: Buffer; w: number; h: number }>();
  for (const c of DIM_RENDERINGS) {
    const buf = await render(c);
    const meta = await sharp(buf).metadata();
    assert.equal(meta.format, 'jpeg', c);
    assert.deepEqual([meta.width, meta.height], [960, 1280], c);
    const { data, info } = await sharp(buf).greyscale().raw().toBuffer({ resolveWithObject: true });
    grey.set(c, { data, w: info.width, h: info.height });
  }
  // Seeded: the same bytes again; another seed, other bytes. `dim` is the set's own condition.
  assert.ok((await render('dim_coarse_x4')).equals(await render('dim_coarse_x4')));
  assert.ok(!(await render('dim_lifted')).equals(await render('dim_lifted', 2)));
  const full = await renderPair(readFileSync(p.a), photo, { seed: 1, index, condition: 'dim', params });
  assert.ok(full.selfie.equals(await render('dim')));

  const g = (c: DimRendering): { data: Buffer; w: number; h: number } => grey.get(c)!;
  // The same exposure draws: mean luma of the frame within a few levels (lifted excepted).
  const mean = (c: DimRendering): number => g(c).data.reduce((s, v) => s + v, 0) / g(c).data.length;
  for (const c of ['dim_coarse_x2', 'dim_coarse_x4', 'dim_upscaled', 'dim_denoised_jpeg'] as const) assert.ok(Math.abs(mean(c) - mean('dim')) < 3, `${c}: mean luma ${mean(c).toFixed(1)} vs dim ${mean('dim').toFixed(1)}`);
  // Lifted blacks: the darkest 1% of the frame is raised by at least most of the smallest lift.
  const p1 = (c: DimRendering): number => [...g(c).data].sort((a, b) => a - b)[Math.floor(g(c).data.length / 100)]!;
  assert.ok(p1('dim_lifted') >= p1('dim') + params.selfie.dimLift[0] * 0.7, `1st percentile ${p1('dim')} -> ${p1('dim_lifted')}`);
  assert.ok(p1('dim_upscaled_lifted') >= p1('dim_upscaled') + params.selfie.dimLift[0] * 0.7, `1st percentile ${p1('dim_upscaled')} -> ${p1('dim_upscaled_lifted')}`);
  assert.ok(mean('dim_lifted') > mean('dim') + params.selfie.dimLift[0] * 0.7);
  // Noise grain, read on the bottom band of the frame (blurred background, below the photo
  // whatever the framing draws): high-frequency energy falls with coarser noise and after
  // the denoise.
  const band = (c: DimRendering): { sd: number; hf: number } => {
    const { data, w, h } = g(c);
    return stats(data.subarray((h - 64) * w), w, 64);
  };
  const [dim, x2, x4, up, dn] = (['dim', 'dim_coarse_x2', 'dim_coarse_x4', 'dim_upscaled', 'dim_denoised_jpeg'] as const).map(band);
  assert.ok(x4!.hf < x2!.hf && x2!.hf < dim!.hf, `high-frequency energy dim ${dim!.hf.toFixed(2)}, x2 ${x2!.hf.toFixed(2)}, x4 ${x4!.hf.toFixed(2)}`);
  assert.ok(x4!.hf / x4!.sd < 0.7 * (dim!.hf / dim!.sd), `high-frequency share dim ${(dim!.hf / dim!.sd).toFixed(2)}, x4 ${(x4!.hf / x4!.sd).toFixed(2)}`);
  assert.ok(up!.hf < dim!.hf, `upscaled ${up!.hf.toFixed(2)} vs dim ${dim!.hf.toFixed(2)}`);
  assert.ok(dn!.hf < dim!.hf / 1.5, `denoised ${dn!.hf.toFixed(2)} vs dim ${dim!.hf.toFixed(2)}`);
});

test('kyc-table sums each condition over sets as counts (the shares eval prints times the genuine count)', () => {
  const group = (genuine: number, k30: number, k70: number, noFace: number, imp30: number) => ({
    genuine, impostors: 10, selfies: genuine + 10, no_face_selfie: noFace,
    genuine_not_declined_standalone: Math.round((k30 / genuine) * 1e4) / 1e4,
    genuine_not_declined_workflow: Math.round((k30 / genuine) * 1e4) / 1e4,
    genuine_auto_approved: Math.round((k70 / genuine) * 1e4) / 1e4,
    impostors_above_30: imp30, impostors_above_50: 0,
  });
  const sums = sumConditions([
    { conditions: { dim: group(29, 26, 21, 0, 0), dim_lifted: group(31, 23, 17, 1, 1) } },
    { conditions: { dim: group(31, 28, 20, 2, 1) } },
  ]);
  assert.deepEqual(sums.get('dim'), { genuine: 60, impostors: 20, selfies: 80, noFace: 2, above30: 54, above50: 54, above70: 41, imp30: 1, imp50: 0 });
  assert.equal(sums.get('dim_lifted')!.above30, 23);
  assert.equal(sums.size, 2);
});
