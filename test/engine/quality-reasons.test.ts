// Quality issues that explain a decline: a dark selfie's LOW_FACE_MATCH_SIMILARITY warning
// and a no-face selfie's NO_FACE_IN_SELFIE warning say "selfie too dark: ..." (with the
// measured brightness) in long_description and additional_data.quality_issues, while the
// risk codes stay the platform's five and a clean photo's warning stays as it was.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { FaceEngine, QUALITY_THRESHOLDS } from '../../src/engine/index.js';
import { outcomeOf } from '../../src/services/face-match-outcome.js';
import { FACE_MATCH_RISKS } from '../../src/contract/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';

const skip = hasFaces ? false : noFacesReason;
const engine = new FaceEngine({ parallel: false });
after(() => engine.close());

const impostor = (): { a: Buffer; b: Buffer } => {
  const p = readPairs('lfw-funneled-dev').find((r) => !r.same)!;
  return { a: readFileSync(p.a), b: readFileSync(p.b) };
};

test('a dark selfie of another person: declined, and the warning says the selfie is too dark', { skip }, async () => {
  const { a, b } = impostor();
  const dark = await sharp(b).linear(0.3, 0).jpeg({ quality: 90 }).toBuffer();
  const report = await engine.match(dark, a);
  assert.equal(report.status, 'Declined');
  assert.ok(report.score !== null, 'the darkened face should still be found (x0.3)');
  assert.ok(report.quality.user_image.brightness! < QUALITY_THRESHOLDS.minBrightness, JSON.stringify(report.quality.user_image));
  const w = report.warnings.find((x) => x.risk === 'LOW_FACE_MATCH_SIMILARITY')!;
  assert.ok(w, JSON.stringify(report.warnings));
  assert.match(w.long_description, /decline threshold.*Photo quality: selfie too dark: face brightness \d+ of 255, under 50\./);
  const qi = (w.additional_data!.quality_issues as Array<{ image: string; code: string; reason: string }>);
  assert.deepEqual(qi.map((q) => [q.image, q.code]), [['user_image', 'TOO_DARK']]);
  assert.equal(w.additional_data!.score, report.score);
  // The service's outcome keeps the engine's warning (and its reason) for a scored pair.
  const out = outcomeOf(report, { nodeId: null });
  assert.deepEqual(out.warnings.map((x) => x.risk), ['LOW_FACE_MATCH_SIMILARITY']);
  assert.match(out.warnings[0]!.long_description, /selfie too dark/);
});

test('the same pair in good light: the warning has no quality reason', { skip }, async () => {
  const { a, b } = impostor();
  const report = await engine.match(b, a);
  assert.equal(report.status, 'Declined');
  const w = report.warnings.find((x) => x.risk === 'LOW_FACE_MATCH_SIMILARITY')!;
  assert.doesNotMatch(w.long_description, /Photo quality/);
  assert.equal(w.additional_data!.quality_issues, undefined);
});

test('no face in a near-black selfie: NO_FACE_IN_SELFIE says why; the reference is not blamed', { skip }, async () => {
  const { a } = impostor();
  const black = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#0c0c0c' } }).jpeg().toBuffer();
  const report = await engine.match(black, a, { mode: 'workflow', nodeId: 'face_match_1' });
  assert.equal(report.score, null);
  const out = outcomeOf(report, { nodeId: 'face_match_1', notComputed: 'DECLINE' });
  assert.equal(out.status, 'Declined');
  assert.equal(out.warnings.length, 1);
  const w = out.warnings[0]!;
  assert.equal(w.risk, 'NO_FACE_IN_SELFIE');
  assert.ok((FACE_MATCH_RISKS as readonly string[]).includes(w.risk));
  assert.match(w.long_description, /^No face could be detected in the selfie.*Photo quality: selfie too dark: image brightness 12 of 255, under 50\.$/);
  assert.deepEqual((w.additional_data!.quality_issues as Array<{ image: string; code: string }>).map((q) => [q.image, q.code]), [['user_image', 'TOO_DARK']]);
  // Without quality signals (an older report) the warning is the plain one.
  const plain = outcomeOf({ ...report, quality: undefined }, { nodeId: null });
  assert.equal(plain.warnings[0]!.additional_data, null);
  assert.doesNotMatch(plain.warnings[0]!.long_description, /Photo quality/);
});
