// Threshold calibration (src/services/calibration.ts) on real LFW photos with the real engine:
// suggestions never go below the engine's calibrated FAR point, the summary says in plain words
// what share of different-person pairs lands above each threshold, and the work is bounded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FaceEngine } from '../../src/engine/index.js';
import { cosine } from '../../src/engine/embed.js';
import { CALIBRATION } from '../../src/engine/score.js';
import { calibrate, engineFloor, samplePairs, type CalibrationDeps } from '../../src/services/calibration.js';
import { facesDir, hasFaces, noFacesReason } from '../helpers/data.js';

test('the engine floor follows the calibration table', () => {
  assert.equal(engineFloor(0.01).review_threshold, 20);
  assert.equal(engineFloor(0.001).review_threshold, 30);
  assert.equal(engineFloor(0.0001).review_threshold, 50);
  const last = CALIBRATION.table[CALIBRATION.table.length - 1]!;
  assert.equal(engineFloor(1e-9).review_threshold, last.threshold);
  assert.match(engineFloor(1e-9).note, /below anything the engine's calibration measured/);
});

test('samples are even, balanced and interleaved', () => {
  const pairs = Array.from({ length: 1000 }, (_, i) => ({ same: i < 300, i }));
  const s = samplePairs(pairs, 100);
  assert.equal(s.length, 100);
  assert.equal(s.filter((p) => p.same).length, 50);
  assert.ok(s.slice(0, 10).some((p) => p.same) && s.slice(0, 10).some((p) => !p.same), 'both kinds early');
  assert.equal(new Set(s.map((p) => p.i)).size, 100, 'no pair twice');
  assert.equal(samplePairs(pairs.slice(0, 10), 100).length, 10);
});

function deps(engine: FaceEngine, progress: number[]): CalibrationDeps {
  return {
    embed: async (b) => (await engine.embed(b))?.embedding ?? null,
    cosine,
    readImage: async (p) => readFileSync(p),
    progress: async (done) => {
      progress.push(done);
    },
  };
}

test('96 LFW pairs: review never below the FAR point, plain-words shares, cache on the second call', { timeout: 300_000 }, async (t) => {
  if (!hasFaces) {
    t.diagnostic(`NOT RUN: ${noFacesReason}`);
    t.skip(noFacesReason);
    return;
  }
  const engine = FaceEngine.shared();
  await engine.load();
  const folder = join(facesDir, 'lfw-original-dev');
  const progress: number[] = [];
  // A budget far above the need: on a loaded machine the default 40 s can stop early, and
  // this test is about the thresholds, not the speed (the budget has its own test below).
  const r = await calibrate({ folder, maxPairs: 96, targetFar: 0.001, timeBudgetMs: 250_000 }, deps(engine, progress));
  assert.equal(r.pairs_used, 96);
  assert.equal(r.stopped_early, false);
  const s = r.suggested;
  assert.ok(s.face_match_score_review_threshold !== null && s.face_match_score_decline_threshold !== null);
  assert.ok(s.face_match_score_review_threshold >= 30, `review ${s.face_match_score_review_threshold} is not below the engine's FAR 1e-3 point`);
  assert.ok(s.face_match_score_decline_threshold <= s.face_match_score_review_threshold);
  // The shares in the result are what the table says at those thresholds.
  const far = (t0: number) => r.impostor.pairs ? r.table.find((row) => row.threshold === t0)?.far : undefined;
  if (s.face_match_score_review_threshold % 5 === 0) assert.equal(s.impostor_share_above_review, far(s.face_match_score_review_threshold));
  assert.match(r.summary, /not to apply blindly/);
  assert.match(r.summary, new RegExp(`Review threshold ${s.face_match_score_review_threshold}: [\\d.]+% of your different-person pairs \\(\\d+ of \\d+\\) score above it and would be approved automatically`));
  assert.match(r.summary, new RegExp(`Decline threshold ${s.face_match_score_decline_threshold}: [\\d.]+% of your different-person pairs \\(\\d+ of \\d+\\) score above it`));
  if (s.raised_to_engine_floor) assert.match(r.summary, /the engine's calibration puts FAR 0\.001 at score 30/);
  assert.ok(progress.length > 3 && progress.every((v, i) => i === 0 || v > progress[i - 1]!), 'progress increases');

  const started = Date.now();
  const again = await calibrate({ folder, maxPairs: 96, targetFar: 0.01 }, deps(engine, []));
  assert.equal(again.images_cached, again.images_analysed, 'every image came from the cache');
  assert.ok(Date.now() - started < 5000, 'a cached re-run is fast');
  assert.ok(again.suggested.face_match_score_review_threshold! >= 20);
});

test('the time budget stops the work and keeps both kinds of pairs', { timeout: 120_000 }, async (t) => {
  if (!hasFaces) {
    t.skip(noFacesReason);
    return;
  }
  const engine = FaceEngine.shared();
  await engine.load();
  const started = Date.now();
  const r = await calibrate({ folder: join(facesDir, 'lfw-funneled-dev'), maxPairs: 2000, timeBudgetMs: 3000 }, deps(engine, []));
  assert.equal(r.stopped_early, true);
  assert.ok(Date.now() - started < 20_000, `stopped in ${Date.now() - started} ms`);
  assert.ok(r.pairs_used < 2000 && r.pairs_used > 0);
  assert.ok(r.genuine.pairs > 0 && r.impostor.pairs > 0, 'interleaving keeps both kinds');
  assert.match(r.summary, /time budget/);
});
