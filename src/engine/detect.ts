// Face detection with the UltraFace-style 320x240 model: a region of the image (the whole
// image, or a frame padded around it, see detectorFrame) is resized to 320x240, boxes come
// out normalised (priors decoded in the graph), then confidence threshold and IoU NMS here.
import type { InferenceSession } from 'onnxruntime-node';
import { resampleRegion, type Box, type RgbImage } from './image.js';
import { runModel, type ModelClock } from './models.js';
import { nms } from './nms.js';

export const DETECT_W = 320;
export const DETECT_H = 240;
export const DETECT_THRESHOLD = 0.6;
export const NMS_IOU = 0.3;

export interface Detection {
  /** x1, y1, x2, y2 in the coordinates of the image passed in. */
  box: Box;
  score: number;
}

/** RGB bytes (already 320x240) -> CHW float tensor, (x - 127) / 128. */
export function detectorTensor(rgb: RgbImage): Float32Array {
  const n = DETECT_W * DETECT_H;
  const t = new Float32Array(3 * n);
  const d = rgb.data;
  for (let i = 0; i < n; i++) {
    t[i] = (d[i * 3]! - 127) / 128;
    t[n + i] = (d[i * 3 + 1]! - 127) / 128;
    t[2 * n + i] = (d[i * 3 + 2]! - 127) / 128;
  }
  return t;
}

/** Decodes raw model outputs into thresholded, NMS-filtered boxes scaled to w x h. */
export function decodeDetections(scores: Float32Array, boxes: Float32Array, w: number, h: number, threshold = DETECT_THRESHOLD): Detection[] {
  const cands: Detection[] = [];
  const count = scores.length / 2;
  for (let i = 0; i < count; i++) {
    const s = scores[i * 2 + 1]!;
    if (s < threshold) continue;
    const b = i * 4;
    cands.push({ box: [boxes[b]! * w, boxes[b + 1]! * h, boxes[b + 2]! * w, boxes[b + 3]! * h], score: s });
  }
  return nms(cands, NMS_IOU);
}

/** The photo's frame padded (centred) to an aspect ratio within [lo, hi] (1% slack: a 4:3 photo off by a pixel stays as it is). */
export function detectorFrame(w: number, h: number, [lo, hi]: [number, number]): { x: number; y: number; w: number; h: number } {
  const aspect = w / h;
  if (aspect < lo * 0.99) return { x: -(h * lo - w) / 2, y: 0, w: h * lo, h };
  if (aspect > hi * 1.01) return { x: 0, y: -(w / hi - h) / 2, w, h: w / hi };
  return { x: 0, y: 0, w, h };
}

/**
 * Detects faces in the region (x0, y0, w, h) of `img` (the whole image by default).
 * Boxes are returned in `img` coordinates.
 */
export async function detectFaces(session: InferenceSession, img: RgbImage, threshold = DETECT_THRESHOLD, region?: { x: number; y: number; w: number; h: number }, clock?: ModelClock): Promise<Detection[]> {
  const r = region ?? { x: 0, y: 0, w: img.width, h: img.height };
  const small = resampleRegion(img, r.x, r.y, r.w, r.h, DETECT_W, DETECT_H);
  const out = await runModel(session, detectorTensor(small), [1, 3, DETECT_H, DETECT_W], clock);
  const dets = decodeDetections(out.scores!, out.boxes!, r.w, r.h, threshold);
  for (const d of dets) {
    d.box = [d.box[0] + r.x, d.box[1] + r.y, d.box[2] + r.x, d.box[3] + r.y];
  }
  return dets;
}
