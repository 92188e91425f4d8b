// Advisory passive liveness (MiniFASNet-like): the face box scaled 2.7x about its centre,
// kept inside the image, 128x128 raw RGB 0..255; softmax, class 0 = live.
import type { InferenceSession } from 'onnxruntime-node';
import { resampleRegion, type Box, type RgbImage } from './image.js';
import { runModel, type ModelClock } from './models.js';

const SIZE = 128;
const SCALE = 2.7;

/** The face box scaled `scale`x about its centre, shrunk and shifted to stay inside the image. */
export function scaledFaceCrop(box: Box, width: number, height: number, scale: number): { x: number; y: number; w: number; h: number } {
  const bw = box[2] - box[0];
  const bh = box[3] - box[1];
  const s = Math.min(scale, (height - 1) / bh, (width - 1) / bw);
  const w = bw * s;
  const h = bh * s;
  const cx = (box[0] + box[2]) / 2;
  const cy = (box[1] + box[3]) / 2;
  const x = Math.min(Math.max(0, cx - w / 2), width - w);
  const y = Math.min(Math.max(0, cy - h / 2), height - h);
  return { x, y, w, h };
}

export function livenessCrop(box: Box, width: number, height: number): { x: number; y: number; w: number; h: number } {
  return scaledFaceCrop(box, width, height, SCALE);
}

/** p(live) in 0..1. */
export async function livenessScore(session: InferenceSession, img: RgbImage, box: Box, clock?: ModelClock): Promise<number> {
  const c = livenessCrop(box, img.width, img.height);
  const rgb = resampleRegion(img, c.x, c.y, c.w, c.h, SIZE, SIZE);
  const n = SIZE * SIZE;
  const t = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    t[i] = rgb.data[i * 3]!;
    t[n + i] = rgb.data[i * 3 + 1]!;
    t[2 * n + i] = rgb.data[i * 3 + 2]!;
  }
  const out = await runModel(session, t, [1, 3, SIZE, SIZE], clock);
  const l = out[session.outputNames[0]!]!;
  const m = Math.max(l[0]!, l[1]!, l[2]!);
  const e = [Math.exp(l[0]! - m), Math.exp(l[1]! - m), Math.exp(l[2]! - m)];
  return e[0]! / (e[0]! + e[1]! + e[2]!);
}
