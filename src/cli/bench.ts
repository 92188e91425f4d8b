// facematch-mcp bench [--images DIR] [--iterations N] [--pairs N] [--retune] [--search-only] [--search-sizes 1000,10000,...]
// Builds realistic test photos at run time from face photos (never stored in the repo):
// a 1600x1200 "selfie" (face ~600 px) and a 1500x1000 "ID card" (portrait ~300 px), then
// measures: the CPU and the onnxruntime settings the engine chose for it; each model's
// median time at every optimisation level (same run); end-to-end match latency, pure
// model time, per-stage medians; the ratio of match p50 to the best possible model time
// of a match; what the rare paths cost (dark-photo retries, far-face tiles); throughput on
// 640x480 pairs through FaceEngine.match (the server's path); memory. Progress on stderr; the last stdout line is one JSON object.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { UsageError, printJson, type Command } from './common.js';
import { defineCommand, printedHelp, readFlags } from './flags.js';
import { ort } from '../engine/ort.js';
import { FaceEngine } from '../engine/index.js';
import { MODEL_DIMS, MODEL_FILES, type ModelName } from '../engine/models.js';
import { OPT_LEVELS, cacheFile, cpuIdentity, ortVersion, probeInput, sessionOptions, timeRuns, type OptLevel } from '../engine/tuning.js';
import type { PipelineConfig } from '../engine/pipeline.js';
import { packageRoot } from '../paths.js';

/** Each model's median ms per run at every level (1 thread, as each worker runs): 3 warm-ups, 11 runs, interleaved. */
async function levelTable(modelsDir: string): Promise<Record<ModelName, Record<OptLevel, number>>> {
  const out = {} as Record<ModelName, Record<OptLevel, number>>;
  for (const name of Object.keys(MODEL_FILES) as ModelName[]) {
    const sessions = await Promise.all(OPT_LEVELS.map((l) => ort.InferenceSession.create(join(modelsDir, MODEL_FILES[name]), sessionOptions(1, l))));
    const feeds = probeInput(sessions[0]!, MODEL_DIMS[name]);
    for (const s of sessions) await timeRuns(s, feeds, 3, 0);
    const runs: number[][] = sessions.map(() => []);
    for (let i = 0; i < 11; i++) for (const [k, s] of sessions.entries()) runs[k]!.push((await timeRuns(s, feeds, 0, 1))[0]!);
    out[name] = Object.fromEntries(OPT_LEVELS.map((l, k) => [l, Math.round(median(runs[k]!) * 100) / 100])) as Record<OptLevel, number>;
    for (const s of sessions) await s.release();
  }
  return out;
}

/** Model runs in one match with this pipeline (no pad retries, no rotations). */
function runsPerMatch(cfg: PipelineConfig): Record<ModelName, number> {
  return { detect: 2, landmark: 2 * (cfg.landmarkFlip ? 2 : 1) * cfg.landmarkScales.length * (cfg.landmarkRecentre ? 2 : 1), feature: 2 * (cfg.embedFlip ? 2 : 1), liveness: 1 };
}

function defaultImagesDir(): string {
  const faces = process.env.FACEMATCH_DATA ? resolve(process.env.FACEMATCH_DATA) : resolve(packageRoot, '..', 'shared', 'data', 'faces');
  return join(faces, 'lfw-funneled-dev', 'images');
}

function findPhotos(dir: string, limit: number): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (out.length >= limit) return;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(jpe?g|png|webp|tiff?)$/i.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};
const r1 = (v: number): number => Math.round(v * 10) / 10;

/** Selfie-like: the photo enlarged to fill the height, on a blurred enlarged copy. */
async function selfie(photo: Buffer, w: number, h: number): Promise<Buffer> {
  const bg = await sharp(photo).resize(w, h, { fit: 'cover' }).blur(12).toBuffer();
  const fg = await sharp(photo).resize(h, h).toBuffer();
  return sharp(bg).composite([{ input: fg, left: Math.round((w - h) / 2), top: 0 }]).jpeg({ quality: 88 }).toBuffer();
}

/** ID-card-like: a pale card with the portrait on the left and grey "text" bars. */
async function idCard(photo: Buffer): Promise<Buffer> {
  const W = 1500;
  const H = 1000;
  const portrait = await sharp(photo).resize(420, 420).toBuffer();
  const bar = await sharp({ create: { width: 700, height: 36, channels: 3, background: '#8a8f99' } }).png().toBuffer();
  return sharp({ create: { width: W, height: H, channels: 3, background: '#e8e4da' } })
    .composite([{ input: portrait, left: 90, top: 260 }, ...[300, 400, 500, 600, 700].map((top) => ({ input: bar, left: 640, top }))])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The selfie under-exposed x0.1 with +-10 levels of sensor noise: the dark-photo paths. */
async function darkSelfie(photo: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(photo).linear(0.1, 0).raw().toBuffer({ resolveWithObject: true });
  let s = 11;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = Math.max(0, Math.min(255, data[i]! + ((s >>> 16) % 21) - 10));
  }
  return sharp(data, { raw: info }).jpeg({ quality: 85 }).toBuffer();
}

/** A face ~45 px wide in a 2560x1920 frame: found only by the full-resolution tiles. */
async function farFace(photo: Buffer): Promise<Buffer> {
  const fg = await sharp(photo).resize(110, 110).toBuffer();
  return sharp({ create: { width: 2560, height: 1920, channels: 3, background: '#6b7280' } })
    .composite([{ input: fg, left: 1900, top: 400 }])
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** Median analysis time (ms) of one photo and the retry stages that ran for it. */
async function pathCost(engine: FaceEngine, img: Buffer, runs: number, rotate = false): Promise<{ ms: number; face: boolean; stages: string[] }> {
  const ms: number[] = [];
  let last = await engine.analyze(img, 'user_image', { rotate });
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await engine.analyze(img, 'user_image', { rotate });
    ms.push(performance.now() - t);
  }
  return { ms: r1(median(ms)), face: last.chosen !== null, stages: Object.keys(last.timings).filter((k) => k.startsWith('detect_')) };
}

/** The face photos to build test images from: two of one person first (a genuine pair) when there are. */
function benchSources(dir: string): Buffer[] {
  const photos = findPhotos(dir, 16);
  if (photos.length < 2) throw new UsageError(`fewer than two photos in '${dir}'; pass --images DIR with face photos.`);
  // Prefer two photos of the same person (same folder) for the 1-2 MP pair: a genuine match.
  const byDir = new Map<string, string[]>();
  for (const p of findPhotos(dir, 400)) byDir.set(p.slice(0, p.lastIndexOf('/')), [...(byDir.get(p.slice(0, p.lastIndexOf('/'))) ?? []), p]);
  const samePerson = [...byDir.values()].find((v) => v.length >= 2);
  return (samePerson ? [...samePerson.slice(0, 2), ...photos] : photos).map((p) => readFileSync(p));
}

/** End-to-end match times of the 1-2 MP pair, and per-stage medians of its images analysed one after the other. */
async function timedPair(engine: FaceEngine, big: Buffer[], iterations: number): Promise<{ totals: number[]; matchP50: number; modelMs: number; stageMedians: Record<string, number> }> {
  for (let i = 0; i < 5; i++) await engine.match(big[0]!, big[1]!); // warm-up
  const totals: number[] = [];
  const models: number[] = [];
  let lastReport = null;
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    const { report } = await engine.matchInternal(big[0]!, big[1]!);
    totals.push(performance.now() - t);
    models.push(report.timing_ms.model!);
    lastReport = report;
  }
  // Per-stage medians from the two images analysed one after the other (inside match()
  // they interleave, so stage wall times overlap).
  const seqStages: Record<string, number[]> = {};
  for (let i = 0; i < Math.max(10, Math.floor(iterations / 2)); i++) {
    const per: Record<string, number> = {};
    for (const [k, img] of big.entries()) {
      const a = await engine.analyze(img, k === 0 ? 'user_image' : 'ref_image', { liveness: k === 0 });
      for (const [st, v] of Object.entries(a.timings)) per[st] = (per[st] ?? 0) + v;
      per.model = (per.model ?? 0) + a.modelMs;
    }
    for (const [st, v] of Object.entries(per)) (seqStages[st] ??= []).push(v);
  }
  const matchP50 = median(totals);
  const modelMs = median(models);
  const stageMedians = Object.fromEntries(Object.entries(seqStages).map(([k, v]) => [k, r1(median(v))]));
  process.stderr.write(`bench: 1-2 MP pair: p50 ${r1(matchP50)} ms, model ${r1(modelMs)} ms, score ${lastReport?.score}; stages, both images one after the other: ${JSON.stringify(stageMedians)}\n`);
  return { totals, matchP50, modelMs, stageMedians };
}

/** What the rare paths cost (one photo, analysed on the calling engine's path): the plain
 *  selfie; a dark noisy one (retries on brightened copies, re-detection on the corrected
 *  image); a tiny face in a big frame (full-resolution tiles); rotations tried (sessions always
 *  try them) on the upright selfie and on a copy turned 90 degrees. */
async function rarePaths(engine: FaceEngine, bigSelfie: Buffer, photo: Buffer): Promise<Record<string, { ms: number; face: boolean; stages: string[] }>> {
  return {
    plain: await pathCost(engine, bigSelfie, 7),
    rotations: await pathCost(engine, bigSelfie, 7, true),
    turned_90: await pathCost(engine, await sharp(bigSelfie).rotate(90).jpeg({ quality: 90 }).toBuffer(), 7, true),
    dark: await pathCost(engine, await darkSelfie(bigSelfie), 7),
    far_face: await pathCost(engine, await farFace(photo), 7),
  };
}

/** Matches per second on 640x480 pairs through the engine (its workers), 2 matches per worker in flight. */
async function throughput(engine: FaceEngine, src: Buffer[], pairCount: number): Promise<number> {
  const small = await Promise.all(src.slice(0, 8).map((p) => selfie(p, 640, 480)));
  const workers = engine.workers;
  for (let i = 0; i < workers * 2; i++) await engine.match(small[i % small.length]!, small[(i + 1) % small.length]!);
  let next = 0;
  const tThroughput = performance.now();
  await Promise.all(
    Array.from({ length: workers * 2 }, async () => {
      while (next < pairCount) {
        const i = next++;
        await engine.match(small[i % small.length]!, small[(i * 3 + 1) % small.length]!);
      }
    }),
  );
  return pairCount / ((performance.now() - tThroughput) / 1000);
}

/** The onnxruntime settings chosen, each model's time at every level, and what the models of one
 *  match cost at the best and at the chosen levels. */
async function modelCosts(engine: FaceEngine) {
  const settings = await engine.onnxSettings();
  const chosen = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, { level: v.level, threads: v.threads }]));
  process.stderr.write(`bench: chosen onnxruntime settings ${JSON.stringify(chosen)}\n`);
  const levels = await levelTable(engine.modelsDir);
  process.stderr.write(`bench: model ms at each level (1 thread, median of 11): ${JSON.stringify(levels)}\n`);
  const perMatch = runsPerMatch(engine.config);
  const bestModel = Object.fromEntries((Object.keys(levels) as ModelName[]).map((m) => [m, Math.min(...Object.values(levels[m]))])) as Record<ModelName, number>;
  const chosenModel = Object.fromEntries((Object.keys(levels) as ModelName[]).map((m) => [m, levels[m][settings[m].level]])) as Record<ModelName, number>;
  const bestSum = (Object.keys(perMatch) as ModelName[]).reduce((a, m) => a + perMatch[m] * bestModel[m], 0);
  const chosenSum = (Object.keys(perMatch) as ModelName[]).reduce((a, m) => a + perMatch[m] * chosenModel[m], 0);
  return { chosen, levels, perMatch, bestSum, chosenSum };
}

export const BENCH = defineCommand({
  name: 'bench',
  summary: 'Speed and memory benchmark on photos built from face photos at run time; progress on stderr, one JSON line last.',
  flags: {
    images: { type: 'string', value: 'DIR', description: 'a folder of face photos (default: the test data set)' },
    iterations: { type: 'string', value: 'N', default: '40', description: 'timed matches of the 1-2 MP pair' },
    pairs: { type: 'string', value: 'N', default: '120', description: 'matches for the throughput run' },
    retune: { type: 'boolean', description: 'measure the onnxruntime settings again (ignore the cache)' },
    'search-only': { type: 'boolean', description: 'only the face search benchmark' },
    'search-sizes': { type: 'string', value: 'N,N,...', default: '1000,10000,100000,1000000', description: 'face counts for the search benchmark' },
  },
});

export const run: Command = async (argv) => {
  if (printedHelp(BENCH, argv)) return 0;
  const { positionals: positional, values: flags } = readFlags(BENCH, argv);
  // Face search: exact scan over 1k..1M synthetic faces (see bench-search.ts).
  const sizes = flags['search-sizes'].split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 5_000_000)) throw new UsageError('--search-sizes takes whole numbers from 1 to 5000000, comma-separated.');
  if (flags['search-only']) {
    const { searchBench } = await import('./bench-search.js');
    printJson({ cpu: cpuIdentity().model, face_search: await searchBench(sizes, 50) });
    return 0;
  }
  // --retune: measure the onnxruntime levels again (the cache may come from a busy moment).
  if (flags.retune) process.env.FACEMATCH_RETUNE = '1';
  if (positional.length > 0) throw new UsageError(`bench takes no positional arguments (got '${positional[0]}'); use --images DIR.`);
  const dir = resolve(flags.images ?? defaultImagesDir());
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`image folder '${dir}' not found; pass --images DIR with a few face photos.`);
  const iterations = Number(flags.iterations);
  const pairCount = Number(flags.pairs);
  if (!Number.isInteger(iterations) || iterations < 1 || !Number.isInteger(pairCount) || pairCount < 1) throw new UsageError('--iterations and --pairs must be positive integers.');
  const src = benchSources(dir);
  // 1. Two 1-2 MP JPEGs, one engine, end to end.
  const big = [await selfie(src[0]!, 1600, 1200), await idCard(src[1]!)];
  const engine = new FaceEngine();
  const cpu = cpuIdentity();
  process.stderr.write(`bench: CPU ${cpu.model} (flags ${cpu.flagsHash}), onnxruntime-node ${ortVersion()}, tuning cache ${cacheFile()}\n`);
  const tLoad = performance.now();
  await engine.load();
  const loadMs = performance.now() - tLoad;
  const { chosen, levels, perMatch, bestSum, chosenSum } = await modelCosts(engine);
  process.stderr.write(`bench: models loaded in ${r1(loadMs)} ms; selfie ${r1(big[0]!.length / 1024)} KB (1600x1200), id ${r1(big[1]!.length / 1024)} KB (1500x1000)\n`);
  const { totals, matchP50, modelMs, stageMedians } = await timedPair(engine, big, iterations);
  const rssSingle = process.memoryUsage().rss / 1048576;
  const retryPaths = await rarePaths(engine, big[0]!, src[0]!);
  process.stderr.write(`bench: rare paths, one photo: ${JSON.stringify(retryPaths)}\n`);
  // 2. Throughput on 640x480 pairs.
  const workers = engine.workers;
  const matchesPerS = await throughput(engine, src, pairCount);
  await engine.close();
  const rssAll = process.memoryUsage().rss / 1048576;
  process.stderr.write(`bench: 640x480 pairs: ${r1(matchesPerS)} matches/s with ${workers} workers\n`);
  printJson({
    cpu: cpu.model,
    cpu_flags_hash: cpu.flagsHash,
    onnxruntime_node: ortVersion(),
    chosen_settings: chosen,
    model_ms_by_level: levels,
    model_runs_per_match: perMatch,
    best_model_sum_ms: r1(bestSum),
    chosen_model_sum_ms: r1(chosenSum),
    ratio_match_p50_to_best_model_sum: Math.round((matchP50 / bestSum) * 100) / 100,
    match_p50_ms: r1(matchP50),
    match_p90_ms: r1(totals.sort((a, b) => a - b)[Math.floor(totals.length * 0.9)]!),
    model_ms: r1(modelMs),
    ratio: Math.round((matchP50 / modelMs) * 100) / 100,
    stages_ms: stageMedians,
    retry_paths_ms: retryPaths,
    model_load_ms: r1(loadMs),
    matches_per_s: r1(matchesPerS),
    workers,
    rss_mb: Math.round(rssSingle),
    rss_mb_with_workers: Math.round(rssAll),
    iterations,
    face_search: await (await import('./bench-search.js')).searchBench(sizes, 50),
  });
  return 0;
};
