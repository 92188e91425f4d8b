// FaceEngine: loads the models once (lazily, one shared promise so concurrent first calls
// do not load twice) and runs the pipeline for match() and embed().
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { modelsDir as defaultModelsDir } from '../paths.js';
import { FacematchError, isFacematchError } from '../errors.js';
import { loadSessions, type Sessions } from './models.js';
import { EnginePool } from './pool.js';
import { analyzeImage, DEFAULT_PIPELINE, type FaceAnalysis, type PipelineConfig } from './pipeline.js';
import { cosine } from './embed.js';
import { reportScore } from './score.js';
import { decideStandalone, decideWorkflow, STANDALONE_DECLINE_DEFAULT, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT } from './decision.js';
import type { RgbImage } from './image.js';
import type { FaceEntity, FaceMatchReport, MatchOptions } from './types.js';

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

export class FaceEngine {
  readonly modelsDir: string;
  readonly threads: number;
  readonly config: PipelineConfig;
  private loading: Promise<Sessions> | null = null;
  private readonly parallel: boolean;
  private helper: EnginePool | null = null;

  constructor(opts: FaceEngineOptions = {}) {
    this.modelsDir = opts.modelsDir ?? defaultModelsDir;
    this.threads = opts.threads ?? Math.max(1, Math.min(2, availableParallelism()));
    this.config = { ...DEFAULT_PIPELINE, ...opts.pipeline };
    this.parallel = opts.parallel ?? (process.env.FACEMATCH_PARALLEL !== '0' && availableParallelism() >= 2);
  }

  /** The helper worker, started with the models (it loads its own copy). */
  private helperPool(): EnginePool | null {
    if (!this.parallel) return null;
    if (!this.helper) {
      this.helper = new EnginePool(1, this.config, { unrefWhenIdle: true });
      this.helper.load().catch(() => {
        // Models missing or the worker failed: match() falls back to this thread.
        void this.helper?.close();
        this.helper = null;
      });
    }
    return this.helper;
  }

  /** Stops the helper worker (tests and embedders that want a clean exit). */
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
  async analyze(image: Buffer, label = 'image', opts: { liveness?: boolean; rotate?: boolean } = {}): Promise<FaceAnalysis> {
    const sessions = await this.sessions();
    return analyzeImage(sessions, image, label, { cfg: this.config, ...opts });
  }

  async embed(image: Buffer): Promise<{ embedding: Float32Array; face: FaceEntity; entities: FaceEntity[] } | null> {
    const a = await this.analyze(image, 'image');
    if (!a.embedding || !a.chosen) return null;
    return { embedding: a.embedding, face: a.chosen, entities: a.entities };
  }

  async match(userImage: Buffer, refImage: Buffer, options: MatchOptions = {}): Promise<FaceMatchReport> {
    return (await this.matchDetailed(userImage, refImage, options)).report;
  }

  async matchDetailed(
    userImage: Buffer,
    refImage: Buffer,
    options: MatchOptions = {},
  ): Promise<{ report: FaceMatchReport; alignedFaces: { user: Buffer | null; ref: Buffer | null } }> {
    const { report, user, ref } = await this.matchInternal(userImage, refImage, options);
    const [u, r] = await Promise.all([pngOf(user.aligned), pngOf(ref.aligned)]);
    return { report, alignedFaces: { user: u, ref: r } };
  }

  /** The match with both analyses (eval/bench read their timings). */
  async matchInternal(userImage: Buffer, refImage: Buffer, options: MatchOptions = {}): Promise<{ report: FaceMatchReport; user: FaceAnalysis; ref: FaceAnalysis }> {
    const mode = options.mode ?? 'standalone';
    const decline = options.declineThreshold ?? (mode === 'workflow' ? WORKFLOW_DECLINE_DEFAULT : STANDALONE_DECLINE_DEFAULT);
    const review = options.reviewThreshold ?? WORKFLOW_REVIEW_DEFAULT;
    const nodeId = options.nodeId ?? null;
    // Validate thresholds before any work (throws VALIDATION).
    if (mode === 'workflow') decideWorkflow(0, decline, review, nodeId);
    else decideStandalone(0, decline);
    if (!Buffer.isBuffer(userImage)) throw new FacematchError('IMAGE_EMPTY', 'user_image is missing; send the selfie as a file.');
    if (!Buffer.isBuffer(refImage)) throw new FacematchError('IMAGE_EMPTY', 'ref_image is missing; send the reference photo as a file.');
    const t0 = performance.now();
    const sessions = await this.sessions();
    const tLoad = performance.now() - t0;
    const rotate = options.rotateImage ?? false;
    // Both images in parallel: sharp and onnxruntime run off the JS thread, so the two
    // pipelines overlap on two cores.
    const helper = this.helperPool();
    const [user, ref] = await Promise.all([
      analyzeImage(sessions, userImage, 'user_image', { cfg: this.config, liveness: true, rotate }),
      helper
        ? helper.analyze(refImage, 'ref_image', { rotate }).catch((err: unknown) => {
            if (isFacematchError(err)) throw err;
            // The helper thread failed (not the image): do the work here instead.
            return analyzeImage(sessions, refImage, 'ref_image', { cfg: this.config, rotate });
          })
        : analyzeImage(sessions, refImage, 'ref_image', { cfg: this.config, rotate }),
    ]);
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
