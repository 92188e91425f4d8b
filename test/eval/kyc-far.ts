// FAR table on a KYC set: every cross-identity (ID card, selfie) pair, per selfie
// condition, from embeddings dumped by `eval SET --dump FILE`. Identities come from the
// LFW source pairs (a KYC image NNNNN comes from row NNNNN of the source pairs.tsv).
//   node dist/test/eval/kyc-far.js KYC_DIR DUMP.json [--source ../shared/data/faces/lfw-funneled-dev]
import { join } from 'node:path';
import { CALIBRATION, reportScore } from '../../src/engine/score.js';
import { kycDumpArgs } from './kyc-dump-args.js';

const { kycDir, src, kyc, emb } = kycDumpArgs('kyc-far');
const person = (p: string): string => p.split('/').slice(-2, -1)[0]!;
const idx = (f: string): number => Number(/(\d+)\.jpg$/.exec(f)![1]);
// One entry per card: a set with several selfie renderings per pair lists each card once per rendering.
const refs = [...new Set(kyc.map((p) => p.a))].map((a) => ({ file: a, who: person(src[idx(a)]!.a), e: emb[a] }));
const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
const thresholds = [20, 30, 50, 70];
const out: Record<string, unknown> = {};
for (const cond of [...new Set(kyc.map((p) => p.condition!))]) {
  const selfies = kyc.filter((p) => p.condition === cond).map((p) => ({ who: person(src[idx(p.b)]!.b), e: emb[p.b] }));
  let n = 0;
  const above = thresholds.map(() => 0);
  for (const s of selfies) {
    if (!s.e) continue;
    for (const r of refs) {
      if (!r.e || r.who === s.who) continue;
      const sc = reportScore(dot(s.e, r.e));
      n++;
      thresholds.forEach((t, k) => {
        if (sc > t) above[k]!++;
      });
    }
  }
  out[cond] = { impostor_pairs: n, ...Object.fromEntries(thresholds.map((t, k) => [`far_above_${t}`, n ? Number((above[k]! / n).toExponential(2)) : null])), ...Object.fromEntries(thresholds.map((t, k) => [`pairs_above_${t}`, above[k]])) };
}
const lfw = Object.fromEntries(CALIBRATION.table.filter((r) => thresholds.includes(r.threshold)).map((r) => [`far_above_${r.threshold}`, r.far]));
console.log(JSON.stringify({ set: join(kycDir), calibrated_lfw: lfw, conditions: out }));
