// One image through the pipeline: decode -> detect (pad and retry for tight crops,
// optional rotations) -> choose the subject -> (small face: re-decode its region from the
// original at full resolution) -> 68 landmarks -> 5 points -> align -> embed (-> liveness).
// Variants kept in PipelineConfig were measured with `eval --pipeline '{...}'`; the
// defaults are the measured best (see the engine README part).
import { performance } from 'node:perf_hooks';
import type { ModelClock, Sessions } from './models.js';
import { decodeImage, decodeRegion, type DecodedImage } from './decode.js';
import { detectFaces, detectorFrame, DETECT_THRESHOLD, NMS_IOU, type Detection } from './detect.js';
import { chooseFace, type ChoiceRule } from './choose.js';
import { landmarks68, fivePoints, type Point } from './landmarks.js';
import { warpAligned } from './align.js';
import { embedFace } from './embed.js';
import { livenessScore } from './liveness.js';
import { withFaceAttributes } from './attributes.js';
import { iou, nms } from './nms.js';
import { cropRegion, mirrorImage, rotateImage, unrotateBox, type Box, type RgbImage } from './image.js';
import type { FaceEntity } from './types.js';
import { assessQuality, lumaStats, type ImageQuality } from './quality.js';
import { DEFAULT_ENHANCE, applyColour, boxBlur, claheGate, claheLuma, exposureLut, faceCorrection, gammaLut, smoothLumaChroma, type EnhanceConfig } from './enhance.js';

export interface PipelineConfig {
  choice: ChoiceRule;
  /** Gaussian width of the centre weighting ('weighted' rule), in half-diagonals. */
  sigma: number;
  /**
   * Re-detect on a crop around the chosen face: true = always (measured: 0.1 pp worse on
   * LFW); 'small' = only a small face re-decoded from the original at full resolution
   * (its box was found at the working resolution: ID-card portraits, faces far away).
   */
  refine: boolean | 'small';
  /** A face narrower than this (working px) is re-decoded from the original at higher resolution. */
  smallFacePx: number;
  /** Landmark test-time augmentation: also run on the mirrored crop and average. */
  landmarkFlip: boolean;
  /** Second landmark pass on a crop re-centred on the first pass's points. */
  landmarkRecentre: boolean;
  /** Landmark crops at these relative sizes are averaged (test-time augmentation). */
  landmarkScales: number[];
  /** Landmark crop: 'height' = square of the box height centred on the box; 'sqrt' = side sqrt(w*h), 5% extra left/right, 10% at the bottom. */
  landmarkCrop: 'height' | 'sqrt';
  /** Embed the mirrored face too and sum (costs a second embedder run). */
  embedFlip: boolean;
  colorOrder: 'bgr' | 'rgb';
  /** Border added (fraction of each side) when nothing is found: tight crops. */
  padRetry: number[];
  /** Exposure / colour corrections (enhance.ts). */
  enhance: EnhanceConfig;
  /**
   * Nothing found in a photo shrunk for work: detect on an n x n grid of overlapping tiles
   * of the original at full resolution (n = 4 on a 1280x960 photo: a 40 px face reaches
   * the 320x240 detector at ~27 px instead of 10). 0 = off.
   */
  tileRetry: number;
  /**
   * Aspect ratios (width / height) the detector's frame is kept within: a photo outside is
   * padded (edges replicated) before the whole frame is resized to 320x240. A portrait
   * phone selfie stretched to 4:3 has its face squashed 1.8-2.4x: in a dark, noisy photo the
   * box then comes out loose or on the wrong face. [0, Infinity] = the photo stretched as it is.
   */
  detectAspect: [number, number];
}

export const DEFAULT_PIPELINE: PipelineConfig = {
  choice: 'weighted',
  sigma: 0.35,
  // 'small' measured on two KYC sets (test/eval/kyc-research-log.md): +-1 pair per condition, no net gain
  // on the held-out set, one more detector run per card: off.
  refine: false,
  smallFacePx: 96,
  landmarkFlip: true,
  landmarkRecentre: false,
  landmarkScales: [1],
  landmarkCrop: 'sqrt',
  embedFlip: true,
  colorOrder: 'bgr',
  padRetry: [0.3, 0.6],
  enhance: DEFAULT_ENHANCE,
  tileRetry: 4,
  // Measured (test/eval/kyc-research-log.md, fifth pass): portrait selfies padded to square, the
  // geometry of the LFW photos the rest was tuned on; 16:9 frames padded to 4:3.
  detectAspect: [1, 4 / 3],
};

/** Defaults overlaid with a partial config (enhance merged field by field). */
export function pipelineConfig(over: Partial<PipelineConfig> = {}): PipelineConfig {
  const enhance = { ...DEFAULT_ENHANCE, ...(over.enhance ?? {}) };
  return { ...DEFAULT_PIPELINE, ...over, enhance: { ...enhance, clahe: { ...DEFAULT_ENHANCE.clahe, ...(over.enhance?.clahe ?? {}) } } };
}

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

class Timer {
  readonly t: Record<string, number> = {};
  /** Pure inference time (see runModel). */
  readonly clock: ModelClock = { ms: 0 };
  private last = performance.now();
  get model(): number {
    return this.clock.ms;
  }
  lap(stage: string): void {
    const now = performance.now();
    this.t[stage] = (this.t[stage] ?? 0) + (now - this.last);
    this.last = now;
  }
  async model_<T>(p: (clock: ModelClock) => Promise<T>): Promise<T> {
    return p(this.clock);
  }
}

// iBUG-68 left/right mirror permutation.
const MIRROR68: number[] = (() => {
  const m = Array.from({ length: 68 }, (_, i) => i);
  const pairs: Array<[number, number]> = [
    [0, 16], [1, 15], [2, 14], [3, 13], [4, 12], [5, 11], [6, 10], [7, 9],
    [17, 26], [18, 25], [19, 24], [20, 23], [21, 22], [31, 35], [32, 34],
    [36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46],
    [48, 54], [49, 53], [50, 52], [55, 59], [56, 58], [60, 64], [61, 63], [65, 67],
  ];
  for (const [a, b] of pairs) {
    m[a] = b;
    m[b] = a;
  }
  return m;
})();

async function detectWithRetry(sessions: Sessions, img: RgbImage, cfg: PipelineConfig, timer: Timer): Promise<Detection[]> {
  const frame = detectorFrame(img.width, img.height, cfg.detectAspect);
  const clip = (ds: Detection[]): Detection[] => {
    for (const d of ds) d.box = [Math.max(0, d.box[0]), Math.max(0, d.box[1]), Math.min(img.width, d.box[2]), Math.min(img.height, d.box[3])];
    return ds;
  };
  const padded = frame.w !== img.width || frame.h !== img.height;
  // Boxes are clipped to the photo where the frame was padded; an unpadded photo's boxes stay as found.
  let dets = await timer.model_((c) => detectFaces(sessions.detect, img, DETECT_THRESHOLD, frame, c));
  if (padded) dets = clip(dets);
  for (const pad of cfg.padRetry) {
    if (dets.length > 0) break;
    // Tight crop: give the detector a margin (edges replicated) and accept a lower score.
    const px = frame.w * pad;
    const py = frame.h * pad;
    dets = clip(await timer.model_((c) => detectFaces(sessions.detect, img, DETECT_THRESHOLD * 0.75, { x: frame.x - px, y: frame.y - py, w: frame.w + 2 * px, h: frame.h + 2 * py }, c)));
  }
  return dets;
}

function landmarkSquare(box: Box, cfg: PipelineConfig): { x: number; y: number; side: number } {
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  if (cfg.landmarkCrop === 'sqrt') {
    const x0 = box[0] - 0.05 * w;
    const x1 = box[2] + 0.05 * w;
    const y1 = box[3] + 0.1 * h;
    const side = Math.sqrt((x1 - x0) * (y1 - box[1]));
    return { x: (x0 + x1) / 2 - side / 2, y: (box[1] + y1) / 2 - side / 2, side };
  }
  return { x: (box[0] + box[2]) / 2 - h / 2, y: (box[1] + box[3]) / 2 - h / 2, side: h };
}

/**
 * 68 points from one square crop, optionally averaged with the mirrored crop's; `flipErr` is
 * how far the two readings disagree (mean distance / crop side), null without the mirror.
 */
async function landmarksOnCrop(sessions: Sessions, img: RgbImage, crop: { x: number; y: number; side: number }, flip: boolean, timer: Timer): Promise<{ pts: Point[]; flipErr: number | null }> {
  const pts = await timer.model_((c) => landmarks68(sessions.landmark, img, crop, c));
  if (!flip) return { pts, flipErr: null };
  const side = crop.side;
  const pad = Math.ceil(side) + 2;
  const x0 = Math.floor(crop.x) - 1;
  const y0 = Math.floor(crop.y) - 1;
  const mirrored = mirrorImage(cropRegion(img, x0, y0, pad, pad));
  // Edge coordinates: region x in [0, pad) mirrors to pad - x.
  const mcrop = { x: pad - (crop.x - x0) - side, y: crop.y - y0, side };
  const mp = await timer.model_((c) => landmarks68(sessions.landmark, mirrored, mcrop, c));
  let err = 0;
  const out = pts.map((p, i) => {
    const q = mp[MIRROR68[i]!]!;
    const [mx, my] = [pad - q[0] + x0, q[1] + y0];
    err += Math.hypot(p[0] - mx, p[1] - my);
    return [(p[0] + mx) / 2, (p[1] + my) / 2] as Point;
  });
  return { pts: out, flipErr: err / 68 / side };
}

/** The 68 points of the face in `box`, and the first crop's mirror disagreement (see landmarksOnCrop). */
async function landmarksFor(sessions: Sessions, img: RgbImage, box: Box, cfg: PipelineConfig, timer: Timer): Promise<{ pts: Point[]; flipErr: number | null }> {
  const base = landmarkSquare(box, cfg);
  const runs: Point[][] = [];
  let flipErr: number | null = null;
  for (const k of cfg.landmarkScales) {
    const side = base.side * k;
    const crop = { x: base.x + base.side / 2 - side / 2, y: base.y + base.side / 2 - side / 2, side };
    const r = await landmarksOnCrop(sessions, img, crop, cfg.landmarkFlip, timer);
    flipErr ??= r.flipErr;
    runs.push(r.pts);
  }
  let pts = runs[0]!.map((_, i) => [runs.reduce((s, r) => s + r[i]![0], 0) / runs.length, runs.reduce((s, r) => s + r[i]![1], 0) / runs.length] as Point);
  if (cfg.landmarkRecentre) {
    // Shift the crop by how far the points' centre sits from where it sits on average
    // relative to the crop (0.495, 0.595 of the side, measured on LFW), and run again.
    const cx = pts.reduce((s, p) => s + p[0], 0) / 68;
    const cy = pts.reduce((s, p) => s + p[1], 0) / 68;
    const dx = cx - (base.x + 0.495 * base.side);
    const dy = cy - (base.y + 0.595 * base.side);
    const crop = { x: base.x + dx, y: base.y + dy, side: base.side };
    const again = (await landmarksOnCrop(sessions, img, crop, cfg.landmarkFlip, timer)).pts;
    pts = pts.map((p, i) => [(p[0] + again[i]![0]) / 2, (p[1] + again[i]![1]) / 2] as Point);
  }
  return { pts, flipErr };
}

function roundBox(b: Box): Box {
  return [Math.round(b[0]), Math.round(b[1]), Math.round(b[2]), Math.round(b[3])];
}

/**
 * Evidence that a face is upright in the frame it was read in: the detector's score less ten
 * times the landmark model's mirror disagreement. The landmark model puts eyes above nose
 * above mouth at every rotation (it regresses towards its mean face), so the points' order
 * says nothing; but on an upright face its reading of the crop and of the mirrored crop
 * agree (median 0.7% of the crop side on LFW dev), and on a face at 90/180/270 they do not
 * (1.2% at the least). Measured on 500 LFW dev photos at the four rotations: the upright
 * reading scores highest on every one, by 0.05 at the least; the embedder's norm, used
 * before, ranked a rotation above the upright face on 4 of them.
 */
export function uprightness(detScore: number, flipErr: number): number {
  return detScore - 10 * flipErr;
}

/** How much more upright (see uprightness) a rotation must read than the photo as sent to be chosen. */
export const ROTATION_MARGIN = 0.02;

interface Oriented {
  angle: number;
  img: RgbImage;
  dets: Detection[];
  chosen: Detection;
  embedding: Float32Array | null;
  norm: number;
  aligned: RgbImage;
  /** The image the landmarks were measured on (as sent, before corrections), the face box and the 68 points on it. */
  src: RgbImage;
  /** Whether an exposure/colour correction was applied before landmarks and embedding. */
  corrected: boolean;
  box: Box;
  pts68: Point[];
  /** Evidence that the face is upright in this orientation (see uprightness). */
  upright: number;
}

/** Detect, choose, (re-decode small face), landmarks, align, embed on one orientation. */
async function analyzeOrientation(sessions: Sessions, decoded: DecodedImage, angle: 0 | 90 | 180 | 270, cfg: PipelineConfig, timer: Timer, embed = true, detectOn?: RgbImage, given?: Detection[]): Promise<Oriented | null> {
  const img = angle === 0 ? decoded.image : rotateImage(decoded.image, angle);
  // `detectOn`: a brightened copy (same size) the faces are looked for on; `given`: faces
  // already found (tiles). Everything after detection works on the photo itself,
  // corrected for the face found.
  const dets = given ?? (await detectWithRetry(sessions, detectOn ?? img, cfg, timer));
  timer.lap('detect');
  if (dets.length === 0) return null;
  const chosen = chooseFace(dets, img.width, img.height, cfg.choice, cfg.sigma)!;
  // The image the face is measured on: the working image, or for a small face in a
  // shrunk photo, the face's neighbourhood decoded from the original at higher resolution.
  let src = img;
  let box = chosen.box;
  let redecoded = false;
  const bw = box[2] - box[0];
  const bh = box[3] - box[1];
  if (decoded.scale > 1.01 && angle === 0 && Math.max(bw, bh) < cfg.smallFacePx) {
    const side = Math.max(bw, bh) * 3;
    const cx = (box[0] + box[2]) / 2;
    const cy = (box[1] + box[3]) / 2;
    const s = decoded.scale;
    const reg = await decodeRegion(decoded, (cx - side / 2) * s, (cy - side / 2) * s, side * s, side * s, Math.round(cfg.smallFacePx * 3));
    timer.lap('decode');
    src = reg.image;
    redecoded = true;
    box = [(box[0] * s - reg.left) / reg.scale, (box[1] * s - reg.top) / reg.scale, (box[2] * s - reg.left) / reg.scale, (box[3] * s - reg.top) / reg.scale];
  }
  if (cfg.refine === true || (cfg.refine === 'small' && redecoded)) {
    // Re-detect on a 4:3 crop where the face is large (measured: does not help on LFW).
    const fw = box[2] - box[0];
    const fh = box[3] - box[1];
    const h = Math.max(fw, fh) * 2.2;
    const w = (h * 4) / 3;
    const cx = (box[0] + box[2]) / 2;
    const cy = (box[1] + box[3]) / 2;
    const rd = await timer.model_((c) => detectFaces(sessions.detect, src, DETECT_THRESHOLD * 0.5, { x: cx - w / 2, y: cy - h / 2, w, h }, c));
    let best: Detection | null = null;
    let bestIou = 0.3;
    for (const d of rd) {
      const o = iou(d.box, box);
      if (o > bestIou) {
        bestIou = o;
        best = d;
      }
    }
    if (best) box = best.box;
    timer.lap('detect');
  }
  // Exposure / colour correction of what the landmark and embedding models see.
  const asSent = src;
  const correct = (b: Box): { image: RgbImage; corrected: boolean; denoised: boolean } => {
    const corr = faceCorrection(lumaStats(asSent, b).mean, img, cfg.enhance);
    let out = corr ? applyColour(asSent, corr.lut, corr.gains) : asSent;
    if (corr?.denoise) {
      const e = cfg.enhance;
      const rl = e.denoiseRadius === 'face' ? Math.max(1, Math.round((b[2] - b[0]) / 112)) : 1;
      out = e.chromaRadius > 0 ? smoothLumaChroma(out, rl, Math.round(rl * e.chromaRadius)) : boxBlur(out, rl);
    }
    return { image: out, corrected: !!corr, denoised: !!corr?.denoise };
  };
  let corr = correct(box);
  src = corr.image;
  let chosenNow = chosen;
  let detsNow = dets;
  if (corr.denoised && cfg.enhance.redetectDark && !given) {
    // A very dark, noisy face: the box found on the dark photo can be far off (the whole
    // photo taken for a face, or hair). Detect again on the corrected image, choose again,
    // and correct for the face found there.
    const again = await detectWithRetry(sessions, src, cfg, timer);
    const pick = chooseFace(again, src.width, src.height, cfg.choice, cfg.sigma);
    if (pick) {
      box = pick.box;
      if (!redecoded) {
        chosenNow = pick;
        detsNow = again;
      }
      corr = correct(box);
      src = corr.image;
    }
    timer.lap('detect_dark');
  }
  timer.lap('enhance');
  const marks = await landmarksFor(sessions, src, box, cfg, timer);
  const pts68 = marks.pts;
  // How upright the face is, for choosing among rotations (see uprightness).
  const flipErr = marks.flipErr ?? (await landmarksOnCrop(sessions, src, landmarkSquare(box, cfg), true, timer)).flipErr!;
  timer.lap('landmarks');
  // Landmarks are in pixel-edge coordinates; the warp samples at pixel centres.
  const warp = (from: RgbImage, pts: Point[]): RgbImage => warpAligned(from, fivePoints(pts).map((p) => [p[0] - 0.5, p[1] - 0.5] as Point));
  const aligned = warp(src, pts68);
  timer.lap('align');
  // Local contrast (CLAHE) when the aligned face is flat or its eye band is in shadow. Only
  // the embedder (and with 'both' the landmark model) sees it: `aligned` and `pts68`, which
  // the quality signals read, stay as they were.
  const clahe = cfg.enhance.on ? cfg.enhance.clahe : null;
  let toEmbed = aligned;
  let equalised = false;
  if (embed && clahe && claheGate(aligned, clahe)) {
    equalised = true;
    if (clahe.target !== 'embed') {
      const sq = landmarkSquare(box, cfg);
      const m = 0.15 * sq.side;
      const eq = claheLuma(src, clahe, { x: sq.x - m, y: sq.y - m, w: sq.side + 2 * m, h: sq.side + 2 * m });
      toEmbed = warp(clahe.target === 'both' ? eq : src, (await landmarksFor(sessions, eq, box, cfg, timer)).pts);
    } else {
      toEmbed = claheLuma(aligned, clahe);
    }
    timer.lap('clahe');
  }
  const upright = uprightness(chosenNow.score, flipErr);
  if (!embed) return { angle, img, dets: detsNow, chosen: chosenNow, embedding: null, norm: 0, aligned, src: asSent, corrected: corr.corrected, box, pts68, upright };
  const { embedding, norm } = await timer.model_((c) => embedFace(sessions.feature, toEmbed, { flip: cfg.embedFlip, order: cfg.colorOrder, clock: c }));
  timer.lap('embed');
  return { angle, img, dets: detsNow, chosen: chosenNow, embedding, norm, aligned, src: asSent, corrected: corr.corrected || equalised, box, pts68, upright };
}

/**
 * Faces found on a grid of overlapping 4:3 tiles (n across, width 1.5/n of the frame) of the
 * original decoded once at up to full resolution (long side at most 2560; brightened
 * and smoothed first when the photo is dark, as in the retry); boxes in working-image
 * pixels, overlaps merged by NMS.
 */
async function detectOnTiles(sessions: Sessions, decoded: DecodedImage, cfg: PipelineConfig, timer: Timer): Promise<Detection[]> {
  const n = cfg.tileRetry;
  const reg = await decodeRegion(decoded, 0, 0, decoded.width, decoded.height, 2560);
  timer.lap('decode');
  const e = cfg.enhance;
  const mean = lumaStats(decoded.image).mean;
  const lut = e.on && e.retryDetect && mean < e.target - 20 ? exposureLut(mean, e.target, e.mode) : null;
  const full = lut ? boxBlur(applyColour(reg.image, lut, null), 1) : reg.image;
  // 4:3 tiles like the detector's input (a portrait photo gets more rows), overlapping by a third.
  const tw = Math.min(full.width, (1.5 * full.width) / n);
  const th = Math.min(full.height, 0.75 * tw);
  const ny = th >= full.height ? 1 : Math.max(2, Math.ceil((1.5 * full.height) / th));
  const all: Detection[] = [];
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < n; ix++) {
      const region = { x: ((full.width - tw) * ix) / (n - 1), y: ny > 1 ? ((full.height - th) * iy) / (ny - 1) : 0, w: tw, h: th };
      const found = await timer.model_((c) => detectFaces(sessions.detect, full, DETECT_THRESHOLD, region, c));
      for (const d of found) {
        // Below ~20 px (original) a "face" on a tile is sensor noise or texture, and too small to match anyway.
        if (Math.min(d.box[2] - d.box[0], d.box[3] - d.box[1]) * reg.scale < 20) continue;
        all.push({ box: d.box.map((v) => (v * reg.scale) / decoded.scale) as Box, score: d.score });
      }
    }
  }
  return nms(all, NMS_IOU);
}

/** What quality messages call each image. */
const QUALITY_LABELS: Record<string, string> = { user_image: 'selfie', ref_image: 'reference photo' };

/** Box `b` (on the chosen face's image) scaled the way `from` maps to `to`: only sizes matter. */
function scaleBox(b: Box, from: Box, to: Box): Box {
  const k = (to[2] - to[0]) / Math.max(1e-6, from[2] - from[0]);
  return [b[0] * k, b[1] * k, b[2] * k, b[3] * k];
}

export async function analyzeImage(
  sessions: Sessions,
  buf: Buffer,
  label: string,
  opts: { cfg: PipelineConfig; liveness?: boolean; rotate?: boolean; decoded?: DecodedImage; embed?: boolean; attributes?: boolean; modelsDir?: string },
): Promise<FaceAnalysis> {
  const { cfg } = opts;
  const embed = opts.embed ?? true;
  const timer = new Timer();
  const decoded = opts.decoded ?? (await decodeImage(buf, label));
  timer.lap('decode');
  let best = await analyzeOrientation(sessions, decoded, 0, cfg, timer, embed);
  if (opts.rotate) {
    // Each rotation is judged on its own evidence of an upright face (detector and landmarks,
    // no embedding), never on how well it matches anything; the photo as sent is kept unless
    // a rotation reads clearly more upright, and only the one chosen is embedded.
    let pick: Oriented | null = null;
    for (const angle of [90, 180, 270] as const) {
      const r = await analyzeOrientation(sessions, decoded, angle, cfg, timer, false);
      if (r && (!pick || r.upright > pick.upright)) pick = r;
    }
    if (pick && (!best || pick.upright > best.upright + ROTATION_MARGIN)) {
      best = embed ? await analyzeOrientation(sessions, decoded, pick.angle as 90 | 180 | 270, cfg, timer) : pick;
    }
  }
  if (!best && cfg.enhance.on && cfg.enhance.retryDetect) {
    // Nothing found: detect again on brightened copies (dark rooms, backlit faces): a gain
    // to the target on the whole image's mean, unsmoothed and smoothed (sensor noise of a
    // dark room hides the face), and a strong shadow lift.
    const mean = lumaStats(decoded.image).mean;
    const gain = mean < cfg.enhance.target - 20 ? exposureLut(mean, cfg.enhance.target, cfg.enhance.mode) : null;
    const tries: Array<{ lut: Uint8Array | null; blur: number }> = [{ lut: gain, blur: 0 }, { lut: gammaLut(0.25 * 255, 0.5 * 255), blur: 0 }, { lut: gain, blur: 2 }];
    // The smoothed copy first: on the unsmoothed one the detector can take sensor noise for a face.
    if (cfg.enhance.retrySmoothFirst) tries.unshift(tries.pop()!);
    // Last, the copy smoothed at about the detector's own scale: in the darkest, noisiest
    // photos (gain under ~0.15, noise sd above ~10) only that leaves a face-shaped signal.
    const im = decoded.image;
    if (cfg.enhance.retryHeavySmooth) tries.push({ lut: gain, blur: Math.max(3, Math.round(Math.max(im.width, im.height) / 100)) });
    // Three tries share the gain: the brightened photo is made once.
    const brightened = new Map<Uint8Array, RgbImage>();
    for (const { lut, blur } of tries) {
      if (!lut || best) continue;
      let brighter = brightened.get(lut) ?? applyColour(decoded.image, lut, null);
      brightened.set(lut, brighter);
      if (blur) brighter = boxBlur(brighter, blur);
      if (cfg.enhance.retryOnOriginal) {
        // Found on the copy, measured on the photo: the face's own exposure correction
        // (gain to the face's target, smoothing of very dark faces) then applies.
        best = await analyzeOrientation(sessions, decoded, 0, cfg, timer, embed, brighter);
      } else {
        best = await analyzeOrientation(sessions, { ...decoded, image: brighter }, 0, cfg, timer, embed);
        // Quality is measured on the photo as sent.
        if (best && best.src === brighter) best.src = decoded.image;
      }
      timer.lap('detect_retry');
    }
  }
  if (!best && cfg.tileRetry > 1 && decoded.scale > 1.01) {
    const dets = await detectOnTiles(sessions, decoded, cfg, timer);
    if (dets.length > 0) best = await analyzeOrientation(sessions, decoded, 0, cfg, timer, embed, undefined, dets);
    timer.lap('detect_tiles');
  }
  const base = { width: decoded.width, height: decoded.height };
  const qLabel = QUALITY_LABELS[label] ?? 'photo';
  if (!best) {
    const quality = assessQuality({ image: decoded.image, box: null, boxes: [], bboxOriginal: null, aligned: null, landmarks: null, label: qLabel });
    return { ...base, bestAngle: 0, entities: [], chosen: null, embedding: null, aligned: null, liveness: null, norm: null, quality, timings: timer.t, modelMs: timer.model };
  }
  const { angle, img, dets, chosen } = best;
  const toOriginal = (b: Box): Box => {
    const ub = angle ? unrotateBox(b, angle, decoded.image.width, decoded.image.height) : b;
    const s = decoded.scale;
    return [Math.max(0, ub[0] * s), Math.max(0, ub[1] * s), Math.min(decoded.width, ub[2] * s), Math.min(decoded.height, ub[3] * s)];
  };
  const ordered = [chosen, ...dets.filter((d) => d !== chosen).sort((a, b) => b.score - a.score)];
  let entities: FaceEntity[] = ordered.map((d) => ({ bbox: roundBox(toOriginal(d.box)), confidence: Math.round(d.score * 1e4) / 1e4 }));
  let liveness: number | null = null;
  if (opts.liveness) {
    liveness = await timer.model_((c) => livenessScore(sessions.liveness, img, chosen.box, c));
    timer.lap('liveness');
  }
  if (opts.attributes) {
    entities = await withFaceAttributes(entities, img, ordered.map((d) => d.box), opts.modelsDir);
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
    label: qLabel,
  });
  timer.lap('quality');
  return { ...base, bestAngle: angle, entities, chosen: entities[0]!, embedding: best.embedding, aligned: best.aligned, liveness, norm: embed ? best.norm : null, quality, corrected: best.corrected, timings: timer.t, modelMs: timer.model };
}
