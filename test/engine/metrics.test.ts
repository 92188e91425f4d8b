import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracyAt, bestThreshold, equalErrorRate, leaveOneFoldOut, tarAtFar, type ScoredPair } from '../../src/engine/metrics.js';

const pairs: ScoredPair[] = [
  { s: 0.9, same: true, fold: 1 },
  { s: 0.6, same: true, fold: 1 },
  { s: 0.2, same: false, fold: 1 },
  { s: 0.35, same: false, fold: 1 },
  { s: 0.8, same: true, fold: 2 },
  { s: 0.3, same: true, fold: 2 },
  { s: 0.1, same: false, fold: 2 },
  { s: 0.15, same: false, fold: 2 },
  { s: -Infinity, same: true, fold: 2 }, // no face: counted as "different"
];

test('best threshold separates where accuracy is highest', () => {
  const t = bestThreshold(pairs);
  assert.equal(accuracyAt(pairs, t), 7 / 9);
  assert.ok(t > 0.2 && t < 0.3);
});

test('leave-one-fold-out uses the other folds only', () => {
  const r = leaveOneFoldOut(pairs);
  // Fold 1 tested with fold 2's threshold (0.225, between 0.15 and 0.3): only the
  // 0.35 impostor is wrongly accepted.
  assert.equal(r.perFold[1], 0.75);
  assert.ok(r.mean > 0 && r.mean < 1 && r.std >= 0);
});

test('TAR at FAR and EER', () => {
  const { tar, threshold } = tarAtFar(pairs, 0);
  assert.equal(threshold, 0.35);
  assert.equal(tar, 3 / 5);
  assert.ok(equalErrorRate(pairs) > 0 && equalErrorRate(pairs) < 0.5);
});
