// The ceiling of a KYC set: how its genuine pairs' untouched LFW sources score. A KYC
// image NNNNN comes from row NNNNN of the source pairs.tsv, so each condition's genuine
// pairs can be scored on the two LFW photos they were rendered from (embeddings dumped by
// `eval SOURCE --dump FILE`). No rendering adds information, so these are, within a point
// (the card and selfie crops differ from LFW's), the most a condition can reach.
//   node dist/test/eval/kyc-ceiling.js KYC_DIR SOURCE_DUMP.json [--source ../shared/data/faces/lfw-funneled-dev]
import { reportScore } from '../../src/engine/score.js';
import { kycDumpArgs } from './kyc-dump-args.js';

// The dump here is of the source set (its paths), not of the KYC set.
const { kycDir, source, src, kyc, emb } = kycDumpArgs('kyc-ceiling');
const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
const idx = (f: string): number => Number(/(\d+)\.jpg$/.exec(f)![1]);
const thresholds = [30, 50, 70];
const by = new Map<string, { genuine: number; above: number[] }>();
for (const p of kyc.filter((q) => q.same)) {
  const s = src[idx(p.a)]!;
  const [a, b] = [emb[s.a], emb[s.b]];
  const score = a && b ? reportScore(dot(a, b)) : -1;
  const c = by.get(p.condition!) ?? { genuine: 0, above: thresholds.map(() => 0) };
  c.genuine++;
  thresholds.forEach((t, k) => {
    if (score > t) c.above[k]!++;
  });
  by.set(p.condition!, c);
}
const out = Object.fromEntries([...by].map(([cond, c]) => [cond, { genuine: c.genuine, ...Object.fromEntries(thresholds.map((t, k) => [`source_above_${t}`, Number((c.above[k]! / c.genuine).toFixed(4))])) }]));
console.log(JSON.stringify({ set: kycDir, source, conditions: out }));
