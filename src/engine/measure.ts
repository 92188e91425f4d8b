// One face measured in one orientation of a photo, step by step: prepare (rotate) ->
// detect (with retries) -> choose the subject -> (small face: its region re-decoded from
// the original) -> exposure correction (very dark: detect again) -> landmarks -> align ->
// embed. Each step is a function of one options object.
import type { DecodedImage } from './decode.js';
import { decodeRegion } from './decode.js';
import type { Detection } from './detect.js';
import { detectWithRetry } from './detect-retry.js';
import { chooseFace } from './choose.js';
import { alignFace } from './align.js';
import { embedFace } from './embed.js';
import { applyColour, boxBlur, faceBlackPoint, faceCorrection, smoothLumaChroma, type EnhanceConfig } from './enhance.js';
import { rotateImage, type Box, type RgbImage } from './image.js';
import { landmarkSquare, landmarksFor, landmarksWithMirror, type LandmarkReading, type Point } from './landmarks.js';
import type { Sessions } from './models.js';
import { uprightness, type Reading } from './orientation.js';
import type { PipelineConfig } from './pipeline-config.js';
import { lumaStats } from './quality.js';
import type { StageTimer } from './timer.js';
import { equalisedForEmbedder, recentredLandmarks, refineBox } from './variants.js';

/** What every step of one image's analysis shares. */
export interface ImageRun {
  sessions: Sessions;
  decoded: DecodedImage;
  cfg: PipelineConfig;
  timer: StageTimer;
}

export interface MeasureOptions extends ImageRun {
  /** Clockwise rotation of the working image the face is read in (default 0). */
  angle?: 0 | 90 | 180 | 270;
  /** Run the embedder (default true); false stops after alignment (orientation, quality only). */
  embed?: boolean;
  /** A brightened copy (same size) the faces are looked for on; everything after detection works on the photo. */
  detectOn?: RgbImage;
  /** Faces already found (tiles): detection is skipped. */
  given?: Detection[];
}

/** One face measured in one orientation. */
export interface Oriented extends Reading {
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
}

/** Prepare: the working image turned by `angle` degrees clockwise. */
function orientedImage(decoded: DecodedImage, angle: 0 | 90 | 180 | 270): RgbImage {
  return angle === 0 ? decoded.image : rotateImage(decoded.image, angle);
}

/**
 * A small face in a photo shrunk for work: its neighbourhood decoded from the original at
 * higher resolution (box mapped onto it). Otherwise the working image and box as they are.
 */
export async function smallFaceRegion(o: { decoded: DecodedImage; angle: number; img: RgbImage; box: Box; smallFacePx: number; timer: StageTimer }): Promise<{ src: RgbImage; box: Box; redecoded: boolean }> {
  const { decoded, box } = o;
  const bw = box[2] - box[0];
  const bh = box[3] - box[1];
  if (!(decoded.scale > 1.01 && o.angle === 0 && Math.max(bw, bh) < o.smallFacePx)) return { src: o.img, box, redecoded: false };
  const side = Math.max(bw, bh) * 3;
  const cx = (box[0] + box[2]) / 2;
  const cy = (box[1] + box[3]) / 2;
  const s = decoded.scale;
  const reg = await decodeRegion(decoded, (cx - side / 2) * s, (cy - side / 2) * s, side * s, side * s, Math.round(o.smallFacePx * 3));
  o.timer.lap('decode');
  const mapped: Box = [(box[0] * s - reg.left) / reg.scale, (box[1] * s - reg.top) / reg.scale, (box[2] * s - reg.left) / reg.scale, (box[3] * s - reg.top) / reg.scale];
  return { src: reg.image, box: mapped, redecoded: true };
}

interface Correction {
  image: RgbImage;
  corrected: boolean;
  denoised: boolean;
}

/**
 * Exposure / colour correction of what the landmark and embedding models see, for the face
 * in `box` of `asSent` (`working`: the whole working image, whose exposure the gates read);
 * a dark face's black point is subtracted first when configured; a very dark face is also smoothed.
 */
export function correctExposure(o: { asSent: RgbImage; working: RgbImage; box: Box; enhance: EnhanceConfig }): Correction {
  const { asSent, box: b, enhance: e } = o;
  const mean = lumaStats(asSent, b).mean;
  const corr = faceCorrection(mean, o.working, e, faceBlackPoint(asSent, b, mean, e));
  let out = corr ? applyColour(asSent, corr.lut, corr.gains) : asSent;
  if (corr?.denoise) {
    // One luma radius per 112 px of face width: a tuned face size, not the embedder's input.
    const rl = e.denoiseRadius === 'face' ? Math.max(1, Math.round((b[2] - b[0]) / 112)) : 1;
    out = e.chromaRadius > 0 ? smoothLumaChroma(out, rl, Math.round(rl * e.chromaRadius)) : boxBlur(out, rl);
  }
  return { image: out, corrected: !!corr, denoised: !!corr?.denoise };
}

/** The 68 points of the face in `box` (landmark augmentation, plus the re-centred pass when configured). */
async function readLandmarks(o: { run: ImageRun; image: RgbImage; box: Box }): Promise<LandmarkReading> {
  const { sessions, cfg, timer } = o.run;
  const marks = await landmarksFor({ session: sessions.landmark, image: o.image, box: o.box, shape: cfg.landmarkCrop, scales: cfg.landmarkScales, flip: cfg.landmarkFlip, clock: timer.clock });
  if (!cfg.landmarkRecentre) return marks;
  const pts = await recentredLandmarks({ session: sessions.landmark, image: o.image, base: landmarkSquare(o.box, cfg.landmarkCrop), pts: marks.pts, flip: cfg.landmarkFlip, clock: timer.clock });
  return { pts, flipErr: marks.flipErr };
}

/**
 * The face corrected for exposure (see correctExposure). A face dark enough to be smoothed
 * is, with `redetectDark`, detected again on the corrected image and chosen again (the box
 * found on the dark photo can be far off: the whole photo taken for a face, or hair), then
 * corrected for the face found there. `chosen` and `dets` change only when the face was
 * read on the working image itself (not re-decoded); `redetect` false keeps the faces given.
 */
async function correctedFace(o: { run: ImageRun; asSent: RgbImage; working: RgbImage; box: Box; chosen: Detection; dets: Detection[]; redecoded: boolean; redetect: boolean }): Promise<{ corr: Correction; box: Box; chosen: Detection; dets: Detection[] }> {
  const { sessions, cfg, timer } = o.run;
  const { asSent, working } = o;
  let face = { corr: correctExposure({ asSent, working, box: o.box, enhance: cfg.enhance }), box: o.box, chosen: o.chosen, dets: o.dets };
  if (face.corr.denoised && cfg.enhance.redetectDark && o.redetect) {
    const image = face.corr.image;
    const again = await detectWithRetry({ session: sessions.detect, image, detectAspect: cfg.detectAspect, padRetry: cfg.padRetry, clock: timer.clock });
    const pick = chooseFace(again, image.width, image.height, cfg.choice, cfg.sigma);
    if (pick) {
      const box = pick.box;
      face = { corr: correctExposure({ asSent, working, box, enhance: cfg.enhance }), box, chosen: o.redecoded ? o.chosen : pick, dets: o.redecoded ? o.dets : again };
    }
    timer.lap('detect_dark');
  }
  return face;
}

/** The embedding of the aligned face (equalised first when the CLAHE variant is on and its gate says so). */
async function embedStep(o: { run: ImageRun; aligned: RgbImage; src: RgbImage; box: Box }): Promise<{ embedding: Float32Array; norm: number; equalised: boolean }> {
  const { sessions, cfg, timer } = o.run;
  const eq = cfg.enhance.on && cfg.enhance.clahe.on
    ? await equalisedForEmbedder({
      clahe: cfg.enhance.clahe,
      aligned: o.aligned,
      src: o.src,
      square: landmarkSquare(o.box, cfg.landmarkCrop),
      landmarks: async (image) => (await readLandmarks({ run: o.run, image, box: o.box })).pts,
      align: alignFace,
    })
    : null;
  if (eq) timer.lap('clahe');
  const { embedding, norm } = await embedFace(sessions.feature, eq ?? o.aligned, { flip: cfg.embedFlip, order: cfg.colorOrder, clock: timer.clock });
  timer.lap('embed');
  return { embedding, norm, equalised: !!eq };
}

/** Detect, choose, (re-decode small face), correct, landmarks, align, embed on one orientation. */
export async function measureFace(o: MeasureOptions): Promise<Oriented | null> {
  const { sessions, decoded, cfg, timer } = o;
  const angle = o.angle ?? 0;
  const img = orientedImage(decoded, angle);
  const dets = o.given ?? (await detectWithRetry({ session: sessions.detect, image: o.detectOn ?? img, detectAspect: cfg.detectAspect, padRetry: cfg.padRetry, clock: timer.clock }));
  timer.lap('detect');
  if (dets.length === 0) return null;
  const chosen = chooseFace(dets, img.width, img.height, cfg.choice, cfg.sigma)!;
  const region = await smallFaceRegion({ decoded, angle, img, box: chosen.box, smallFacePx: cfg.smallFacePx, timer });
  let box = region.box;
  if (cfg.refine === true || (cfg.refine === 'small' && region.redecoded)) {
    box = await refineBox({ session: sessions.detect, image: region.src, box, clock: timer.clock });
    timer.lap('detect');
  }
  const face = await correctedFace({ run: o, asSent: region.src, working: img, box, chosen, dets, redecoded: region.redecoded, redetect: !o.given });
  const src = face.corr.image;
  timer.lap('enhance');
  const marks = await readLandmarks({ run: o, image: src, box: face.box });
  // How upright the face is, for choosing among rotations (orientation.ts).
  const flipErr = marks.flipErr ?? (await landmarksWithMirror({ session: sessions.landmark, image: src, crop: landmarkSquare(face.box, cfg.landmarkCrop), flip: true, clock: timer.clock })).flipErr!;
  timer.lap('landmarks');
  // `aligned` and `pts68` are what the quality signals read.
  const aligned = alignFace(src, marks.pts);
  timer.lap('align');
  const read = { angle, img, dets: face.dets, chosen: face.chosen, aligned, src: region.src, box: face.box, pts68: marks.pts, upright: uprightness(face.chosen.score, flipErr) };
  if (o.embed === false) return { ...read, embedding: null, norm: 0, corrected: face.corr.corrected };
  const e = await embedStep({ run: o, aligned, src, box: face.box });
  return { ...read, embedding: e.embedding, norm: e.norm, corrected: face.corr.corrected || e.equalised };
}
