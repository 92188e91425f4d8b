// CPU-portable onnxruntime settings: which graph optimisation level is fastest differs per
// model and per CPU (on one Intel Xeon 'all' made the embedder 3x slower and the detector
// 3x faster; MODELS.md). So each model's level is chosen by a short timing on the machine
// it runs on, and cached per CPU model + CPU flags + onnxruntime version + model file
// hash + thread count, in a JSON file under the user's cache folder. A missing, corrupt
// or foreign cache entry is simply measured again and rewritten.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ort } from './ort.js';
import { log } from '../log.js';

export type OptLevel = 'disabled' | 'basic' | 'extended' | 'all';
export const OPT_LEVELS: OptLevel[] = ['all', 'extended', 'basic', 'disabled'];

export interface ModelTuning {
  level: OptLevel;
  threads: number;
  /** Best-of-N ms per run at each level tried (what the choice was made on). */
  ms: Partial<Record<OptLevel, number>>;
  /** When it was measured (ISO). */
  measured_at: string;
}

interface CacheFile {
  version: 1;
  entries: Record<string, ModelTuning>;
}

export function cacheDir(): string {
  return process.env.FACEMATCH_CACHE_DIR ? process.env.FACEMATCH_CACHE_DIR : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'facematch-mcp');
}

export function cacheFile(): string {
  return join(cacheDir(), 'ort-tuning.json');
}

let cpuCached: { model: string; flagsHash: string } | null = null;

/** CPU model name and a short hash of its feature flags (AVX-512 or not changes the winner). */
export function cpuIdentity(): { model: string; flagsHash: string } {
  if (cpuCached) return cpuCached;
  let model = cpus()[0]?.model?.trim() || 'unknown cpu';
  let flags: string = process.arch;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? model;
    flags = /^(?:flags|Features)\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? flags;
  } catch {
    // Not Linux: os.cpus() model and the architecture.
  }
  cpuCached = { model, flagsHash: createHash('sha256').update(`${process.arch} ${flags}`).digest('hex').slice(0, 12) };
  return cpuCached;
}

export function ortVersion(): string {
  const v = (ort.env as { versions?: Record<string, string> }).versions;
  return v?.node ?? v?.common ?? 'unknown';
}

export function fileSha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function tuningKey(modelSha: string, threads: number): string {
  const cpu = cpuIdentity();
  return `${cpu.model} | flags ${cpu.flagsHash} | onnxruntime-node ${ortVersion()} | model ${modelSha.slice(0, 16)} | threads ${threads}`;
}

function readCache(): CacheFile {
  try {
    const parsed = JSON.parse(readFileSync(cacheFile(), 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && (parsed as CacheFile).version === 1 && (parsed as CacheFile).entries && typeof (parsed as CacheFile).entries === 'object') return parsed as CacheFile;
  } catch {
    // Missing or corrupt: start afresh (it is rewritten below).
  }
  return { version: 1, entries: {} };
}

function validEntry(e: unknown): e is ModelTuning {
  return !!e && typeof e === 'object' && OPT_LEVELS.includes((e as ModelTuning).level) && Number.isInteger((e as ModelTuning).threads);
}

export function cachedTuning(key: string): ModelTuning | null {
  const e = readCache().entries[key];
  return validEntry(e) ? e : null;
}

/** Adds one entry: read-modify-write through a temporary file and rename (never a torn file). */
export function storeTuning(key: string, t: ModelTuning): void {
  const file = cacheFile();
  try {
    mkdirSync(dirname(file), { recursive: true });
    const c = readCache();
    c.entries[key] = t;
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(c, null, 1) + '\n');
    renameSync(tmp, file);
  } catch (err) {
    // A read-only home is no reason to fail: the next load just measures again.
    log(`could not write the onnxruntime tuning cache ${file} (${err instanceof Error ? err.message : String(err)})`);
  }
}

export function sessionOptions(threads: number, level: OptLevel): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: level,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/** A deterministic input tensor of the model's own (fixed) shape. */
export function probeInput(session: ort.InferenceSession, dims: number[]): Record<string, ort.Tensor> {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s / 2 ** 32) * 2 - 1;
  }
  return { [session.inputNames[0]!]: new ort.Tensor('float32', data, dims) };
}

/** Times `runs` inferences after `warm` warm-ups; returns each run's ms. */
export async function timeRuns(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, warm: number, runs: number): Promise<number[]> {
  for (let i = 0; i < warm; i++) await session.run(feeds);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await session.run(feeds);
    out.push(performance.now() - t);
  }
  return out;
}

/** Time budget for measuring one model (after its sessions exist). */
const TUNE_BUDGET_MS = 250;
const TUNE_ROUNDS = 3;

/**
 * The model's session at its fastest level on this machine: from the cache, or measured
 * now. Measuring: one session per level, one warm-up each, then rounds that run every
 * level once in turn (so a burst of load from elsewhere hits all levels alike), up to
 * TUNE_ROUNDS rounds or TUNE_BUDGET_MS; each level's best run decides. FACEMATCH_ORT_LEVEL
 * forces one level for every model (no measuring, nothing cached); FACEMATCH_RETUNE=1
 * ignores the cache and measures again.
 */
export async function tunedSession(path: string, dims: number[], threads: number): Promise<{ session: ort.InferenceSession; tuning: ModelTuning; fromCache: boolean }> {
  const forced = process.env.FACEMATCH_ORT_LEVEL as OptLevel | undefined;
  if (forced && OPT_LEVELS.includes(forced)) {
    return { session: await ort.InferenceSession.create(path, sessionOptions(threads, forced)), tuning: { level: forced, threads, ms: {}, measured_at: 'forced by FACEMATCH_ORT_LEVEL' }, fromCache: false };
  }
  const key = tuningKey(fileSha(path), threads);
  // FACEMATCH_RETUNE=1 measures again (e.g. the first run happened on a busy machine).
  const cached = process.env.FACEMATCH_RETUNE === '1' ? null : cachedTuning(key);
  if (cached) return { session: await ort.InferenceSession.create(path, sessionOptions(threads, cached.level)), tuning: cached, fromCache: true };
  const sessions: Array<{ level: OptLevel; session: ort.InferenceSession; best: number }> = [];
  for (const level of OPT_LEVELS) sessions.push({ level, session: await ort.InferenceSession.create(path, sessionOptions(threads, level)), best: Infinity });
  const feeds = probeInput(sessions[0]!.session, dims);
  for (const s of sessions) await timeRuns(s.session, feeds, 1, 0);
  const t0 = performance.now();
  for (let round = 0; round < TUNE_ROUNDS && (round === 0 || performance.now() - t0 < TUNE_BUDGET_MS); round++) {
    for (const s of sessions) s.best = Math.min(s.best, (await timeRuns(s.session, feeds, 0, 1))[0]!);
  }
  // Noise guard: another level must beat the default ('all', first) by 5% to be chosen.
  const winner = sessions.reduce((a, b) => (b.best < a.best * (a === sessions[0] ? 0.95 : 1) ? b : a));
  for (const s of sessions) if (s !== winner) await s.session.release();
  const ms = Object.fromEntries(sessions.map((s) => [s.level, Math.round(s.best * 100) / 100])) as Partial<Record<OptLevel, number>>;
  const tuning: ModelTuning = { level: winner.level, threads, ms, measured_at: new Date().toISOString() };
  storeTuning(key, tuning);
  return { session: winner.session, tuning, fromCache: false };
}
