// 68-point landmarks (iBUG order) from a 64x64 grey crop, reduced to the 5 alignment points.
import type { InferenceSession } from 'onnxruntime-node';
import { resampleRegion, type Box, type RgbImage } from './image.js';
import { runModel, type ModelClock } from './models.js';

export type Point = [number, number];
export const LANDMARK_SIZE = 64;

/** Square crop used for the landmark model: side = box height, centred on the box. */
export function landmarkCrop(box: Box): { x: number; y: number; side: number } {
  const cx = (box[0] + box[2]) / 2;
  const cy = (box[1] + box[3]) / 2;
  const side = box[3] - box[1];
  return { x: cx - side / 2, y: cy - side / 2, side };
}

/** Runs the landmark model on the square crop; returns 68 points in image coordinates. */
export async function landmarks68(session: InferenceSession, img: RgbImage, crop: { x: number; y: number; side: number }, clock?: ModelClock): Promise<Point[]> {
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
