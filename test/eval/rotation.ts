// Does trying rotations (`rotate_image`) change any outcome on upright photos, and are
// rotated copies found at their true angle? For the first N pairs of a set: each photo
// analysed as sent and with rotations; the pair's status at the platform's default
// thresholds (standalone decline 30; workflow decline 50, review 70) with and without;
// then copies of each photo turned 90/180/270 degrees clockwise (PNG, lossless) analysed
// with rotations, which must come back at the angle that undoes the turn.
//   node dist/test/eval/rotation.js SET_DIR N [--no-copies]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { readPairsTsv } from '../../src/cli/eval.js';
import { FaceEngine, decideStandalone, decideWorkflow, STANDALONE_DECLINE_DEFAULT, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT, type FaceAnalysis } from '../../src/engine/index.js';
import { cosine } from '../../src/engine/embed.js';
import { reportScore } from '../../src/engine/score.js';

const args = process.argv.slice(2);
const copies = !args.includes('--no-copies');
const [dir, n] = args.filter((a) => !a.startsWith('--'));
if (!dir || !n) {
  process.stderr.write('usage: rotation SET_DIR N [--no-copies]\n');
  process.exit(2);
}
const set = resolve(dir);
const pairs = readPairsTsv(set).slice(0, Number(n));
const engine = new FaceEngine({ parallel: false, threads: 1 });

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? Math.round(((s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2) * 10) / 10 : NaN;
};
const ms = { upright: [] as number[], rotate: [] as number[], copy: [] as number[] };
async function timed(buf: Buffer, rotate: boolean, into: number[]): Promise<FaceAnalysis> {
  const t = performance.now();
  const a = await engine.analyze(buf, 'image', { rotate });
  into.push(performance.now() - t);
  return a;
}

const seen = new Map<string, { plain: FaceAnalysis; rotated: FaceAnalysis; buf: Buffer }>();
async function both(file: string): Promise<{ plain: FaceAnalysis; rotated: FaceAnalysis; buf: Buffer }> {
  let r = seen.get(file);
  if (!r) {
    const buf = readFileSync(join(set, file));
    r = { plain: await timed(buf, false, ms.upright), rotated: await timed(buf, true, ms.rotate), buf };
    seen.set(file, r);
  }
  return r;
}

const score = (a: FaceAnalysis, b: FaceAnalysis): number | null => (a.embedding && b.embedding ? reportScore(cosine(a.embedding, b.embedding)) : null);
const statuses = (s: number | null): string => `${decideStandalone(s, STANDALONE_DECLINE_DEFAULT).status}/${decideWorkflow(s, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT, null).status}`;
const out = { genuine: { pairs: 0, changed: 0 }, impostor: { pairs: 0, changed: 0 } };
const changes: unknown[] = [];
const notUpright: string[] = [];
for (const p of pairs) {
  const [a, b] = [await both(p.a), await both(p.b)];
  const [plain, rotated] = [score(a.plain, b.plain), score(a.rotated, b.rotated)];
  const k = p.same ? 'genuine' : 'impostor';
  out[k].pairs++;
  if (statuses(plain) !== statuses(rotated)) {
    out[k].changed++;
    changes.push({ a: p.a, b: p.b, same: p.same, plain, rotated, angles: [a.rotated.bestAngle, b.rotated.bestAngle] });
  }
}
for (const [f, r] of seen) if (r.rotated.bestAngle !== 0) notUpright.push(`${f}@${r.rotated.bestAngle}`);

const found = { copies: 0, at_true_angle: 0, no_face: 0, wrong: [] as string[] };
if (copies) {
  for (const [f, r] of seen) {
    if (!r.plain.embedding) continue; // no face as sent: nothing to find in its copies
    for (const turn of [90, 180, 270] as const) {
      const copy = await sharp(r.buf).rotate(turn).png().toBuffer();
      const a = await timed(copy, true, ms.copy);
      found.copies++;
      if (!a.embedding) found.no_face++;
      else if (a.bestAngle === (360 - turn) % 360) found.at_true_angle++;
      else found.wrong.push(`${f} turned ${turn}: best_angle ${a.bestAngle}`);
    }
  }
}
console.log(
  JSON.stringify(
    {
      set: dir,
      pairs: pairs.length,
      photos: seen.size,
      status_changes_with_rotation: out,
      changes,
      upright_photos_read_rotated: notUpright,
      rotated_copies: copies ? found : 'skipped',
      median_ms_per_photo: { as_sent: median(ms.upright), with_rotations: median(ms.rotate), rotated_copy_with_rotations: median(ms.copy) },
    },
    null,
    1,
  ),
);
await engine.close();
