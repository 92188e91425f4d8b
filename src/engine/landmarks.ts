// 68-point landmarks (iBUG order) from a 64x64 grey crop, reduced to the 5 alignment points;
// test-time augmentation: the mirrored crop read too and averaged (its disagreement is
// the orientation evidence, see orientation.ts), crops at several sizes averaged.
import type { InferenceSession } from 'onnxruntime-node';
import { cropRegion, mirrorImage, resampleRegion, type Box, type RgbImage } from './image.js';
import { runModel, type ModelClock } from './models.js';

export type Point = [number, number];
export const LANDMARK_SIZE = 64;

/** A square region of an image (top-left corner and side, px). */
export interface SquareCrop {
  x: number;
  y: number;
  side: number;
}

/** How the landmark crop is cut from the face box (see PipelineConfig.landmarkCrop). */
export type LandmarkCropShape = 'height' | 'sqrt';

/** iBUG-68 left/right mirror permutation: point i of a face is point MIRROR68[i] of its mirror image. */
export const MIRROR68: readonly number[] = (() => {
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

/** The landmark model's square crop around a face box. */
export function landmarkSquare(box: Box, shape: LandmarkCropShape): SquareCrop {
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  if (shape === 'sqrt') {
    const x0 = box[0] - 0.05 * w;
    const x1 = box[2] + 0.05 * w;
    const y1 = box[3] + 0.1 * h;
    const side = Math.sqrt((x1 - x0) * (y1 - box[1]));
    return { x: (x0 + x1) / 2 - side / 2, y: (box[1] + y1) / 2 - side / 2, side };
  }
  return { x: (box[0] + box[2]) / 2 - h / 2, y: (box[1] + box[3]) / 2 - h / 2, side: h };
}

/** Runs the landmark model on the square crop; returns 68 points in image coordinates. */
async function landmarks68(session: InferenceSession, img: RgbImage, crop: SquareCrop, clock?: ModelClock): Promise<Point[]> {
  const rgb = resampleRegion(img, crop.x, crop.y, crop.side, crop.side, LANDMARK_SIZE, LANDMARK_SIZE);
  const n = LANDMARK_SIZE * LANDMARK_SIZE;
  const t = new Float32Array(n);
  const d = rgb.data;
  for (let i = 0; i < n; i++) {
    const grey = Math.round(0.299 * d[i * 3]! + 0.587 * d[i * 3 + 1]! + 0.114 * d[i * 3 + 2]!);
    t[i] = grey / 256;
  }
  const out = await runModel(session, t, [1, 1, LANDMARK_SIZE, LANDMARK_SIZE], clock);
  const o = out[session.outputNames[0]!]!;
  const pts: Point[] = [];
  for (let i = 0; i < 68; i++) pts.push([crop.x + o[i * 2]! * crop.side, crop.y + o[i * 2 + 1]! * crop.side]);
  return pts;
}

/** The centroid of the landmarks at `idx`. */
export function meanPoint(pts: Point[], idx: number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += pts[i]![0];
    y += pts[i]![1];
  }
  return [x / idx.length, y / idx.length];
}

/** Eye centres (lid points), nose tip, mouth corners: the order of the ArcFace template. */
export function fivePoints(pts: Point[]): Point[] {
  return [meanPoint(pts, [37, 38, 40, 41]), meanPoint(pts, [43, 44, 46, 47]), pts[30]!, meanPoint(pts, [48, 60]), meanPoint(pts, [54, 64])];
}

export interface LandmarkReading {
  pts: Point[];
  /** How far the crop's and the mirrored crop's readings disagree (mean distance / crop side); null without the mirror. */
  flipErr: number | null;
}

/** 68 points from one square crop, averaged with the mirrored crop's when `flip`. */
export async function landmarksWithMirror(o: { session: InferenceSession; image: RgbImage; crop: SquareCrop; flip: boolean; clock?: ModelClock }): Promise<LandmarkReading> {
  const { session, image: img, crop } = o;
  const pts = await landmarks68(session, img, crop, o.clock);
  if (!o.flip) return { pts, flipErr: null };
  const side = crop.side;
  const pad = Math.ceil(side) + 2;
  const x0 = Math.floor(crop.x) - 1;
  const y0 = Math.floor(crop.y) - 1;
  const mirrored = mirrorImage(cropRegion(img, x0, y0, pad, pad));
  // Edge coordinates: region x in [0, pad) mirrors to pad - x.
  const mcrop = { x: pad - (crop.x - x0) - side, y: crop.y - y0, side };
  const mp = await landmarks68(session, mirrored, mcrop, o.clock);
  let err = 0;
  const out = pts.map((p, i) => {
    const q = mp[MIRROR68[i]!]!;
    const [mx, my] = [pad - q[0] + x0, q[1] + y0];
    err += Math.hypot(p[0] - mx, p[1] - my);
    return [(p[0] + mx) / 2, (p[1] + my) / 2] as Point;
  });
  return { pts: out, flipErr: err / 68 / side };
}

/**
 * The 68 points of the face in `box`: crops at each relative size in `scales` (about the
 * same centre), each with its mirror when `flip`, averaged; `flipErr` is the first crop's.
 */
export async function landmarksFor(o: { session: InferenceSession; image: RgbImage; box: Box; shape: LandmarkCropShape; scales: number[]; flip: boolean; clock?: ModelClock }): Promise<LandmarkReading> {
  const base = landmarkSquare(o.box, o.shape);
  const runs: Point[][] = [];
  let flipErr: number | null = null;
  for (const k of o.scales) {
    const side = base.side * k;
    const crop = { x: base.x + base.side / 2 - side / 2, y: base.y + base.side / 2 - side / 2, side };
    const r = await landmarksWithMirror({ session: o.session, image: o.image, crop, flip: o.flip, clock: o.clock });
    flipErr ??= r.flipErr;
    runs.push(r.pts);
  }
  const pts = runs[0]!.map((_, i) => [runs.reduce((s, r) => s + r[i]![0], 0) / runs.length, runs.reduce((s, r) => s + r[i]![1], 0) / runs.length] as Point);
  return { pts, flipErr };
}
