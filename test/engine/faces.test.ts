// Real faces at the default standalone threshold (30): same person Approved, different
// people Declined. Pairs are taken from every labelled set, including tight crops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FaceEngine } from '../../src/engine/index.js';
import { hasFaces, noFacesReason, readPairs, type Pair } from '../helpers/data.js';

const SETS = ['lfw-original-dev', 'lfw-funneled-dev', 'celeb5-crops', 'tv-grayscale-crops'];

/** Spread picks: every k-th pair of each kind from each set, `perSet` of each kind. */
function pick(same: boolean, perSet: number): Pair[] {
  return SETS.flatMap((set) => {
    const ps = readPairs(set).filter((p) => p.same === same);
    const step = Math.floor(ps.length / perSet);
    return Array.from({ length: perSet }, (_, i) => ps[i * step]!);
  });
}

test('same-person pairs are Approved and different-person pairs Declined at the default threshold', { skip: hasFaces ? false : noFacesReason }, async () => {
  const engine = new FaceEngine();
  const results: Array<{ pair: Pair; status: string; score: number | null }> = [];
  for (const pair of [...pick(true, 6), ...pick(false, 6)]) {
    const r = await engine.match(readFileSync(pair.a), readFileSync(pair.b));
    results.push({ pair, status: r.status, score: r.score });
    // Every image of these sets has a face (tight crops included): never "no face".
    assert.ok(r.user_image.entities.length > 0 && r.ref_image.entities.length > 0, `no face in ${pair.a} or ${pair.b}`);
  }
  const same = results.filter((r) => r.pair.same);
  const diff = results.filter((r) => !r.pair.same);
  const approved = same.filter((r) => r.status === 'Approved').length;
  const declined = diff.filter((r) => r.status === 'Declined').length;
  const misses = results.filter((r) => (r.pair.same ? r.status !== 'Approved' : r.status !== 'Declined'));
  assert.ok(same.length === 24 && diff.length === 24);
  assert.ok(approved >= 20, `only ${approved}/24 same-person pairs Approved: ${JSON.stringify(misses)}`);
  assert.ok(declined >= 20, `only ${declined}/24 different-person pairs Declined: ${JSON.stringify(misses)}`);
  // Scores are calibrated: same-person median well above the thresholds, impostors far below.
  const med = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  assert.ok(med(same.map((r) => r.score!)) > 70);
  assert.ok(med(diff.map((r) => r.score!)) < 30);
});

test('embed() returns a unit 512-D vector and the chosen face', { skip: hasFaces ? false : noFacesReason }, async () => {
  const engine = FaceEngine.shared();
  const p = readPairs('lfw-original-dev')[0]!;
  const e = await engine.embed(readFileSync(p.a));
  assert.ok(e);
  assert.equal(e.embedding.length, 512);
  const norm = Math.sqrt(e.embedding.reduce((s, v) => s + v * v, 0));
  assert.ok(Math.abs(norm - 1) < 1e-4);
  assert.deepEqual(e.face, e.entities[0]);
  const { report, alignedFaces } = await engine.matchDetailed(readFileSync(p.a), readFileSync(p.b));
  assert.equal(report.status, 'Approved');
  assert.ok(alignedFaces.user && alignedFaces.user.subarray(1, 4).toString() === 'PNG');
});
