// calibrate_thresholds: score distributions of the user's own labelled pairs and suggested
// decline/review thresholds, with a progress notification per image.
import { stat } from 'node:fs/promises';
import { readLocalFile } from '../src/safe-file.js';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { reportScore } from '../src/engine/score.js';
import { defineTool } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';

const THRESHOLDS = Array.from({ length: 21 }, (_, i) => i * 5);
const PERCENTILES = [1, 5, 25, 50, 75, 95, 99];
const MAX_FAILURES_LISTED = 20;

interface PairLine {
  a: string;
  b: string;
  same: boolean;
  fold: number | null;
  line: number;
}

const dist = z.object({
  pairs: z.number().int(),
  not_scored: z.number().int().describe('Pairs with no detectable face or an unreadable image on either side (a session declines them).'),
  histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number().int() })),
  percentiles: z.record(z.string(), z.number().nullable()),
  mean: z.number().nullable(),
});

const outputSchema = z.object({
  folder: z.string(),
  pairs_used: z.number().int(),
  images_analysed: z.number().int(),
  genuine: dist,
  impostor: dist,
  table: z.array(
    z.object({
      threshold: z.number(),
      far: z.number().nullable().describe('Share of different-person pairs scoring above the threshold (falsely accepted).'),
      frr: z.number().nullable().describe('Share of same-person pairs at or below the threshold, incl. not scored (falsely rejected).'),
    }),
  ),
  eer: z.number().nullable().describe('Approximate equal error rate over integer thresholds.'),
  suggested: z.object({
    face_match_score_decline_threshold: z.number().nullable(),
    face_match_score_review_threshold: z.number().nullable(),
    review_share_genuine: z.number().nullable().describe('Share of same-person pairs that would land in review.'),
    review_share_impostor: z.number().nullable(),
    rationale: z.string(),
  }),
  failures: z.array(z.object({ line: z.number().int(), path: z.string(), problem: z.string() })),
  failures_total: z.number().int(),
});

function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

function distribution(scores: number[], notScored: number): z.infer<typeof dist> {
  const sorted = [...scores].sort((a, b) => a - b);
  const histogram = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i * 10 + 10, count: 0 }));
  for (const s of sorted) histogram[Math.min(9, Math.floor(s / 10))]!.count++;
  const percentiles: Record<string, number | null> = {};
  for (const p of PERCENTILES) percentiles[`p${p}`] = percentile(sorted, p);
  return {
    pairs: scores.length + notScored,
    not_scored: notScored,
    histogram,
    percentiles,
    mean: sorted.length ? Math.round((sorted.reduce((a, b) => a + b, 0) / sorted.length) * 100) / 100 : null,
  };
}

async function readPairsFile(folder: string, file: string): Promise<{ pairs: PairLine[]; problems: Array<{ line: number; path: string; problem: string }> }> {
  const path = isAbsolute(file) ? file : join(folder, file);
  let text: string;
  try {
    // A FIFO or device named pairs.tsv must not hang or flood the server (issue 10).
    text = (await readLocalFile(path, { maxBytes: 16 * 1024 * 1024, label: 'pairs_file' })).toString('utf8');
  } catch {
    throw new FacematchError('VALIDATION', `No readable ${file} in ${folder}. Write one with lines "path_a<TAB>path_b<TAB>1|0[<TAB>fold]" (1 = same person), paths relative to the folder.`);
  }
  const pairs: PairLine[] = [];
  const problems: Array<{ line: number; path: string; problem: string }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || (i === 0 && /^path_a\b/i.test(line))) return;
    const cols = raw.split('\t');
    const same = cols[2]?.trim();
    if (cols.length < 3 || !cols[0]!.trim() || !cols[1]!.trim() || (same !== '0' && same !== '1')) {
      problems.push({ line: i + 1, path: file, problem: 'expected path_a<TAB>path_b<TAB>1 or 0' });
      return;
    }
    const fold = cols[3]?.trim() ? Number(cols[3].trim()) : null;
    pairs.push({ a: cols[0]!.trim(), b: cols[1]!.trim(), same: same === '1', fold: Number.isFinite(fold) ? fold : null, line: i + 1 });
  });
  return { pairs, problems };
}

export const calibrateThresholds = defineTool({
  name: 'calibrate_thresholds',
  title: 'Calibrate thresholds on your own pairs',
  description:
    'Measure the face engine on the user\'s own labelled photo pairs and suggest workflow thresholds. The folder holds pairs.tsv with lines "path_a<TAB>path_b<TAB>same[<TAB>fold]" (same = 1 for the same person, 0 for different people; paths relative to the folder). Returns the score distributions of same-person and different-person pairs, FAR/FRR per threshold, the equal error rate, pairs that could not be scored, and suggested face_match_score_review_threshold (smallest score where at most target_far of impostors are auto-approved) and face_match_score_decline_threshold (largest score where at most target_frr of genuine users are auto-declined). Sends progress notifications every few images (about 30-60 ms per image). Read-only: photos are analysed in memory, nothing is stored. Next: create_workflow with the suggested thresholds.',
  inputSchema: z.strictObject({
    folder: z.string().min(1, { error: 'folder is required: the directory holding pairs.tsv.' }).describe('Directory with pairs.tsv (absolute, or relative to the server working directory).'),
    pairs_file: z.string().min(1).default('pairs.tsv').describe('The pairs file inside folder (default pairs.tsv).'),
    max_pairs: z.number().int().min(2, { error: 'max_pairs must be at least 2.' }).max(5000, { error: 'max_pairs must be at most 5000.' }).default(1000).describe('Use at most this many pairs (in file order, default 1000).'),
    fold: z.number().int().optional().describe('Only pairs of this fold (4th column).'),
    target_far: z.number().gt(0).lt(1, { error: 'target_far must be between 0 and 1, e.g. 0.001.' }).default(0.001).describe('Acceptable share of impostors auto-approved (default 0.001).'),
    target_frr: z.number().gt(0).lt(1, { error: 'target_frr must be between 0 and 1, e.g. 0.01.' }).default(0.01).describe('Acceptable share of genuine users auto-declined (default 0.01).'),
  }),
  outputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const folder = isAbsolute(input.folder) ? input.folder : resolve(ctx.cwd, input.folder);
    const info = await stat(folder).catch(() => null);
    if (!info?.isDirectory()) throw new FacematchError('VALIDATION', `folder ${folder} is not a directory; pass the folder that holds pairs.tsv.`);
    const { pairs: allPairs, problems } = await readPairsFile(folder, input.pairs_file);
    let pairs = allPairs;
    if (input.fold !== undefined) pairs = pairs.filter((p) => p.fold === input.fold);
    pairs = pairs.slice(0, input.max_pairs);
    if (!pairs.length) {
      throw new FacematchError('VALIDATION', `${input.pairs_file} in ${folder} has no usable pairs${input.fold !== undefined ? ` in fold ${input.fold}` : ''}; lines must be "path_a<TAB>path_b<TAB>1|0".`);
    }

    const engine = await ctx.engine();
    // Imported here, not at the top: embed.js pulls in onnxruntime, which would slow every server start.
    const { cosine } = await import('../src/engine/embed.js');
    const unique = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
    const embeddings = new Map<string, Float32Array | null>();
    const failures = [...problems];
    const firstLine = new Map<string, number>();
    for (const p of pairs) for (const x of [p.a, p.b]) if (!firstLine.has(x)) firstLine.set(x, p.line);
    for (let i = 0; i < unique.length; i++) {
      if (ctx.signal.aborted) throw new FacematchError('VALIDATION', 'calibrate_thresholds was cancelled.');
      const rel = unique[i]!;
      try {
        const img = await loadImageArg(rel, rel, { cwd: folder });
        const e = await engine.embed(img.bytes);
        embeddings.set(rel, e ? e.embedding : null);
        if (!e) failures.push({ line: firstLine.get(rel)!, path: rel, problem: 'no face found' });
      } catch (err) {
        embeddings.set(rel, null);
        failures.push({ line: firstLine.get(rel)!, path: rel, problem: err instanceof Error ? err.message : String(err) });
      }
      if (i % 5 === 4 || i === unique.length - 1) await ctx.progress(i + 1, unique.length, `analysed ${i + 1}/${unique.length} images`);
    }

    const gen: number[] = [];
    const imp: number[] = [];
    let genMissing = 0;
    let impMissing = 0;
    for (const p of pairs) {
      const a = embeddings.get(p.a);
      const b = embeddings.get(p.b);
      if (!a || !b) {
        if (p.same) genMissing++;
        else impMissing++;
        continue;
      }
      (p.same ? gen : imp).push(reportScore(cosine(a, b)));
    }
    const nGen = gen.length + genMissing;
    const nImp = imp.length + impMissing;
    const far = (t: number) => (nImp ? imp.filter((s) => s > t).length / nImp : null);
    const frr = (t: number) => (nGen ? (gen.filter((s) => s <= t).length + genMissing) / nGen : null);
    const table = THRESHOLDS.map((t) => {
      const fa = far(t);
      const fr = frr(t);
      return { threshold: t, far: fa === null ? null : round4(fa), frr: fr === null ? null : round4(fr) };
    });

    let eer: number | null = null;
    if (nGen && nImp) {
      let bestGap = Infinity;
      for (let t = 0; t <= 100; t++) {
        const gap = Math.abs(far(t)! - frr(t)!);
        if (gap < bestGap) {
          bestGap = gap;
          eer = round4((far(t)! + frr(t)!) / 2);
        }
      }
    }

    let suggested: z.infer<typeof outputSchema>['suggested'];
    if (!nGen || !nImp) {
      suggested = {
        face_match_score_decline_threshold: null,
        face_match_score_review_threshold: null,
        review_share_genuine: null,
        review_share_impostor: null,
        rationale: `Thresholds need both same-person and different-person pairs; this set has ${nGen} same and ${nImp} different. Add the missing kind (label 1 for same, 0 for different).`,
      };
    } else {
      let review = 100;
      for (let t = 0; t <= 100; t++) if (far(t)! <= input.target_far) { review = t; break; }
      let decline = 0;
      for (let t = review; t >= 0; t--) if (frr(t)! <= input.target_frr) { decline = t; break; }
      const inBand = (scores: number[], n: number) => round4(scores.filter((s) => s > decline && s <= review).length / n);
      const resolution = 1 / nImp;
      const notes = [
        `Review threshold ${review}: at most ${(input.target_far * 100).toFixed(2)}% of ${nImp} different-person pairs score above it (measured ${(far(review)! * 100).toFixed(2)}%).`,
        `Decline threshold ${decline}: ${(frr(decline)! * 100).toFixed(2)}% of ${nGen} same-person pairs score at or below it (target ${(input.target_frr * 100).toFixed(2)}%).`,
      ];
      if (input.target_far < resolution) notes.push(`With ${nImp} impostor pairs a FAR of ${input.target_far} is below what can be measured (1/${nImp} = ${resolution.toFixed(4)}): treat the review threshold as optimistic and add impostor pairs.`);
      if (genMissing + impMissing) notes.push(`${genMissing + impMissing} pair(s) could not be scored (no detectable face, or an image that could not be read: see failures); a session declines such pairs whatever the thresholds, so same-person ones count as false rejects.`);
      suggested = {
        face_match_score_decline_threshold: decline,
        face_match_score_review_threshold: review,
        review_share_genuine: inBand(gen, nGen),
        review_share_impostor: inBand(imp, nImp),
        rationale: notes.join(' '),
      };
    }

    const out: z.infer<typeof outputSchema> = {
      folder,
      pairs_used: pairs.length,
      images_analysed: unique.length,
      genuine: distribution(gen, genMissing),
      impostor: distribution(imp, impMissing),
      table,
      eer,
      suggested,
      failures: failures.slice(0, MAX_FAILURES_LISTED),
      failures_total: failures.length,
    };
    const s = out.suggested;
    return {
      structured: out,
      summary:
        `${pairs.length} pairs (${nGen} same, ${nImp} different), ${unique.length} images. ` +
        `Median score same ${out.genuine.percentiles.p50 ?? '-'}, different ${out.impostor.percentiles.p50 ?? '-'}; EER ${eer === null ? '-' : `${(eer * 100).toFixed(2)}%`}. ` +
        (s.face_match_score_review_threshold === null
          ? s.rationale
          : `Suggested: decline <= ${s.face_match_score_decline_threshold}, review <= ${s.face_match_score_review_threshold} (review load ${(s.review_share_genuine! * 100).toFixed(1)}% of genuine users). ${s.rationale}`) +
        (failures.length ? ` ${failures.length} problem(s) with lines or images (see failures).` : ''),
    };
  },
});
