import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreFromCosine, cosineForScore, reportScore, CALIBRATION, SCORE_KNOTS, decideStandalone, decideWorkflow } from '../../src/engine/index.js';
import { FacematchError } from '../../src/errors.js';

test('score map is monotone and within 0..100 over the whole cosine range', () => {
  let prev = -Infinity;
  for (let i = 0; i <= 20000; i++) {
    const c = -1 + i / 10000;
    const s = scoreFromCosine(c);
    assert.ok(s >= 0 && s <= 100, `score ${s} at ${c}`);
    assert.ok(s > prev, `not strictly increasing at cosine ${c}`);
    prev = s;
    assert.ok(reportScore(c) >= 0 && reportScore(c) <= 100);
  }
  assert.equal(scoreFromCosine(-5), 0);
  assert.equal(scoreFromCosine(5), 100);
  assert.equal(scoreFromCosine(Number.NaN), 0);
});

test('calibration table is ordered: higher threshold, lower or equal FAR and TAR', () => {
  const t = CALIBRATION.table;
  for (let i = 1; i < t.length; i++) {
    assert.ok(t[i]!.threshold > t[i - 1]!.threshold);
    assert.ok(t[i]!.far <= t[i - 1]!.far && t[i]!.tar <= t[i - 1]!.tar);
  }
});

test('standalone rule: strictly above the threshold approves', () => {
  assert.equal(decideStandalone(30).status, 'Declined');
  assert.equal(decideStandalone(30.0001).status, 'Approved');
  assert.deepEqual(decideStandalone(30.0001).warnings, []);
  const d = decideStandalone(30);
  assert.equal(d.warnings.length, 1);
  const w = d.warnings[0]!;
  assert.equal(w.risk, 'LOW_FACE_MATCH_SIMILARITY');
  assert.equal(w.feature, 'FACEMATCH');
  assert.equal(w.log_type, 'error');
  assert.equal(w.node_id, null);
  assert.deepEqual(Object.keys(w).sort(), ['additional_data', 'feature', 'log_type', 'long_description', 'node_id', 'risk', 'short_description']);
  assert.equal(decideStandalone(55, 60).status, 'Declined');
  assert.equal(decideStandalone(0, 0).status, 'Declined');
  assert.equal(decideStandalone(0.01, 0).status, 'Approved');
});

test('null score: Declined with NO_REFERENCE_IMAGE in both rules', () => {
  for (const d of [decideStandalone(null), decideWorkflow(null, 50, 70, 'face_match_1')]) {
    assert.equal(d.status, 'Declined');
    assert.deepEqual(d.warnings.map((w) => w.risk), ['NO_REFERENCE_IMAGE']);
  }
  assert.equal(decideWorkflow(null, 50, 70, 'face_match_1').warnings[0]!.node_id, 'face_match_1');
});

test('workflow rule boundaries: 50 Declined, 50.0001 In Review, 70 In Review, 70.0001 Approved', () => {
  assert.equal(decideWorkflow(50).status, 'Declined');
  assert.equal(decideWorkflow(50.0001).status, 'In Review');
  assert.equal(decideWorkflow(70).status, 'In Review');
  assert.equal(decideWorkflow(70.0001).status, 'Approved');
  assert.equal(decideWorkflow(60).warnings[0]!.log_type, 'warning');
  assert.equal(decideWorkflow(60).warnings[0]!.risk, 'LOW_FACE_MATCH_SIMILARITY');
  assert.equal(decideWorkflow(40).warnings[0]!.log_type, 'error');
  assert.deepEqual(decideWorkflow(90).warnings, []);
  assert.equal(decideWorkflow(60, 60, 60).status, 'Declined');
});

test('bad thresholds are VALIDATION errors', () => {
  for (const f of [() => decideStandalone(50, -1), () => decideStandalone(50, 101), () => decideStandalone(50, Number.NaN), () => decideWorkflow(50, 80, 70), () => decideWorkflow(50, 50, 100.5)]) {
    assert.throws(f, (e: unknown) => e instanceof FacematchError && e.code === 'VALIDATION' && e.status === 400);
  }
});

test('cosineForScore inverts scoreFromCosine between the first and last knots', () => {
  const knots = SCORE_KNOTS;
  for (let s = knots[0]![1] + 0.5; s < knots[knots.length - 1]![1]; s += 0.5) {
    assert.ok(Math.abs(scoreFromCosine(cosineForScore(s)) - s) < 1e-9, `score ${s}`);
  }
  assert.equal(cosineForScore(-1), knots[0]![0]);
  assert.equal(cosineForScore(1000), knots[knots.length - 1]![0]);
});
