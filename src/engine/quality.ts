// Image-quality signals per image: face size, exposure and contrast of the face region,
// sharpness of the aligned face, head pose from the 68 landmarks, and plain-words issues
// a person can act on ("the selfie is too dark"). Everything is computed from work the
// pipeline already does (no extra detection); thresholds are in QUALITY_THRESHOLDS and
// were chosen from measurements on the face data (docs/engine.md, "Quality signals").
import { lumaGrid, type Box, type RgbImage } from './image.js';
import { meanPoint, type Point } from './landmarks.js';
import type { FaceMatchWarning } from './types.js';

export type QualityIssueCode = 'NO_FACE' | 'MULTIPLE_FACES' | 'FACE_TOO_SMALL' | 'TOO_DARK' | 'TOO_BRIGHT' | 'LOW_CONTRAST' | 'BLURRY' | 'FACE_TURNED';

export interface QualityIssue {
  code: QualityIssueCode;
  /** Plain words telling a person what to fix. */
  message: string;
}

export interface ImageQuality {
  face_found: boolean;
  face_count: number;
  face_bbox: [number, number, number, number] | null;
  /** Shorter side of the chosen face box, original pixels. */
  face_size_px: number | null;
  /** Mean luma 0..255 of the face region (whole image when no face). */
  brightness: number | null;
  /** Luma standard deviation in the face region (whole image when no face). */
  contrast: number | null;
  /** Variance of the Laplacian of the grey 112x112 aligned face. */
  sharpness: number | null;
  /** Degrees, estimated from the landmarks (yaw > 0: face turned to the image's right). */
  pose: { yaw: number; pitch: number; roll: number } | null;
  issues: QualityIssue[];
}

/**
 * Issue thresholds, from test/eval/quality-measure.ts on 120 LFW dev photos per set and
 * derived versions of them (x0.3 / x0.15 dark, x1.8+60 overexposed, x0.3 flat, blur 1.5 /
 * 3). Exposure, contrast and blur bounds sit between the unmodified photos' 1st percentile
 * and the derived photos' 95th; pose bounds flag only the few strongly turned LFW faces.
 * Numbers in docs/engine.md ("Quality signals").
 */
export const QUALITY_THRESHOLDS = {
  /** Shorter face-box side in original pixels below which detail is lost. */
  minFacePx: 40,
  /** Face mean luma bounds. */
  minBrightness: 50,
  maxBrightness: 215,
  /** Face luma standard deviation below which the face is washed out / flat. */
  minContrast: 18,
  /** Laplacian variance of the aligned face below which it is blurred. */
  minSharpness: 25,
  /** Pose limits (degrees). */
  maxYaw: 40,
  maxPitch: 35,
  /** A second face this large relative to the chosen one counts as "another person". */
  otherFaceRatio: 0.75,
} as const;

const r1 = (v: number): number => Math.round(v * 10) / 10;

/** BT.601 luma mean and standard deviation over a box (sampled to at most ~40k pixels). */
export function lumaStats(img: RgbImage, box?: Box): { mean: number; sd: number } {
  const g = lumaGrid(img, box);
  if (!g) return { mean: 0, sd: 0 };
  const { x0, y0, x1, y1, step } = g;
  let s = 0;
  let s2 = 0;
  let n = 0;
  const d = img.data;
  for (let y = y0; y < y1; y += step) {
    for (let x = x0; x < x1; x += step) {
      const p = (y * img.width + x) * 3;
      const l = 0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]!;
      s += l;
      s2 += l * l;
      n++;
    }
  }
  const mean = s / n;
  return { mean, sd: Math.sqrt(Math.max(0, s2 / n - mean * mean)) };
}

/**
 * Variance of the 4-neighbour Laplacian of the grey face, after stretching the face's
 * luma to a fixed spread (so a dark but sharp face is not called blurred). The 8-pixel
 * border is skipped (the warp replicates edges there).
 */
export function laplacianVariance(face: RgbImage): number {
  const { width: w, height: h, data: d } = face;
  const g = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) g[i] = 0.299 * d[i * 3]! + 0.587 * d[i * 3 + 1]! + 0.114 * d[i * 3 + 2]!;
  const m = 8;
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let y = m; y < h - m; y++) {
    for (let x = m; x < w - m; x++) {
      const v = g[y * w + x]!;
      s += v;
      s2 += v * v;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = s / n;
  const sd = Math.sqrt(Math.max(0, s2 / n - mean * mean));
  // Normalise to a spread of 50 luma levels (a typical face); flat images stay flat.
  const k = sd > 1 ? 50 / sd : 1;
  let l1 = 0;
  let l2 = 0;
  let c = 0;
  for (let y = m; y < h - m; y++) {
    for (let x = m; x < w - m; x++) {
      const i = y * w + x;
      const lap = (4 * g[i]! - g[i - 1]! - g[i + 1]! - g[i - w]! - g[i + w]!) * k;
      l1 += lap;
      l2 += lap * lap;
      c++;
    }
  }
  const lm = l1 / c;
  return l2 / c - lm * lm;
}

/**
 * Rough head pose from 68 landmarks, no 3D model: roll from the eye line; yaw from where
 * the nose sits between the two jaw-line ends at eye height; pitch from where the nose tip
 * sits between the eye line and the mouth, relative to its frontal position (0.50 of the
 * way, the LFW median). Good to a few degrees near frontal, saturating past ~60.
 */
export function poseFromLandmarks(pts: Point[]): { yaw: number; pitch: number; roll: number } {
  const le = meanPoint(pts, [36, 37, 38, 39, 40, 41]);
  const re = meanPoint(pts, [42, 43, 44, 45, 46, 47]);
  const roll = Math.atan2(re[1] - le[1], re[0] - le[0]);
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  const cx = (le[0] + re[0]) / 2;
  const cy = (le[1] + re[1]) / 2;
  // De-rotate so the eye line is horizontal.
  const un = (p: Point): Point => [cos * (p[0] - cx) - sin * (p[1] - cy), sin * (p[0] - cx) + cos * (p[1] - cy)];
  const nose = un(pts[30]!);
  const jawL = un(pts[1]!);
  const jawR = un(pts[15]!);
  const mouth = un(meanPoint(pts, [48, 54, 62, 66]));
  const span = jawR[0] - jawL[0];
  const rel = span > 1e-6 ? (nose[0] - jawL[0]) / span : 0.5; // 0.5 frontal
  const yaw = (Math.asin(Math.max(-1, Math.min(1, (rel - 0.5) * 2))) * 180) / Math.PI;
  const vert = mouth[1] > 1e-6 ? nose[1] / mouth[1] : 0.5;
  const pitch = (Math.asin(Math.max(-1, Math.min(1, (vert - 0.5) * 2.5))) * 180) / Math.PI;
  return { yaw: r1(yaw), pitch: r1(pitch), roll: r1((roll * 180) / Math.PI) };
}

/** The issues a person can fix, in the order they are worth fixing. */
export function qualityIssues(q: Omit<ImageQuality, 'issues'>, otherFaceLarge: boolean, label = 'photo'): QualityIssue[] {
  const t = QUALITY_THRESHOLDS;
  const out: QualityIssue[] = [];
  const add = (code: QualityIssueCode, message: string): void => {
    out.push({ code, message });
  };
  if (!q.face_found) {
    add('NO_FACE', `No face was found in the ${label}; take it again with the whole face visible, facing the camera.`);
  } else if (otherFaceLarge) {
    add('MULTIPLE_FACES', `More than one face is in the ${label}; make sure only one person is in the picture.`);
  }
  if (q.face_found && q.face_size_px !== null && q.face_size_px < t.minFacePx) {
    add('FACE_TOO_SMALL', `The face in the ${label} is too small (${Math.round(q.face_size_px)} px); move closer or use a higher resolution.`);
  }
  if (q.brightness !== null && q.brightness < t.minBrightness) {
    add('TOO_DARK', `The ${label} is too dark; turn on more light or face a window.`);
  } else if (q.brightness !== null && q.brightness > t.maxBrightness) {
    add('TOO_BRIGHT', `The ${label} is too bright (overexposed); move out of direct light or away from the flash.`);
  }
  if (q.contrast !== null && q.contrast < t.minContrast && (q.brightness === null || (q.brightness >= t.minBrightness && q.brightness <= t.maxBrightness))) {
    add('LOW_CONTRAST', `The face in the ${label} is washed out (low contrast); avoid strong backlight or haze and retake it.`);
  }
  if (q.sharpness !== null && q.sharpness < t.minSharpness) {
    add('BLURRY', `The ${label} is blurry; hold the camera still, let it focus, and clean the lens.`);
  }
  if (q.pose && (Math.abs(q.pose.yaw) > t.maxYaw || Math.abs(q.pose.pitch) > t.maxPitch)) {
    add('FACE_TURNED', `The face in the ${label} is turned away; look straight at the camera.`);
  }
  return out;
}

export interface QualityInputs {
  /** The image the face was found on (working resolution, possibly rotated). */
  image: RgbImage;
  /** Chosen face box on `image`, or null when no face. */
  box: Box | null;
  /** Every face box on `image` (chosen included). */
  boxes: Box[];
  /** Chosen face box in original pixels. */
  bboxOriginal: [number, number, number, number] | null;
  aligned: RgbImage | null;
  landmarks: Point[] | null;
  label?: string;
}

export function assessQuality(inp: QualityInputs): ImageQuality {
  const { box } = inp;
  const stats = lumaStats(inp.image, box ?? undefined);
  const size = inp.bboxOriginal ? Math.min(inp.bboxOriginal[2] - inp.bboxOriginal[0], inp.bboxOriginal[3] - inp.bboxOriginal[1]) : null;
  const side = (b: Box): number => Math.min(b[2] - b[0], b[3] - b[1]);
  const otherLarge = box ? inp.boxes.some((b) => b !== box && side(b) >= QUALITY_THRESHOLDS.otherFaceRatio * side(box)) : false;
  const q: Omit<ImageQuality, 'issues'> = {
    face_found: box !== null,
    face_count: inp.boxes.length,
    face_bbox: inp.bboxOriginal,
    face_size_px: size,
    brightness: r1(stats.mean),
    contrast: r1(stats.sd),
    sharpness: inp.aligned ? r1(laplacianVariance(inp.aligned)) : null,
    pose: inp.landmarks ? poseFromLandmarks(inp.landmarks) : null,
  };
  return { ...q, issues: qualityIssues(q, otherLarge, inp.label) };
}

/** Issue codes that can explain a low or missing score (NO_FACE / MULTIPLE_FACES say nothing about why). */
const EXPLAINING: QualityIssueCode[] = ['TOO_DARK', 'TOO_BRIGHT', 'LOW_CONTRAST', 'BLURRY', 'FACE_TOO_SMALL', 'FACE_TURNED'];

export interface QualityReason {
  image: 'user_image' | 'ref_image';
  code: QualityIssueCode;
  /** e.g. "selfie too dark: face brightness 31 of 255, under 50". */
  reason: string;
}

/** One image's issues that can explain a low or missing score, each with what was measured against which bound. */
export function qualityReasons(q: ImageQuality, image: QualityReason['image']): QualityReason[] {
  const t = QUALITY_THRESHOLDS;
  const label = image === 'user_image' ? 'selfie' : 'reference photo';
  const where = q.face_found ? 'face' : 'image';
  const text: Record<string, () => string> = {
    TOO_DARK: () => `${label} too dark: ${where} brightness ${Math.round(q.brightness ?? 0)} of 255, under ${t.minBrightness}`,
    TOO_BRIGHT: () => `${label} too bright: ${where} brightness ${Math.round(q.brightness ?? 0)} of 255, over ${t.maxBrightness}`,
    LOW_CONTRAST: () => `${label} washed out: ${where} contrast ${Math.round(q.contrast ?? 0)}, under ${t.minContrast}`,
    BLURRY: () => `${label} too blurred: face sharpness ${Math.round(q.sharpness ?? 0)}, under ${t.minSharpness}`,
    FACE_TOO_SMALL: () => `${label} face too small: ${Math.round(q.face_size_px ?? 0)} px, under ${t.minFacePx}`,
    FACE_TURNED: () => `${label} face turned away: yaw ${Math.round(q.pose?.yaw ?? 0)} deg, pitch ${Math.round(q.pose?.pitch ?? 0)} deg (limits ${t.maxYaw} / ${t.maxPitch})`,
  };
  return q.issues.filter((i) => EXPLAINING.includes(i.code)).map((i) => ({ image, code: i.code, reason: text[i.code]!() }));
}

/**
 * A decline/review warning with the photo-quality issues that can explain it: the long
 * description gains "Photo quality: selfie too dark: ...", additional_data gains
 * `quality_issues`. The risk code, severity and status are untouched (the platform's own
 * codes); a warning with nothing to explain is returned as is. `images` limits which
 * images are consulted (e.g. only the selfie when no face was found in it).
 */
export function explainWarning(w: FaceMatchWarning, quality: { user_image?: ImageQuality; ref_image?: ImageQuality } | undefined, images: Array<QualityReason['image']> = ['user_image', 'ref_image']): FaceMatchWarning {
  if (!quality) return w;
  const reasons = images.flatMap((k) => (quality[k] ? qualityReasons(quality[k]!, k) : []));
  if (reasons.length === 0) return w;
  return {
    ...w,
    long_description: `${w.long_description} Photo quality: ${reasons.map((r) => r.reason).join('; ')}.`,
    additional_data: { ...(w.additional_data ?? {}), quality_issues: reasons },
  };
}
