// FaceEngine: loads the models once (lazily, one shared promise so concurrent first calls
// do not load twice) and runs the pipeline for match() and embed().
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { modelsDir as defaultModelsDir } from '../paths.js';
import { isFacematchError } from '../errors.js';
import { log } from '../log.js';
import { loadSessions, type Sessions } from './models.js';
import { EnginePool } from './pool.js';
import { asImageBuffer, probeImage } from './decode.js';
import { analyzeImage, DEFAULT_PIPELINE, type FaceAnalysis, type PipelineConfig } from './pipeline.js';
import { cosine } from './embed.js';
import { reportScore } from './score.js';
import { decideStandalone, decideWorkflow, STANDALONE_DECLINE_DEFAULT, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT } from './decision.js';
import type { RgbImage } from './image.js';
import type { ImageQuality } from './quality.js';
import type { FaceEntity, FaceMatchReport, MatchOptions } from './types.js';

/** Image bytes: a Buffer or any Uint8Array (others are refused with a clear error). */
export type ImageInput = Buffer | Uint8Array;

export interface FaceEngineOptions {
  modelsDir?: string;
  /** onnxruntime intra-op threads per session (default: min(2, cores)). */
  threads?: number;
  /** Pipeline variants, for evaluation; defaults are the measured best. */
  pipeline?: Partial<PipelineConfig>;
  /**
   * Analyse the reference image in a helper worker thread while this thread does the
   * selfie (onnxruntime-node runs inference on the calling JS thread, so this is the only
   * way a single match uses two cores). Default: on when the machine has >= 2 cores and
   * FACEMATCH_PARALLEL is not '0'. Costs a second copy of the models (~70 MB RSS).
   */
  parallel?: boolean;
}

export type ProgressFn = (done: number, total: number, message: string) => void;

let sharedEngine: FaceEngine | null = null;

/** Helper-thread deaths after which an engine stops starting new helpers. */
const MAX_HELPER_FAILURES = 3;

export class FaceEngine {
  readonly modelsDir: string;
  readonly threads: number;
  readonly config: PipelineConfig;
  private loading: Promise<Sessions> | null = null;
  private readonly parallel: boolean;
  private helper: EnginePool | null = null;
  private helperFailures = 0;

  constructor(opts: FaceEngineOptions = {}) {
    this.modelsDir = opts.modelsDir ?? defaultModelsDir;
    this.threads = opts.threads ?? Math.max(1, Math.min(2, availableParallelism()));
    this.config = { ...DEFAULT_PIPELINE, ...opts.pipeline };
    this.parallel = opts.parallel ?? (process.env.FACEMATCH_PARALLEL !== '0' && availableParallelism() >= 2);
  }

  /**
   * The helper worker, started with the models (it loads its own copy). A helper that has
   * died is replaced on the next call; after MAX_HELPER_FAILURES the engine stops trying
   * and works on this thread only.
   */
  private helperPool(): EnginePool | null {
    if (this.helper && !this.helper.alive) this.dropHelper(this.helper);
    if (!this.parallel || this.helperFailures >= MAX_HELPER_FAILURES) return null;
    if (!this.helper) {
      const h = new EnginePool(1, this.config, { unrefWhenIdle: true });
      this.helper = h;
      h.load().catch((err: unknown) => {
        // Models missing or the worker failed: match() falls back to this thread (which
        // reports a missing-models error itself; close() during the load is not a failure).
        if (this.helper !== h) return;
        if (!isFacematchError(err)) log(`face engine helper thread could not start (${err instanceof Error ? err.message : String(err)}); working on one thread`);
        this.dropHelper(h);
      });
    }
    return this.helper;
  }

  private dropHelper(h: EnginePool): void {
    if (this.helper !== h) return;
    this.helper = null;
    if (++this.helperFailures === MAX_HELPER_FAILURES) log(`face engine helper thread failed ${MAX_HELPER_FAILURES} times; this engine now works on one thread`);
    void h.close().catch(() => undefined);
  }

  /** Stops the helper worker (tests and embedders that want a clean exit). Safe while matches run. */
  async close(): Promise<void> {
    const h = this.helper;
    this.helper = null;
    await h?.close();
  }

  /** The process-wide engine (created on first use). */
  static shared(): FaceEngine {
    sharedEngine ??= new FaceEngine();
    return sharedEngine;
  }

  /** Loads the four models once; later and concurrent calls share the same promise. */
  async load(onProgress?: ProgressFn): Promise<void> {
    await this.sessions(onProgress);
    this.helperPool();
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

  /** Runs the pipeline on one image (exposed for eval/bench). */
  async analyze(image: ImageInput, label = 'image', opts: { liveness?: boolean; rotate?: boolean } = {}): Promise<FaceAnalysis> {
    const buf = asImageBuffer(image, label);
    const sessions = await this.sessions();
    return analyzeImage(sessions, buf, label, { cfg: this.config, ...opts });
  }

  /**
   * Quality signals of one photo (face found, size, brightness, contrast, sharpness, pose)
   * and the issues a person can fix; the embedder is not run.
   */
  async assess(image: ImageInput, label = 'image'): Promise<ImageQuality> {
    const buf = asImageBuffer(image, label);
    const sessions = await this.sessions();
    return (await analyzeImage(sessions, buf, label, { cfg: this.config, embed: false })).quality;
  }

  async embed(image: ImageInput): Promise<{ embedding: Float32Array; face: FaceEntity; entities: FaceEntity[] } | null> {
    const a = await this.analyze(image, 'image');
    if (!a.embedding || !a.chosen) return null;
    return { embedding: a.embedding, face: a.chosen, entities: a.entities };
  }

  async match(userImage: ImageInput, refImage: ImageInput, options: MatchOptions = {}): Promise<FaceMatchReport> {
    return (await this.matchDetailed(userImage, refImage, options)).report;
  }

  async matchDetailed(
    userImage: ImageInput,
    refImage: ImageInput,
    options: MatchOptions = {},
  ): Promise<{ report: FaceMatchReport; alignedFaces: { user: Buffer | null; ref: Buffer | null } }> {
    const { report, user, ref } = await this.matchInternal(userImage, refImage, options);
    const [u, r] = await Promise.all([pngOf(user.aligned), pngOf(ref.aligned)]);
    return { report, alignedFaces: { user: u, ref: r } };
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
    // user_image's error first, before any pipeline work is started.
    await probeImage(userBuf, 'user_image');
    await probeImage(refBuf, 'ref_image');
    const sessions = await this.sessions();
    const tLoad = performance.now() - t0;
    const rotate = options.rotateImage ?? false;
    // Both images in parallel: sharp and onnxruntime run off the JS thread, so the two
    // pipelines overlap on two cores.
    const helper = this.helperPool();
    const settled = await Promise.allSettled([
      analyzeImage(sessions, userBuf, 'user_image', { cfg: this.config, liveness: true, rotate }),
      helper
        ? helper.analyze(refBuf, 'ref_image', { rotate }).catch((err: unknown) => {
            if (isFacematchError(err)) throw err;
            // The helper thread failed (not the image): do the work here instead.
            log(`face engine helper thread failed (${err instanceof Error ? err.message : String(err)}); analysing ref_image on the main thread`);
            return analyzeImage(sessions, refBuf, 'ref_image', { cfg: this.config, rotate });
          })
        : analyzeImage(sessions, refBuf, 'ref_image', { cfg: this.config, rotate }),
    ]);
    // Both settled before returning, so no work for this call is left running (close()
    // and callers that free resources afterwards rely on it); user_image's error wins.
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    const [user, ref] = settled.map((s) => (s as PromiseFulfilledResult<FaceAnalysis>).value) as [FaceAnalysis, FaceAnalysis];
    const similarity = user.embedding && ref.embedding ? cosine(user.embedding, ref.embedding) : null;
    const score = similarity === null ? null : reportScore(similarity);
    const decision = mode === 'workflow' ? decideWorkflow(score, decline, review, nodeId) : decideStandalone(score, decline);
    const timing: Record<string, number> = {};
    for (const a of [user, ref]) for (const [k, v] of Object.entries(a.timings)) timing[k] = (timing[k] ?? 0) + v;
    for (const k of Object.keys(timing)) timing[k] = round1(timing[k]!);
    timing.model_load = round1(tLoad);
    timing.model = round1(user.modelMs + ref.modelMs);
    timing.total = round1(performance.now() - t0);
    const report: FaceMatchReport = {
      status: decision.status,
      score,
      user_image: { entities: user.entities, best_angle: user.bestAngle },
      ref_image: { entities: ref.entities, best_angle: ref.bestAngle },
      warnings: decision.warnings,
      similarity: similarity === null ? null : Math.round(similarity * 1e6) / 1e6,
      liveness: { user_image: user.liveness === null ? null : Math.round(user.liveness * 1e4) / 1e4 },
      quality: { user_image: user.quality, ref_image: ref.quality },
      timing_ms: timing,
    };
    return { report, user, ref };
  }
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

async function pngOf(img: RgbImage | null): Promise<Buffer | null> {
  if (!img) return null;
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
}
