// Alignment: the closed-form similarity fit must equal a direct least-squares solve, and
// the warp must put the 5 points where the template says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARCFACE_TEMPLATE, applySimilarity, fitSimilarity, invertSimilarity, warpAligned } from '../../src/engine/align.js';
import type { Point } from '../../src/engine/landmarks.js';

/** Solves min ||A p - y|| for p = (a, b, tx, ty) through the 4x4 normal equations. */
function directLeastSquares(src: Point[], dst: Point[]): number[] {
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const [x, v] = src[i]!;
    rows.push([x, -v, 1, 0]);
    y.push(dst[i]![0]);
    rows.push([v, x, 0, 1]);
    y.push(dst[i]![1]);
  }
  const n = 4;
  const m = Array.from({ length: n }, (_, r) => [
    ...Array.from({ length: n }, (_, c) => rows.reduce((s, row) => s + row[r]! * row[c]!, 0)),
    rows.reduce((s, row, k) => s + row[r]! * y[k]!, 0),
  ]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('similarity fit equals the direct least-squares solution on noisy points', () => {
  const r = rng(7);
  for (let trial = 0; trial < 50; trial++) {
    const ang = (r() - 0.5) * 1.2;
    const sc = 0.3 + r() * 3;
    const src: Point[] = ARCFACE_TEMPLATE.map(([x, y]) => [x * sc * Math.cos(ang) - y * sc * Math.sin(ang) + r() * 200 + (r() - 0.5) * 4, x * sc * Math.sin(ang) + y * sc * Math.cos(ang) + r() * 0 + 50 + (r() - 0.5) * 4]);
    const t = fitSimilarity(src, ARCFACE_TEMPLATE);
    const [a, b, tx, ty] = directLeastSquares(src, ARCFACE_TEMPLATE);
    assert.ok(Math.abs(t.a - a!) < 1e-9 && Math.abs(t.b - b!) < 1e-9, `a,b: ${t.a},${t.b} vs ${a},${b}`);
    assert.ok(Math.abs(t.tx - tx!) < 1e-6 && Math.abs(t.ty - ty!) < 1e-6, `t: ${t.tx},${t.ty} vs ${tx},${ty}`);
  }
});

test('an exact similarity is recovered and inverted', () => {
  const truth = { a: 1.7 * Math.cos(0.3), b: 1.7 * Math.sin(0.3), tx: 12, ty: -5 };
  const src = ARCFACE_TEMPLATE;
  const dst = src.map((p) => applySimilarity(truth, p));
  const t = fitSimilarity(src, dst);
  for (const k of ['a', 'b', 'tx', 'ty'] as const) assert.ok(Math.abs(t[k] - truth[k]) < 1e-9);
  const back = applySimilarity(invertSimilarity(t), dst[2]!);
  assert.ok(Math.hypot(back[0] - src[2]![0], back[1] - src[2]![1]) < 1e-9);
});

test('warp moves marked points onto the template (large face is pre-shrunk without drift)', () => {
  for (const scale of [0.8, 3.5]) {
    // A white image with 5 dark dots where the scaled, rotated template points are.
    const w = Math.round(200 * scale);
    const img = { data: new Uint8Array(w * w * 3).fill(255), width: w, height: w };
    const t = { a: scale * Math.cos(0.2), b: scale * Math.sin(0.2), tx: 20 * scale, ty: 10 * scale };
    const pts = ARCFACE_TEMPLATE.map((p) => applySimilarity(t, p));
    const rad = Math.max(2, 2 * scale);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) {
      if (pts.some(([px, py]) => Math.hypot(x - px, y - py) <= rad)) img.data.fill(0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    }
    const out = warpAligned(img, pts);
    for (const [tx, ty] of ARCFACE_TEMPLATE) {
      const v = out.data[(Math.round(ty) * 112 + Math.round(tx)) * 3]!;
      assert.ok(v < 128, `scale ${scale}: template point (${tx},${ty}) should be dark, got ${v}`);
    }
  }
});
