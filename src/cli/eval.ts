// facematch-mcp eval SET_DIR [--folds A-B] [--workers N] [--condition NAME]
// Embeds every image of SET_DIR/pairs.tsv once (worker threads, one onnxruntime thread
// each), then prints progress on stderr and one JSON line of verification metrics. A
// pairs.tsv with a 5th column (a KYC set from test/eval/kyc-set.ts: reference, selfie,
// same, fold, condition) also gets every KYC metric per condition under "conditions".
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UsageError, printJson, type Command } from './common.js';
import { defineCommand, printedHelp, readFlags } from './flags.js';
import { EnginePool, type PoolEmbedResult } from '../engine/pool.js';
import { cosine } from '../engine/embed.js';
import { reportScore } from '../engine/score.js';
import { STANDALONE_DECLINE_DEFAULT, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT } from '../engine/decision.js';
import { accuracyAt, bestThreshold, equalErrorRate, leaveOneFoldOut, tarAtFar, type ScoredPair } from '../engine/metrics.js';
import type { PipelineConfig } from '../engine/pipeline.js';

export const EVAL = defineCommand({
  name: 'eval',
  args: 'SET_DIR',
  summary: 'Accuracy on a labelled set: SET_DIR/pairs.tsv (path_a, path_b, same, fold[, condition]); one JSON line.',
  flags: {
    folds: { type: 'string', value: 'A-B', description: 'only these folds, e.g. 1-5 or 3' },
    workers: { type: 'string', value: 'N', description: 'worker threads (default: the CPU count)' },
    condition: { type: 'string', value: 'NAME', description: 'only the pairs of this condition (5th column)' },
    pipeline: { type: 'string', value: 'JSON', description: 'engine pipeline settings to try, as a JSON object' },
    dump: { type: 'string', value: 'FILE', description: 'write every embedding to FILE as JSON' },
    errors: { type: 'boolean', description: 'list the misclassified pairs on stderr' },
  },
});

export interface PairRow {
  a: string;
  b: string;
  same: boolean;
  fold: number;
  /** Optional 5th column (KYC sets: the selfie condition). */
  condition?: string;
}

function parseFolds(v: string | undefined): [number, number] | null {
  if (v === undefined) return null;
  const m = /^(\d+)(?:-(\d+))?$/.exec(v.trim());
  if (!m) throw new UsageError(`--folds must look like 1-5 or 3 (got '${v}').`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a) throw new UsageError(`--folds range '${v}' is backwards; write the smaller fold first.`);
  return [a, b];
}

export function readPairsTsv(dir: string): PairRow[] {
  const file = join(dir, 'pairs.tsv');
  if (!existsSync(file)) throw new UsageError(`no pairs.tsv in '${dir}'; SET_DIR must hold pairs.tsv (path_a, path_b, same, fold).`);
  const rows: PairRow[] = [];
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim() || /^path_a\t/.test(line)) return;
    const [a, b, same, fold, condition] = line.split('\t');
    if (!a || !b || (same !== '0' && same !== '1') || !Number.isInteger(Number(fold))) {
      throw new UsageError(`pairs.tsv line ${i + 1} is not 'path_a<TAB>path_b<TAB>0|1<TAB>fold[<TAB>condition]'.`);
    }
    rows.push({ a, b, same: same === '1', fold: Number(fold), ...(condition?.trim() ? { condition: condition.trim() } : {}) });
  });
  if (rows.length === 0) throw new UsageError(`pairs.tsv in '${dir}' has no pairs.`);
  return rows;
}

const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;
const r1 = (v: number): number => Math.round(v * 10) / 10;

function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/**
 * The KYC metrics of one group of pairs (path_a = reference, path_b = selfie): decisions
 * at the default thresholds (no face = Declined), score distributions, accuracy with the
 * threshold chosen on the other folds, EER.
 */
export function groupMetrics(pairs: PairRow[], results: Map<string, PoolEmbedResult>): Record<string, unknown> {
  const scored: ScoredPair[] = pairs.map((p) => {
    const ea = results.get(p.a)!.embedding;
    const eb = results.get(p.b)!.embedding;
    return { s: ea && eb ? cosine(ea, eb) : -Infinity, same: p.same, fold: p.fold };
  });
  const score = (c: number): number => (Number.isFinite(c) ? reportScore(c) : 0);
  const gen = scored.filter((p) => p.same).map((p) => score(p.s));
  const imp = scored.filter((p) => !p.same).map((p) => score(p.s));
  const share = (xs: number[], t: number): number => (xs.length ? r4(xs.filter((v) => v > t).length / xs.length) : NaN);
  const selfies = [...new Set(pairs.map((p) => p.b))];
  const refs = [...new Set(pairs.map((p) => p.a))];
  const issues: Record<string, number> = {};
  for (const i of selfies) for (const c of results.get(i)!.issues ?? []) issues[c] = (issues[c] ?? 0) + 1;
  const lofo = new Set(pairs.map((p) => p.fold)).size >= 2 ? leaveOneFoldOut(scored) : null;
  return {
    pairs: pairs.length,
    genuine: gen.length,
    impostors: imp.length,
    no_face_selfie: selfies.filter((i) => !results.get(i)!.embedding).length,
    selfies: selfies.length,
    no_face_ref: refs.filter((i) => !results.get(i)!.embedding).length,
    refs: refs.length,
    genuine_not_declined_standalone: share(gen, STANDALONE_DECLINE_DEFAULT),
    genuine_not_declined_workflow: share(gen, WORKFLOW_DECLINE_DEFAULT),
    genuine_auto_approved: share(gen, WORKFLOW_REVIEW_DEFAULT),
    impostors_above_30: imp.filter((v) => v > STANDALONE_DECLINE_DEFAULT).length,
    impostors_above_50: imp.filter((v) => v > WORKFLOW_DECLINE_DEFAULT).length,
    accuracy: lofo ? r4(lofo.mean) : null,
    eer: r4(equalErrorRate(scored)),
    genuine_score_p10_p50_p90: [quantile(gen, 0.1), quantile(gen, 0.5), quantile(gen, 0.9)].map((v) => (v === null ? null : r1(v))),
    impostor_score_p50_p99_max: [quantile(imp, 0.5), quantile(imp, 0.99), quantile(imp, 1)].map((v) => (v === null ? null : r1(v))),
    selfie_issues: issues,
  };
}

/** Embeds every image once, `workers` x 2 in flight, with progress on stderr. */
async function embedAll(pool: EnginePool, dir: string, images: string[], workers: number, results: Map<string, PoolEmbedResult>): Promise<void> {
  let done = 0;
  let next = 0;
  const inflight = workers * 2;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < images.length) {
        const rel = images[next++]!;
        results.set(rel, await pool.embedFile(join(dir, rel)));
        done++;
        if (done % 200 === 0 || done === images.length) process.stderr.write(`eval: ${done}/${images.length} images\n`);
      }
    }),
  );
}

export const run: Command = async (argv) => {
  if (printedHelp(EVAL, argv)) return 0;
  const { positionals: positional, values: flags } = readFlags(EVAL, argv);
  if (positional.length !== 1) throw new UsageError('eval needs one set folder: facematch-mcp eval SET_DIR [--folds A-B].');
  const dir = resolve(positional[0]!);
  const folds = parseFolds(flags.folds);
  let pairs = readPairsTsv(dir);
  if (folds) pairs = pairs.filter((p) => p.fold >= folds[0] && p.fold <= folds[1]);
  if (flags.condition) pairs = pairs.filter((p) => p.condition === flags.condition);
  if (pairs.length === 0) throw new UsageError(`no pairs in folds ${flags.folds}.`);
  const workers = flags.workers ? Number(flags.workers) : availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError('--workers must be a positive integer.');
  let pipeline: Partial<PipelineConfig> | undefined;
  if (flags.pipeline) {
    try {
      pipeline = JSON.parse(flags.pipeline) as Partial<PipelineConfig>;
    } catch {
      throw new UsageError('--pipeline must be a JSON object.');
    }
  }

  const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const pool = new EnginePool(workers, pipeline);
  const results = new Map<string, PoolEmbedResult>();
  try {
    await pool.load();
    const t0 = performance.now();
    await embedAll(pool, dir, images, workers, results);
    const seconds = (performance.now() - t0) / 1000;

    const noFace = images.filter((i) => !results.get(i)!.embedding);
    const conditions = [...new Set(pairs.map((p) => p.condition).filter((c): c is string => !!c))];
    for (const i of noFace.slice(0, 20)) process.stderr.write(`eval: no face: ${i}${results.get(i)!.error ? ` (${results.get(i)!.error})` : ''}\n`);
    const scored: ScoredPair[] = pairs.map((p) => {
      const ea = results.get(p.a)!.embedding;
      const eb = results.get(p.b)!.embedding;
      return { s: ea && eb ? cosine(ea, eb) : -Infinity, same: p.same, fold: p.fold };
    });
    const lofo = leaveOneFoldOut(scored);
    if (flags.errors) {
      // Pairs misclassified at the all-folds best threshold, worst first (for diagnosis).
      const t = bestThreshold(scored);
      const wrong = pairs.map((p, i) => ({ p, s: scored[i]!.s })).filter(({ p, s }) => s > t !== p.same);
      for (const { p, s } of wrong) process.stderr.write(`eval: wrong ${p.same ? 'same' : 'diff'} cos=${s.toFixed(3)} t=${t.toFixed(3)} ${p.a} ${p.b}\n`);
    }
    const scores = scored.map((p) => ({ ...p, s: Number.isFinite(p.s) ? reportScore(p.s) : -Infinity }));
    const imp = scored.filter((p) => !p.same).length;
    const genScores = scores.filter((p) => p.same && Number.isFinite(p.s)).map((p) => p.s).sort((a, b) => a - b);
    if (flags.dump) {
      const dump: Record<string, number[] | null> = {};
      for (const [k, v] of results) dump[k] = v.embedding ? Array.from(v.embedding, (x) => Math.round(x * 1e6) / 1e6) : null;
      writeFileSync(flags.dump, JSON.stringify(dump));
    }
    printJson({
      set: dir.split('/').pop(),
      pairs: pairs.length,
      accuracy: r4(lofo.mean),
      accuracy_std: r4(lofo.std),
      ...(Object.keys(lofo.perFold).length < 2 ? { accuracy_note: 'one fold only: threshold chosen on the same pairs (optimistic)' } : {}),
      accuracy_per_fold: Object.fromEntries(Object.entries(lofo.perFold).map(([k, v]) => [k, r4(v)])),
      accuracy_at_default: r4(accuracyAt(scores, STANDALONE_DECLINE_DEFAULT)),
      'tar_far_1e-2': r4(tarAtFar(scored, 1e-2).tar),
      'tar_far_1e-3': r4(tarAtFar(scored, 1e-3).tar),
      far_note: `${imp} impostor pairs: FAR 1e-3 allows ${Math.floor(imp * 1e-3)} impostor(s) above the threshold`,
      eer: r4(equalErrorRate(scored)),
      same_median_score: genScores.length ? genScores[Math.floor(genScores.length / 2)]! : null,
      no_face_images: noFace.length,
      images: images.length,
      images_per_s: Math.round((images.length / seconds) * 10) / 10,
      workers,
      ...(pipeline ? { pipeline } : {}),
      ...(conditions.length > 0
        ? { conditions: Object.fromEntries(conditions.map((c) => [c, groupMetrics(pairs.filter((p) => p.condition === c), results)])), all_conditions: groupMetrics(pairs, results) }
        : {}),
    });
    return 0;
  } finally {
    await pool.close();
  }
};
