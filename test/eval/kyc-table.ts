// Per-condition tables from `eval` outputs (one JSON line each), counts summed over sets
// (seeds): for each pipeline LABEL, the eval outputs of every set it ran on.
//   node dist/test/eval/kyc-table.js default=/tmp/s1-a.json,/tmp/s2-a.json off=/tmp/s1-b.json,/tmp/s2-b.json
// Prints a markdown table of the first label (every metric), then one of every label side by
// side (genuine not declined >30 / auto-approved >70, selfies without a face).
import { readFileSync } from 'node:fs';
import { CONDITIONS, DIM_RENDERINGS } from './kyc-set.js';

interface Group {
  genuine: number;
  impostors: number;
  selfies: number;
  no_face_selfie: number;
  genuine_not_declined_standalone: number;
  genuine_not_declined_workflow: number;
  genuine_auto_approved: number;
  impostors_above_30: number;
  impostors_above_50: number;
}
interface Sum {
  genuine: number;
  impostors: number;
  selfies: number;
  noFace: number;
  above30: number;
  above50: number;
  above70: number;
  imp30: number;
  imp50: number;
}

export function sumConditions(outputs: Array<{ conditions?: Record<string, Group> }>): Map<string, Sum> {
  const by = new Map<string, Sum>();
  for (const o of outputs) {
    for (const [cond, g] of Object.entries(o.conditions ?? {})) {
      const s = by.get(cond) ?? { genuine: 0, impostors: 0, selfies: 0, noFace: 0, above30: 0, above50: 0, above70: 0, imp30: 0, imp50: 0 };
      // Shares are rounded to 4 decimals: times the count gives the count back exactly.
      const n = (share: number): number => Math.round(share * g.genuine);
      s.genuine += g.genuine;
      s.impostors += g.impostors;
      s.selfies += g.selfies;
      s.noFace += g.no_face_selfie;
      s.above30 += n(g.genuine_not_declined_standalone);
      s.above50 += n(g.genuine_not_declined_workflow);
      s.above70 += n(g.genuine_auto_approved);
      s.imp30 += g.impostors_above_30;
      s.imp50 += g.impostors_above_50;
      by.set(cond, s);
    }
  }
  return by;
}

const pct = (k: number, n: number): string => (n ? `${((100 * k) / n).toFixed(1)}%` : '-');

function main(): void {
  const labels = process.argv.slice(2).map((a) => {
    const i = a.indexOf('=');
    if (i < 1) throw new Error(`argument '${a}' is not LABEL=file.json[,file.json]`);
    return { label: a.slice(0, i), sums: sumConditions(a.slice(i + 1).split(',').map((f) => JSON.parse(readFileSync(f, 'utf8').trim().split('\n').pop()!) as { conditions?: Record<string, Group> })) };
  });
  if (labels.length === 0) {
    process.stderr.write('usage: kyc-table LABEL=eval.json[,eval.json] [LABEL=...]\n');
    process.exit(2);
  }
  const first = labels[0]!;
  // The set's own order (renderings first), then any other name.
  const order: string[] = [...DIM_RENDERINGS, ...CONDITIONS];
  const rank = (c: string): number => (order.includes(c) ? order.indexOf(c) : order.length);
  const conds = [...first.sums.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  console.log(`| rendering (${first.label}) | genuine | not declined >30 | in a workflow >50 | auto-approved >70 | selfies without a face | impostors >30 | impostors >50 |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const c of conds) {
    const s = first.sums.get(c)!;
    console.log(`| ${c} | ${s.genuine} | ${pct(s.above30, s.genuine)} (${s.above30}) | ${pct(s.above50, s.genuine)} (${s.above50}) | ${pct(s.above70, s.genuine)} (${s.above70}) | ${s.noFace} of ${s.selfies} | ${s.imp30} of ${s.impostors} | ${s.imp50} of ${s.impostors} |`);
  }
  if (labels.length > 1) {
    console.log('');
    console.log(`| rendering | ${labels.map((l) => l.label).join(' | ')} |`);
    console.log(`|---|${labels.map(() => '---').join('|')}|`);
    for (const c of conds) {
      const cells = labels.map((l) => {
        const s = l.sums.get(c);
        return s ? `${s.above30} / ${s.above70} (${s.noFace}; imp ${s.imp30})` : '-';
      });
      console.log(`| ${c} (of ${first.sums.get(c)!.genuine}) | ${cells.join(' | ')} |`);
    }
  }
}

if (process.argv[1]?.endsWith('kyc-table.js')) main();
