// FaceEngine: loads the models once (lazily, one shared promise so concurrent first calls
// do not load twice) and runs the pipeline for match() and embed().
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { modelsDir as defaultModelsDir } from '../paths.js';
import { FacematchError, isFacematchError } from '../errors.js';
import { log } from '../log.js';
import { loadSessions, sessionPlan, type SessionPlan, type Sessions } from './models.js';
import { EnginePool } from './pool.js';
import { asImageBuffer, probeImage } from './decode.js';
import { analyzeImage, type FaceAnalysis } from './pipeline.js';
import { pipelineConfig, type PipelineConfig } from './pipeline-config.js';
import { matchReport, pairTiming } from './match-report.js';
import { decideStandalone, decideWorkflow, STANDALONE_DECLINE_DEFAULT, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT } from './decision.js';
import type { RgbImage } from './image.js';
import type { ImageQuality } from './quality.js';
import type { AnalyzeOptions, FaceEmbeddings, FaceEntity, FaceMatchReport, MatchOptions, SingleFaceReport } from './types.js';

/** Image bytes: a Buffer or any Uint8Array (others are refused with a clear error). */
export type ImageInput = Buffer | Uint8Array;

export interface FaceEngineOptions {
  modelsDir?: string;
  /** onnxruntime intra-op threads per session when working inline (default: min(2, cores)). */
  threads?: number;
  /** Pipeline variants, for evaluation; defaults are the measured best. */
  pipeline?: Partial<PipelineConfig>;
  /**
   * Run every image (decode, detect, align, embed) in worker threads, so the calling thread
   * only waits (onnxruntime-node runs inference on the calling JS thread). Default: on,
   * unless FACEMATCH_PARALLEL is '0'. false = work inline on the calling thread.
   */
  parallel?: boolean;
  /** Worker threads (each a copy of the models, ~35 MB): default FACEMATCH_WORKERS or min(4, cores). */
  workers?: number;
  /**
   * Scheduling niceness of the worker threads (0-19, default FACEMATCH_ENGINE_NICE or 10): face
   * work then takes only the CPU time the calling thread (an HTTP server's routes, an MCP
   * client's other tools) leaves free, instead of sharing the cores equally with it.
   */
  niceness?: number;
  /**
   * Matches allowed to wait (beyond the ones running) before match() refuses with
   * ENGINE_BUSY: default FACEMATCH_MAX_QUEUE or 32.
   */
  maxQueue?: number;
}

export type ProgressFn = (done: number, total: number, message: string) => void;

let sharedEngine: FaceEngine | null = null;

/** Worker-pool deaths after which an engine stops starting new pools and works inline. */
const MAX_POOL_FAILURES = 3;
export const DEFAULT_MAX_QUEUE = 32;
export const DEFAULT_ENGINE_NICE = 10;

/** Thrown by match() when maxQueue matches are already waiting. */
export class EngineBusyError extends FacematchError {
  /** Estimated seconds until a slot frees (for HTTP Retry-After). */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, queued: number) {
    super('ENGINE_BUSY', `the face engine is busy (${queued} matches waiting); retry in about ${retryAfterSeconds} s.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function positiveIntEnv(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    log(`${name}='${v}' is not a whole number >= 0; ignoring it`);
    return undefined;
  }
  return n;
}

export class FaceEngine {
  readonly modelsDir: string;
  readonly threads: number;
  readonly config: PipelineConfig;
  readonly workers: number;
  readonly maxQueue: number;
  readonly niceness: number;
  private loading: Promise<Sessions> | null = null;
  private readonly parallel: boolean;
  private pool: EnginePool | null = null;
  private poolReady: Promise<void> | null = null;
  private poolFailures = 0;
  /** Matches running / waiting for a slot. */
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Moving average of one match's wall time, for Retry-After estimates. */
  private avgMatchMs = 250;

  constructor(opts: FaceEngineOptions = {}) {
    this.modelsDir = opts.modelsDir ?? defaultModelsDir;
    this.threads = opts.threads ?? Math.max(1, Math.min(2, availableParallelism()));
    this.config = pipelineConfig(opts.pipeline);
    this.parallel = opts.parallel ?? process.env.FACEMATCH_PARALLEL !== '0';
    this.workers = Math.max(1, opts.workers ?? positiveIntEnv('FACEMATCH_WORKERS') ?? Math.min(4, availableParallelism()));
    this.maxQueue = Math.max(0, opts.maxQueue ?? positiveIntEnv('FACEMATCH_MAX_QUEUE') ?? DEFAULT_MAX_QUEUE);
    this.niceness = Math.min(19, Math.max(0, opts.niceness ?? positiveIntEnv('FACEMATCH_ENGINE_NICE') ?? DEFAULT_ENGINE_NICE));
  }

  /** Matches running at once: each uses two workers (one per image) while both images are in work. */
  private get concurrency(): number {
    return this.parallel ? this.workers : 1;
  }

  /** Load now: matches running and waiting (load-independent; never starts work). */
  busy(): { inFlight: number; queued: number } {
    return { inFlight: this.running, queued: this.waiting.length };
  }

  /** Takes a match slot, or throws ENGINE_BUSY when maxQueue matches already wait. */
  private async acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    if (this.waiting.length >= this.maxQueue) {
      const ahead = this.waiting.length + this.running;
      throw new EngineBusyError(Math.max(1, Math.ceil((ahead * this.avgMatchMs) / this.concurrency / 1000)), this.waiting.length);
    }
    // The slot is handed over by release() (running stays counted).
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(ms: number | null): void {
    if (ms !== null) this.avgMatchMs = 0.8 * this.avgMatchMs + 0.2 * ms;
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  /**
   * The worker pool, started with its models loading. A pool whose workers died is
   * replaced on the next call; after MAX_POOL_FAILURES the engine works inline.
   */
  private workerPool(): { pool: EnginePool; ready: Promise<void> } | null {
    if (this.pool && !this.pool.alive) this.dropPool(this.pool, true);
    if (!this.parallel || this.poolFailures >= MAX_POOL_FAILURES) return null;
    if (!this.pool) {
      const p = new EnginePool(this.workers, this.config, { unrefWhenIdle: true, modelsDir: this.modelsDir, niceness: this.niceness });
      this.pool = p;
      this.poolReady = p.load();
      this.poolReady.catch((err: unknown) => {
        // Models missing: reported to the caller; the next call starts afresh (the user may
        // fetch them meanwhile). Anything else is a broken worker: counted, then inline.
        if (this.pool !== p) return;
        if (!isFacematchError(err)) log(`face engine workers could not start (${err instanceof Error ? err.message : String(err)})`);
        this.dropPool(p, !isFacematchError(err));
      });
    }
    return { pool: this.pool, ready: this.poolReady! };
  }

  private dropPool(p: EnginePool, failed: boolean): void {
    if (this.pool !== p) return;
    this.pool = null;
    this.poolReady = null;
    if (failed && ++this.poolFailures === MAX_POOL_FAILURES) log(`face engine workers failed ${MAX_POOL_FAILURES} times; this engine now works on the calling thread`);
    void p.close().catch(() => undefined);
  }

  /**
   * Lets running and queued matches finish, then stops the workers (tests and embedders
   * that want a clean exit). The engine stays usable: a later call starts new workers.
   */
  async close(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((this.running > 0 || this.waiting.length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const p = this.pool;
    this.pool = null;
    this.poolReady = null;
    await p?.close();
  }

  /** The process-wide engine (created on first use). */
  static shared(): FaceEngine {
    sharedEngine ??= new FaceEngine();
    return sharedEngine;
  }

  /** Loads the models (in the workers, or inline); later and concurrent calls share the load. */
  async load(onProgress?: ProgressFn): Promise<void> {
    const w = this.workerPool();
    if (w) {
      onProgress?.(0, 4, 'loading face models');
      try {
        await w.ready;
        onProgress?.(4, 4, 'face models loaded');
        return;
      } catch (err) {
        if (isFacematchError(err)) throw err;
      }
    }
    await this.sessions(onProgress);
  }

  private sessions(onProgress?: ProgressFn): Promise<Sessions> {
    if (!this.loading) {
      this.loading = loadSessions(this.modelsDir, this.threads, onProgress);
      // A failed load (e.g. models missing) may be retried after the user fixes it.
      this.loading.catch(() => {
        this.loading = null;
      });
    } else if (onProgress) {
      void this.loading.then(() => onProgress(4, 4, 'face models loaded'), () => undefined);
    }
    return this.loading;
  }

  /** One image through the pipeline in a worker (or inline when workers are off or broken). */
  private async run(buf: Buffer, label: string, opts: AnalyzeOptions): Promise<FaceAnalysis> {
    const w = this.workerPool();
    if (w) {
      try {
        await w.ready;
        return await w.pool.analyze(buf, label, opts);
      } catch (err) {
        if (isFacematchError(err)) throw err;
        // A worker failed (not the image): do this one here; the pool is replaced next call.
        log(`face engine worker failed (${err instanceof Error ? err.message : String(err)}); analysing ${label} on the calling thread`);
      }
    }
    const sessions = await this.sessions();
    return analyzeImage({ sessions, buf, label, cfg: this.config, modelsDir: this.modelsDir, ...opts });
  }

  /** The onnxruntime settings (level, threads, measured ms per level) each model runs with. */
  async onnxSettings(): Promise<SessionPlan> {
    const w = this.workerPool();
    if (w) {
      await w.ready;
      return w.pool.plan();
    }
    return sessionPlan(await this.sessions())!;
  }

  /** The pipeline on this thread (the worker side of the pool). */
  async analyzeInline(buf: Buffer, label: string, opts: AnalyzeOptions): Promise<FaceAnalysis> {
    const sessions = await this.sessions();
    return analyzeImage({ sessions, buf, label, cfg: this.config, modelsDir: this.modelsDir, ...opts });
  }

  /** Runs the pipeline on one image (exposed for eval/bench). */
  async analyze(image: ImageInput, label = 'image', opts: { liveness?: boolean; rotate?: boolean } = {}): Promise<FaceAnalysis> {
    return this.run(asImageBuffer(image, label), label, opts);
  }

  /**
   * Quality signals of one photo (face found, size, brightness, contrast, sharpness, pose)
   * and the issues a person can fix; the embedder is not run. Queued and bounded like match()
   * (ENGINE_BUSY when full).
   */
  async assess(image: ImageInput, label = 'image'): Promise<ImageQuality> {
    const buf = asImageBuffer(image, label);
    await probeImage(buf, label);
    // The same bounded queue as match(): a public page's checks must not pile up without end.
    await this.acquire();
    try {
      return (await this.run(buf, label, { embed: false })).quality;
    } finally {
      this.release(null);
    }
  }

  async embed(image: ImageInput): Promise<{ embedding: Float32Array; face: FaceEntity; entities: FaceEntity[] } | null> {
    const a = await this.analyze(image, 'image');
    if (!a.embedding || !a.chosen) return null;
    return { embedding: a.embedding, face: a.chosen, entities: a.entities };
  }

  /**
   * One photo on its own (passive liveness, age estimation): the same header checks, queue and
   * ENGINE_BUSY bound as match(), but a single analysis instead of the photo against itself.
   */
  async single(image: ImageInput, options: Pick<MatchOptions, 'rotateImage' | 'attributes'> = {}): Promise<SingleFaceReport> {
    const buf = asImageBuffer(image, 'user_image');
    await probeImage(buf, 'user_image');
    await this.acquire();
    let a: FaceAnalysis;
    try {
      const w = this.workerPool();
      if (w) await w.ready.catch(() => undefined); // errors surface in run()
      else await this.sessions();
      a = await this.run(buf, 'user_image', { liveness: true, rotate: options.rotateImage ?? false, attributes: options.attributes ?? false });
    } finally {
      // Not averaged into the match time that Retry-After estimates use.
      this.release(null);
    }
    return {
      user_image: { entities: a.entities, best_angle: a.bestAngle },
      liveness: a.liveness === null ? null : Math.round(a.liveness * 1e4) / 1e4,
      quality: a.quality,
      embedding: a.embedding,
    };
  }

  async match(userImage: ImageInput, refImage: ImageInput, options: MatchOptions = {}): Promise<FaceMatchReport> {
    return (await this.matchInternal(userImage, refImage, options)).report;
  }

  /** The match with the chosen faces' embeddings (unit length; null where no face), for the face store. */
  async matchEmbedded(userImage: ImageInput, refImage: ImageInput, options: MatchOptions = {}): Promise<{ report: FaceMatchReport; embeddings: FaceEmbeddings }> {
    const { report, user, ref } = await this.matchInternal(userImage, refImage, options);
    return { report, embeddings: { user: user.embedding, ref: ref.embedding } };
  }

  async matchDetailed(
    userImage: ImageInput,
    refImage: ImageInput,
    options: MatchOptions = {},
  ): Promise<{ report: FaceMatchReport; alignedFaces: { user: Buffer | null; ref: Buffer | null }; embeddings: FaceEmbeddings }> {
    const { report, user, ref } = await this.matchInternal(userImage, refImage, options);
    const [u, r] = await Promise.all([pngOf(user.aligned), pngOf(ref.aligned)]);
    return { report, alignedFaces: { user: u, ref: r }, embeddings: { user: user.embedding, ref: ref.embedding } };
  }

  /** The match with both analyses (eval/bench read their timings). */
  async matchInternal(userImage: ImageInput, refImage: ImageInput, options: MatchOptions = {}): Promise<{ report: FaceMatchReport; user: FaceAnalysis; ref: FaceAnalysis }> {
    const mode = options.mode ?? 'standalone';
    const decline = options.declineThreshold ?? (mode === 'workflow' ? WORKFLOW_DECLINE_DEFAULT : STANDALONE_DECLINE_DEFAULT);
    const review = options.reviewThreshold ?? WORKFLOW_REVIEW_DEFAULT;
    const nodeId = options.nodeId ?? null;
    // Validate thresholds before any work (throws VALIDATION).
    if (mode === 'workflow') decideWorkflow(0, decline, review, nodeId);
    else decideStandalone(0, decline);
    const userBuf = asImageBuffer(userImage, 'user_image');
    const refBuf = asImageBuffer(refImage, 'ref_image');
    const t0 = performance.now();
    // Header checks (size, type, dimensions) of both images first: a bad image fails fast,
    // user_image's error first, before any pipeline work is started or queued.
    await probeImage(userBuf, 'user_image');
    await probeImage(refBuf, 'ref_image');
    await this.acquire();
    const tQueued = performance.now();
    let user: FaceAnalysis;
    let ref: FaceAnalysis;
    let tLoad = 0;
    try {
      const w = this.workerPool();
      if (w) await w.ready.catch(() => undefined); // errors surface in run()
      else await this.sessions();
      tLoad = performance.now() - tQueued;
      const rotate = options.rotateImage ?? false;
      const attributes = options.attributes ?? false;
      // Both images at once, each in its own worker.
      const settled = await Promise.allSettled([
        this.run(userBuf, 'user_image', { liveness: true, rotate, attributes }),
        this.run(refBuf, 'ref_image', { rotate, attributes }),
      ]);
      // Both settled before returning, so no work for this call is left running (close()
      // and callers that free resources afterwards rely on it); user_image's error wins.
      for (const s of settled) if (s.status === 'rejected') throw s.reason;
      [user, ref] = settled.map((s) => (s as PromiseFulfilledResult<FaceAnalysis>).value) as [FaceAnalysis, FaceAnalysis];
    } catch (err) {
      this.release(null);
      throw err;
    }
    this.release(performance.now() - tQueued);
    const timing = (): Record<string, number> => pairTiming(user, ref, { queue: tQueued - t0, model_load: tLoad, total: performance.now() - t0 });
    const report = matchReport({ user, ref, thresholds: { mode, decline, review, nodeId }, timing });
    return { report, user, ref };
  }
}

async function pngOf(img: RgbImage | null): Promise<Buffer | null> {
  if (!img) return null;
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
}
