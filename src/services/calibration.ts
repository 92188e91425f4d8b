// Threshold calibration on the user's own labelled pairs (shared by the calibrate_thresholds
// tool and `facematch-mcp calibrate`): score distributions, FAR/FRR per threshold, and
// suggestions that never undercut the engine's own calibrated FAR point for the chosen risk.
// Bounded in time: a balanced sample of pairs, embeddings cached across calls, a time budget.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { FacematchError } from '../errors.js';
import { CALIBRATION, reportScore } from '../engine/score.js';
import { FILES_ROOT_ENV, filesRootFromEnv, insideFilesRoot, readLocalFile } from '../safe-file.js';

const THRESHOLDS = Array.from({ length: 21 }, (_, i) => i * 5);
const PERCENTILES = [1, 5, 25, 50, 75, 95, 99];
const MAX_FAILURES_LISTED = 20;
export const CALIBRATION_DEFAULTS = { maxPairs: 200, targetFar: 0.001, targetFrr: 0.01, timeBudgetMs: 40_000, pairsFile: 'pairs.tsv' } as const;

export interface CalibrationInput {
  /** Folder with the pairs file; image paths in it are relative to this folder. */
  folder: string;
  pairsFile?: string;
  /** At most this many pairs, sampled evenly and balanced between same and different people. */
  maxPairs?: number;
  fold?: number;
  targetFar?: number;
  targetFrr?: number;
  /** Stop analysing new images after this long and use the pairs done so far. */
  timeBudgetMs?: number;
}

export interface CalibrationDeps {
  /** Embedding of the best face, or null when no face is found. */
  embed(bytes: Buffer): Promise<Float32Array | null>;
  cosine(a: Float32Array, b: Float32Array): number;
  /** Reads one image file (absolute path); throws a sentence on a bad file. */
  readImage(path: string): Promise<Buffer>;
  progress?(done: number, total: number, message: string): Promise<void>;
  signal?: AbortSignal;
  now?: () => number;
}

export interface Distribution {
  pairs: number;
  not_scored: number;
  histogram: Array<{ from: number; to: number; count: number }>;
  percentiles: Record<string, number | null>;
  mean: number | null;
}

export interface CalibrationResult {
  folder: string;
  pairs_in_file: number;
  pairs_used: number;
  images_analysed: number;
  /** Images whose embedding came from the cache of an earlier call. */
  images_cached: number;
  stopped_early: boolean;
  genuine: Distribution;
  impostor: Distribution;
  table: Array<{ threshold: number; far: number | null; frr: number | null }>;
  eer: number | null;
  engine_floor: { review_threshold: number; far: number; impostor_pairs: number; note: string };
  suggested: {
    face_match_score_decline_threshold: number | null;
    face_match_score_review_threshold: number | null;
    /** Share of different-person pairs scoring above the review threshold (auto-approved). */
    impostor_share_above_review: number | null;
    /** Share of different-person pairs scoring above the decline threshold (approved or sent to review). */
    impostor_share_above_decline: number | null;
    /** Share of same-person pairs at or below the decline threshold (auto-declined), unscored ones included. */
    genuine_share_declined: number | null;
    review_share_genuine: number | null;
    review_share_impostor: number | null;
    raised_to_engine_floor: boolean;
    rationale: string;
  };
  failures: Array<{ line: number; path: string; problem: string }>;
  failures_total: number;
  summary: string;
}

interface PairLine {
  a: string;
  b: string;
  same: boolean;
  fold: number | null;
  line: number;
}

// Embeddings survive between calls (an agent tends to re-run with other targets): keyed by
// the photo's bytes (SHA-256), so an edited photo is analysed again. The bytes are read first,
// through the same checks as every file argument: nothing is looked up before them, so the
// answers do not tell which files outside FACEMATCH_FILES_ROOT exist.
const CACHE_LIMIT = 5000;
const cache = new Map<string, Float32Array | null>();
function remember(key: string, value: Float32Array | null): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

const pct = (v: number): string => `${(v * 100).toFixed(v > 0 && v < 0.001 ? 3 : 1)}%`;
const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;

function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function distribution(scores: number[], notScored: number): Distribution {
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

async function readPairs(folder: string, file: string): Promise<{ pairs: PairLine[]; problems: CalibrationResult['failures'] }> {
  const path = isAbsolute(file) ? file : join(folder, file);
  let text: string;
  try {
    // A FIFO or device named pairs.tsv must not hang or flood the process.
    text = (await readLocalFile(path, { maxBytes: 16 * 1024 * 1024, label: 'pairs_file' })).toString('utf8');
  } catch {
    throw new FacematchError('VALIDATION', `No readable ${file} in ${folder}. Write one with lines "path_a<TAB>path_b<TAB>1|0[<TAB>fold]" (1 = same person), paths relative to the folder.`);
  }
  const pairs: PairLine[] = [];
  const problems: CalibrationResult['failures'] = [];
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

/** Evenly spaced picks, half same-person and half different-person when both are there. */
export function samplePairs<T extends { same: boolean }>(pairs: T[], max: number): T[] {
  if (pairs.length <= max) return pairs;
  const spread = (xs: T[], n: number): T[] => (n >= xs.length ? xs : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!));
  const gen = pairs.filter((p) => p.same);
  const imp = pairs.filter((p) => !p.same);
  const half = Math.floor(max / 2);
  const g = Math.min(gen.length, Math.max(half, max - imp.length));
  // Interleaved, so a stop at the time budget still leaves both kinds.
  const a = spread(gen, g);
  const b = spread(imp, max - g);
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]!);
    if (i < b.length) out.push(b[i]!);
  }
  return out;
}

/** The engine's own calibrated threshold for a FAR target (measured on millions of impostor pairs). */
export function engineFloor(targetFar: number): CalibrationResult['engine_floor'] {
  const rows = CALIBRATION.table;
  const row = rows.find((r) => r.far <= targetFar) ?? rows[rows.length - 1]!;
  const measured = row.far <= targetFar;
  return {
    review_threshold: row.threshold,
    far: row.far,
    impostor_pairs: CALIBRATION.impostor_pairs,
    note: measured
      ? `the engine's calibration puts FAR ${targetFar} at score ${row.threshold} (measured FAR ${row.far} over ${CALIBRATION.impostor_pairs.toLocaleString('en-US')} different-person pairs)`
      : `FAR ${targetFar} is below anything the engine's calibration measured; ${row.threshold} is its highest measured point (FAR ${row.far})`,
  };
}

/** The folder as an absolute path; one sentence when it is outside the root, missing, or not a directory. */
async function openFolder(input: string): Promise<string> {
  const folder = resolve(input);
  const root = filesRootFromEnv();
  // No stat outside the root.
  const info = (await insideFilesRoot(folder, root)) ? await stat(folder).catch(() => null) : null;
  if (!info?.isDirectory()) {
    throw new FacematchError('VALIDATION', `folder ${folder} is not a directory this server can read${root ? ` inside ${root} (${FILES_ROOT_ENV})` : ''}; pass the folder that holds pairs.tsv.`);
  }
  return folder;
}

interface Settings {
  pairsFile: string;
  maxPairs: number;
  targetFar: number;
  targetFrr: number;
  budget: number;
}

function settingsOf(input: CalibrationInput): Settings {
  return {
    pairsFile: input.pairsFile ?? CALIBRATION_DEFAULTS.pairsFile,
    maxPairs: input.maxPairs ?? CALIBRATION_DEFAULTS.maxPairs,
    targetFar: input.targetFar ?? CALIBRATION_DEFAULTS.targetFar,
    targetFrr: input.targetFrr ?? CALIBRATION_DEFAULTS.targetFrr,
    budget: input.timeBudgetMs ?? CALIBRATION_DEFAULTS.timeBudgetMs,
  };
}

/** The pairs of the chosen fold, and the sample of them to score. */
async function choosePairs(
  folder: string,
  fold: number | undefined,
  settings: Settings,
): Promise<{ inFold: PairLine[]; pairs: PairLine[]; problems: CalibrationResult['failures'] }> {
  const { pairs: allPairs, problems } = await readPairs(folder, settings.pairsFile);
  const inFold = fold === undefined ? allPairs : allPairs.filter((p) => p.fold === fold);
  const pairs = samplePairs(inFold, settings.maxPairs);
  if (!pairs.length) {
    throw new FacematchError('VALIDATION', `${settings.pairsFile} in ${folder} has no usable pairs${fold !== undefined ? ` in fold ${fold}` : ''}; lines must be "path_a<TAB>path_b<TAB>1|0".`);
  }
  return { inFold, pairs, problems };
}

interface Analysis {
  /** null: no face, or the image could not be read. */
  embeddings: Map<string, Float32Array | null>;
  failures: CalibrationResult['failures'];
  cached: number;
  stoppedEarly: boolean;
}

/** The embedding of one image, from the cache when its bytes were seen before; failures are noted. */
async function embedImage(rel: string, folder: string, line: number, deps: CalibrationDeps, analysis: Analysis): Promise<void> {
  const { embeddings, failures } = analysis;
  const path = isAbsolute(rel) ? rel : join(folder, rel);
  try {
    const bytes = await deps.readImage(path);
    const key = createHash('sha256').update(bytes).digest('base64url');
    if (cache.has(key)) {
      analysis.cached++;
      embeddings.set(rel, cache.get(key)!);
    } else {
      const e = await deps.embed(bytes);
      remember(key, e);
      embeddings.set(rel, e);
    }
    if (!embeddings.get(rel)) failures.push({ line, path: rel, problem: 'no face found' });
  } catch (err) {
    embeddings.set(rel, null);
    failures.push({ line, path: rel, problem: err instanceof Error ? err.message : String(err) });
  }
}

/** Embeds every image the pairs name, until done, cancelled, or out of time. */
async function analyseImages(
  folder: string,
  pairs: PairLine[],
  problems: CalibrationResult['failures'],
  deps: CalibrationDeps,
  timing: { now: () => number; started: number; budget: number },
): Promise<Analysis> {
  // Images in the order pairs need them, so a stop at the time budget leaves whole pairs.
  const unique = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const firstLine = new Map<string, number>();
  for (const p of pairs) for (const x of [p.a, p.b]) if (!firstLine.has(x)) firstLine.set(x, p.line);
  const analysis: Analysis = { embeddings: new Map(), failures: [...problems], cached: 0, stoppedEarly: false };
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      if (deps.signal?.aborted) throw new FacematchError('VALIDATION', 'calibration was cancelled.');
      if (timing.now() - timing.started > timing.budget) {
        analysis.stoppedEarly = true;
        return;
      }
      const rel = unique[next++]!;
      await embedImage(rel, folder, firstLine.get(rel)!, deps, analysis);
      done++;
      if (deps.progress && (done % 5 === 0 || done === unique.length)) await deps.progress(done, unique.length, `analysed ${done}/${unique.length} images`);
    }
  };
  // Two in flight keep both cores busy when the engine runs in worker threads.
  await Promise.all([worker(), worker()]);
  return analysis;
}

interface Scores {
  gen: number[];
  imp: number[];
  genMissing: number;
  impMissing: number;
  /** Same-person pairs, scored or not. */
  nGen: number;
  /** Different-person pairs, scored or not. */
  nImp: number;
  /** Share of different-person pairs scoring above t. */
  far(t: number): number;
  /** Share of same-person pairs at or below t, unscored ones included. */
  frr(t: number): number;
}

function scorePairs(pairs: PairLine[], embeddings: Analysis['embeddings'], cosine: CalibrationDeps['cosine']): Scores {
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
  return {
    gen,
    imp,
    genMissing,
    impMissing,
    nGen,
    nImp,
    far: (t) => (nImp ? imp.filter((s) => s > t).length / nImp : 0),
    frr: (t) => (nGen ? (gen.filter((s) => s <= t).length + genMissing) / nGen : 0),
  };
}

function equalErrorRate({ nGen, nImp, far, frr }: Scores): number | null {
  if (!nGen || !nImp) return null;
  let eer: number | null = null;
  let bestGap = Infinity;
  for (let t = 0; t <= 100; t++) {
    const gap = Math.abs(far(t) - frr(t));
    if (gap < bestGap) {
      bestGap = gap;
      eer = round4((far(t) + frr(t)) / 2);
    }
  }
  return eer;
}

/** The first t in the list where the test holds, else `otherwise`. */
function firstScore(from: number, to: number, holds: (t: number) => boolean, otherwise: number): number {
  const step = from <= to ? 1 : -1;
  for (let t = from; step > 0 ? t <= to : t >= to; t += step) if (holds(t)) return t;
  return otherwise;
}

function noSuggestion(nGen: number, nImp: number): CalibrationResult['suggested'] {
  return {
    face_match_score_decline_threshold: null,
    face_match_score_review_threshold: null,
    impostor_share_above_review: null,
    impostor_share_above_decline: null,
    genuine_share_declined: null,
    review_share_genuine: null,
    review_share_impostor: null,
    raised_to_engine_floor: false,
    rationale: `Thresholds need both same-person and different-person pairs; this set has ${nGen} same and ${nImp} different. Add the missing kind (label 1 for same, 0 for different).`,
  };
}

/** Why the suggestion is what it is, in the user's own numbers. */
function rationaleOf(
  scores: Scores,
  t: { review: number; decline: number; ownReview: number; raised: boolean; targetFar: number },
  floor: CalibrationResult['engine_floor'],
  inBand: (scores: number[], n: number) => number,
): string {
  const { imp, nGen, nImp, genMissing, impMissing, far, frr } = scores;
  const { review, decline, ownReview, targetFar } = t;
  const impAboveReview = far(review);
  const impAboveDecline = far(decline);
  const genDeclined = frr(decline);
  const count = (share: number, n: number): string => `${Math.round(share * n)} of ${n}`;
  const notes = [
    `Review threshold ${review}: ${pct(impAboveReview)} of your different-person pairs (${count(impAboveReview, nImp)}) score above it and would be approved automatically.`,
    `Decline threshold ${decline}: ${pct(impAboveDecline)} of your different-person pairs (${count(impAboveDecline, nImp)}) score above it, so they are not declined outright (${pct(inBand(imp, nImp))} land in review); ${pct(genDeclined)} of your same-person pairs (${count(genDeclined, nGen)}) are declined.`,
  ];
  if (t.raised) notes.push(`Your pairs alone would allow review ${ownReview}, but ${floor.note}; with only ${nImp} different-person pairs a lower value cannot be trusted, so the suggestion stays at ${floor.review_threshold}.`);
  if (targetFar < 1 / nImp) notes.push(`A FAR of ${targetFar} is below what ${nImp} different-person pairs can measure (1/${nImp} = ${(1 / nImp).toFixed(4)}).`);
  if (inBand(imp, nImp) >= 0.5) notes.push(`Most of your different-person pairs (${pct(inBand(imp, nImp))}) would wait for manual review: the decline threshold does little here; raise it if reviews are costly.`);
  if (genMissing + impMissing) notes.push(`${genMissing + impMissing} pair(s) could not be scored (no detectable face, or an unreadable image: see failures); a session declines those whatever the thresholds.`);
  return notes.join(' ');
}

function suggestThresholds(scores: Scores, floor: CalibrationResult['engine_floor'], settings: Settings): CalibrationResult['suggested'] {
  const { gen, imp, nGen, nImp, far, frr } = scores;
  if (!nGen || !nImp) return noSuggestion(nGen, nImp);
  const ownReview = firstScore(0, 100, (t) => far(t) <= settings.targetFar, 100);
  // A small set cannot show a low FAR: never go below what the engine measured at scale.
  const raised = ownReview < floor.review_threshold;
  const review = Math.max(ownReview, floor.review_threshold);
  const decline = firstScore(review, 0, (t) => frr(t) <= settings.targetFrr, 0);
  const inBand = (s: number[], n: number): number => round4(s.filter((x) => x > decline && x <= review).length / n);
  return {
    face_match_score_decline_threshold: decline,
    face_match_score_review_threshold: review,
    impostor_share_above_review: round4(far(review)),
    impostor_share_above_decline: round4(far(decline)),
    genuine_share_declined: round4(frr(decline)),
    review_share_genuine: inBand(gen, nGen),
    review_share_impostor: inBand(imp, nImp),
    raised_to_engine_floor: raised,
    rationale: rationaleOf(scores, { review, decline, ownReview, raised, targetFar: settings.targetFar }, floor, inBand),
  };
}

/** The one-paragraph summary of a calibration result. */
function summaryOf(r: Omit<CalibrationResult, 'summary'>, budget: number): string {
  const { suggested: s, genuine, impostor, eer, failures_total: failures } = r;
  const nGen = genuine.pairs;
  const nImp = impostor.pairs;
  const sampleNote = r.pairs_in_file > r.pairs_used || r.stopped_early
    ? ` Used ${r.pairs_used} of ${r.pairs_in_file} pairs (${r.stopped_early ? `stopped at the ${Math.round(budget / 1000)} s time budget; a smaller max_pairs finishes, and in a running server a second call reuses the images analysed so far` : 'an even, balanced sample; raise max_pairs for more'}).`
    : '';
  return (
    `${r.pairs_used} pairs (${nGen} same, ${nImp} different), ${r.images_analysed} images${r.images_cached ? ` (${r.images_cached} from cache)` : ''}.${sampleNote} ` +
    `Median score same ${genuine.percentiles.p50 ?? '-'}, different ${impostor.percentiles.p50 ?? '-'}; EER ${eer === null ? '-' : pct(eer)}. ` +
    (s.face_match_score_review_threshold === null
      ? s.rationale
      : `Suggested for review by a person, not to apply blindly: decline <= ${s.face_match_score_decline_threshold}, review <= ${s.face_match_score_review_threshold}. ${s.rationale}`) +
    (failures ? ` ${failures} problem(s) with lines or images (see failures).` : '')
  );
}

export async function calibrate(input: CalibrationInput, deps: CalibrationDeps): Promise<CalibrationResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const folder = await openFolder(input.folder);
  const settings = settingsOf(input);
  const { inFold, pairs: sampled, problems } = await choosePairs(folder, input.fold, settings);
  const analysis = await analyseImages(folder, sampled, problems, deps, { now, started, budget: settings.budget });
  const { embeddings, failures, stoppedEarly } = analysis;
  const pairs = stoppedEarly ? sampled.filter((p) => embeddings.has(p.a) && embeddings.has(p.b)) : sampled;

  const scores = scorePairs(pairs, embeddings, deps.cosine);
  const { nGen, nImp, far, frr } = scores;
  const floor = engineFloor(settings.targetFar);
  const result: Omit<CalibrationResult, 'summary'> = {
    folder,
    pairs_in_file: inFold.length,
    pairs_used: pairs.length,
    images_analysed: embeddings.size,
    images_cached: analysis.cached,
    stopped_early: stoppedEarly,
    genuine: distribution(scores.gen, scores.genMissing),
    impostor: distribution(scores.imp, scores.impMissing),
    table: THRESHOLDS.map((t) => ({ threshold: t, far: nImp ? round4(far(t)) : null, frr: nGen ? round4(frr(t)) : null })),
    eer: equalErrorRate(scores),
    engine_floor: floor,
    suggested: suggestThresholds(scores, floor, settings),
    failures: failures.slice(0, MAX_FAILURES_LISTED),
    failures_total: failures.length,
  };
  return { ...result, summary: summaryOf(result, settings.budget) };
}
