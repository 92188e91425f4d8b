// Pipeline variants measured and not kept (test/eval/kyc-research-log.md, "no" rows): off by default,
// run only when an eval config asks for them, so the default path does not carry them.
import type { InferenceSession } from 'onnxruntime-node';
import { detectFaces, DETECT_THRESHOLD, type Detection } from './detect.js';
import { claheGate, claheLuma, type ClaheConfig } from './enhance.js';
import type { Box, RgbImage } from './image.js';
import { landmarksWithMirror, type Point, type SquareCrop } from './landmarks.js';
import type { ModelClock } from './models.js';
import { iou } from './nms.js';

/**
 * `refine`: the face detected again on a 4:3 crop where it is large; the new box replaces the
 * old when they overlap (IoU above 0.3). Measured: 0.1 pp worse on LFW, neutral on KYC cards.
 */
export async function refineBox(o: { session: InferenceSession; image: RgbImage; box: Box; clock?: ModelClock }): Promise<Box> {
  const { box } = o;
  const fw = box[2] - box[0];
  const fh = box[3] - box[1];
  const h = Math.max(fw, fh) * 2.2;
  const w = (h * 4) / 3;
  const cx = (box[0] + box[2]) / 2;
  const cy = (box[1] + box[3]) / 2;
  const rd = await detectFaces(o.session, o.image, DETECT_THRESHOLD * 0.5, { x: cx - w / 2, y: cy - h / 2, w, h }, o.clock);
  let best: Detection | null = null;
  let bestIou = 0.3;
  for (const d of rd) {
    const v = iou(d.box, box);
    if (v > bestIou) {
      bestIou = v;
      best = d;
    }
  }
  return best ? best.box : box;
}

/**
 * `landmarkRecentre`: a second landmark pass on the crop shifted by how far the points'
 * centre sits from where it sits on average relative to the crop (0.495, 0.595 of the side,
 * measured on LFW), averaged with the first. Measured: worse on small faces and occlusion.
 */
export async function recentredLandmarks(o: { session: InferenceSession; image: RgbImage; base: SquareCrop; pts: Point[]; flip: boolean; clock?: ModelClock }): Promise<Point[]> {
  const { base, pts } = o;
  const cx = pts.reduce((s, p) => s + p[0], 0) / 68;
  const cy = pts.reduce((s, p) => s + p[1], 0) / 68;
  const dx = cx - (base.x + 0.495 * base.side);
  const dy = cy - (base.y + 0.595 * base.side);
  const crop = { x: base.x + dx, y: base.y + dy, side: base.side };
  const again = (await landmarksWithMirror({ session: o.session, image: o.image, crop, flip: o.flip, clock: o.clock })).pts;
  return pts.map((p, i) => [(p[0] + again[i]![0]) / 2, (p[1] + again[i]![1]) / 2] as Point);
}

/**
 * CLAHE (`enhance.clahe.on`): local contrast when the aligned face is flat or its eye band is
 * in shadow. Only the embedder (with target 'both' also the landmark model) sees it. Null
 * when the gate says no. Measured: one genuine pair of 600 moved, one more impostor over 30.
 */
export async function equalisedForEmbedder(o: {
  clahe: ClaheConfig;
  aligned: RgbImage;
  src: RgbImage;
  square: SquareCrop;
  /** Landmarks of the face on an image (the pipeline's own reading). */
  landmarks: (img: RgbImage) => Promise<Point[]>;
  align: (img: RgbImage, pts: Point[]) => RgbImage;
}): Promise<RgbImage | null> {
  const { clahe, aligned, src, square: sq } = o;
  if (!claheGate(aligned, clahe)) return null;
  if (clahe.target === 'embed') return claheLuma(aligned, clahe);
  const m = 0.15 * sq.side;
  const eq = claheLuma(src, clahe, { x: sq.x - m, y: sq.y - m, w: sq.side + 2 * m, h: sq.side + 2 * m });
  return o.align(clahe.target === 'both' ? eq : src, await o.landmarks(eq));
}
