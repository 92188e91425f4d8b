// One image through the pipeline: prepare (decode) -> measure the face (measure.ts: detect,
// choose, align, embed) -> with rotate_image, the most upright orientation
// (orientation.ts) -> when nothing is found, the fallback steps in order (fallbacks.ts) ->
// the report of the face (boxes in original pixels, liveness, attributes, quality).
// Scoring a pair is the engine's (engine.ts, score.ts).
import type { Sessions } from './models.js';
import { decodeImage, type DecodedImage } from './decode.js';
import { livenessScore } from './liveness.js';
import { withFaceAttributes } from './attributes.js';
import { unrotateBox, type Box, type RgbImage } from './image.js';
import type { FaceEntity } from './types.js';
import { assessQuality, type ImageQuality } from './quality.js';
import type { PipelineConfig } from './pipeline-config.js';
import { StageTimer } from './timer.js';
import { measureFace, type ImageRun, type Oriented } from './measure.js';
import { chooseOrientation } from './orientation.js';
import { fallbackSteps, firstFound } from './fallbacks.js';

export type { PipelineConfig } from './pipeline-config.js';

export interface FaceAnalysis {
  /** Every face found, chosen face first; original-image pixels. */
  entities: FaceEntity[];
  chosen: FaceEntity | null;
  embedding: Float32Array | null;
  aligned: RgbImage | null;
  liveness: number | null;
  bestAngle: number;
  /** Raw embedder output norm (face-quality signal), null when no face. */
  norm: number | null;
  /** Quality signals and plain-words issues (see quality.ts). */
  quality: ImageQuality;
  /** An exposure/colour correction was applied before landmarks and embedding. */
  corrected?: boolean;
  timings: Record<string, number>;
  modelMs: number;
  width: number;
  height: number;
}

export interface AnalyzeImageOptions {
  sessions: Sessions;
  buf: Buffer;
  /** 'user_image', 'ref_image' or any name (error messages, quality wording). */
  label: string;
  cfg: PipelineConfig;
  liveness?: boolean;
  rotate?: boolean;
  /** The image already decoded (skips decoding `buf`). */
  decoded?: DecodedImage;
  embed?: boolean;
  attributes?: boolean;
  modelsDir?: string;
}

/** What quality messages call each image. */
const QUALITY_LABELS: Record<string, string> = { user_image: 'selfie', ref_image: 'reference photo' };

/** Box `b` (on the chosen face's image) scaled the way `from` maps to `to`: only sizes matter. */
function scaleBox(b: Box, from: Box, to: Box): Box {
  const k = (to[2] - to[0]) / Math.max(1e-6, from[2] - from[0]);
  return [b[0] * k, b[1] * k, b[2] * k, b[3] * k];
}

function roundBox(b: Box): Box {
  return [Math.round(b[0]), Math.round(b[1]), Math.round(b[2]), Math.round(b[3])];
}

export async function analyzeImage(o: AnalyzeImageOptions): Promise<FaceAnalysis> {
  const { sessions, cfg, label } = o;
  const embed = o.embed ?? true;
  const timer = new StageTimer();
  const decoded = o.decoded ?? (await decodeImage(o.buf, label));
  timer.lap('decode');
  const run: ImageRun = { sessions, decoded, cfg, timer };
  let best = await measureFace({ ...run, embed });
  if (o.rotate) best = await chooseOrientation({ asSent: best, embed, read: (angle, e) => measureFace({ ...run, angle, embed: e }) });
  best ??= await firstFound(fallbackSteps({ ...run, embed }));
  return best ? describeFace({ run, best, label, embed, liveness: o.liveness, attributes: o.attributes, modelsDir: o.modelsDir }) : noFace(run, label);
}

function noFace(run: ImageRun, label: string): FaceAnalysis {
  const { decoded, timer } = run;
  const quality = assessQuality({ image: decoded.image, box: null, boxes: [], bboxOriginal: null, aligned: null, landmarks: null, label: QUALITY_LABELS[label] ?? 'photo' });
  return { width: decoded.width, height: decoded.height, bestAngle: 0, entities: [], chosen: null, embedding: null, aligned: null, liveness: null, norm: null, quality, timings: timer.t, modelMs: timer.model };
}

/** The analysis of the face found: every face's box in original pixels, liveness, attributes, quality. */
async function describeFace(o: { run: ImageRun; best: Oriented; label: string; embed: boolean; liveness?: boolean; attributes?: boolean; modelsDir?: string }): Promise<FaceAnalysis> {
  const { decoded, sessions, timer } = o.run;
  const { best } = o;
  const { angle, img, dets, chosen } = best;
  const toOriginal = (b: Box): Box => {
    const ub = angle ? unrotateBox(b, angle, decoded.image.width, decoded.image.height) : b;
    const s = decoded.scale;
    return [Math.max(0, ub[0] * s), Math.max(0, ub[1] * s), Math.min(decoded.width, ub[2] * s), Math.min(decoded.height, ub[3] * s)];
  };
  const ordered = [chosen, ...dets.filter((d) => d !== chosen).sort((a, b) => b.score - a.score)];
  let entities: FaceEntity[] = ordered.map((d) => ({ bbox: roundBox(toOriginal(d.box)), confidence: Math.round(d.score * 1e4) / 1e4 }));
  let liveness: number | null = null;
  if (o.liveness) {
    liveness = await livenessScore(sessions.liveness, img, chosen.box, timer.clock);
    timer.lap('liveness');
  }
  if (o.attributes) {
    entities = await withFaceAttributes(entities, img, ordered.map((d) => d.box), o.modelsDir);
    timer.lap('attributes');
  }
  const quality = assessQuality({
    image: best.src,
    box: best.box,
    // Other faces' sizes relative to the chosen one, on the working image's scale.
    boxes: [best.box, ...dets.filter((d) => d !== chosen).map((d) => scaleBox(d.box, chosen.box, best.box))],
    bboxOriginal: entities[0]!.bbox,
    aligned: best.aligned,
    landmarks: best.pts68,
    label: QUALITY_LABELS[o.label] ?? 'photo',
  });
  timer.lap('quality');
  return { width: decoded.width, height: decoded.height, bestAngle: angle, entities, chosen: entities[0]!, embedding: best.embedding, aligned: best.aligned, liveness, norm: o.embed ? best.norm : null, quality, corrected: best.corrected, timings: timer.t, modelMs: timer.model };
}
