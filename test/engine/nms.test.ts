import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iou, nms } from '../../src/engine/nms.js';
import { decodeDetections } from '../../src/engine/detect.js';

test('iou of identical, disjoint and half-overlapping boxes', () => {
  assert.equal(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
  assert.equal(iou([0, 0, 10, 10], [20, 20, 30, 30]), 0);
  assert.ok(Math.abs(iou([0, 0, 10, 10], [5, 0, 15, 10]) - 50 / 150) < 1e-12);
});

test('nms keeps the best box per cluster and every separate face', () => {
  const kept = nms(
    [
      { box: [0, 0, 10, 10], score: 0.7 },
      { box: [1, 1, 11, 11], score: 0.9 },
      { box: [50, 50, 60, 60], score: 0.65 },
      { box: [2, 0, 12, 10], score: 0.8 },
      { box: [6, 0, 16, 10], score: 0.75 }, // IoU with the best = 0.25 < 0.3: a separate face
    ],
    0.3,
  );
  assert.deepEqual(kept.map((k) => k.score), [0.9, 0.75, 0.65]);
});

test('nms does not suppress a small box inside a large one unless IoU is high', () => {
  // The package's "NMS" divided by one box's area; real IoU keeps a small nested face.
  const kept = nms([{ box: [0, 0, 100, 100], score: 0.9 }, { box: [10, 10, 30, 30], score: 0.8 }], 0.3);
  assert.equal(kept.length, 2);
});

test('detector outputs: threshold, scaling to pixels, suppression', () => {
  const scores = new Float32Array([0.9, 0.1, 0.2, 0.8, 0.1, 0.95, 0.3, 0.7]);
  const boxes = new Float32Array([0, 0, 0.1, 0.1, 0.1, 0.1, 0.3, 0.3, 0.11, 0.1, 0.31, 0.3, 0.6, 0.6, 0.8, 0.8]);
  const dets = decodeDetections(scores, boxes, 200, 100, 0.6);
  assert.equal(dets.length, 2);
  assert.equal(dets[0]!.score.toFixed(2), '0.95');
  assert.deepEqual(dets[0]!.box.map((v) => Math.round(v)), [22, 10, 62, 30]);
  assert.deepEqual(dets[1]!.box.map((v) => Math.round(v)), [120, 60, 160, 80]);
});
