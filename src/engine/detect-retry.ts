// Detection when the first look finds nothing: the photo in a padded frame (tight crops,
// edges replicated, lower threshold), and the original cut into full-resolution tiles
// (faces too small for the whole-frame detector).
import type { InferenceSession } from 'onnxruntime-node';
import { decodeRegion, type DecodedImage } from './decode.js';
import { detectFaces, detectorFrame, DETECT_THRESHOLD, NMS_IOU, type Detection } from './detect.js';
import { applyColour, boxBlur, exposureLut, type EnhanceConfig } from './enhance.js';
import type { Box, RgbImage } from './image.js';
import type { ModelClock } from './models.js';
import { nms } from './nms.js';
import { lumaStats } from './quality.js';
import type { StageTimer } from './timer.js';

export interface DetectRetryOptions {
  session: InferenceSession;
  image: RgbImage;
  /** Aspect range of the detector's frame (PipelineConfig.detectAspect). */
  detectAspect: [number, number];
  /** Borders tried in turn while nothing is found (PipelineConfig.padRetry). */
  padRetry: number[];
  clock?: ModelClock;
}

/** Faces in the photo's detector frame; while none, again in frames padded by each of `padRetry`. */
export async function detectWithRetry(o: DetectRetryOptions): Promise<Detection[]> {
  const { session, image: img, clock } = o;
  const frame = detectorFrame(img.width, img.height, o.detectAspect);
  const clip = (ds: Detection[]): Detection[] => {
    for (const d of ds) d.box = [Math.max(0, d.box[0]), Math.max(0, d.box[1]), Math.min(img.width, d.box[2]), Math.min(img.height, d.box[3])];
    return ds;
  };
  const padded = frame.w !== img.width || frame.h !== img.height;
  // Boxes are clipped to the photo where the frame was padded; an unpadded photo's boxes stay as found.
  let dets = await detectFaces(session, img, DETECT_THRESHOLD, frame, clock);
  if (padded) dets = clip(dets);
  for (const pad of o.padRetry) {
    if (dets.length > 0) break;
    // Tight crop: give the detector a margin (edges replicated) and accept a lower score.
    const px = frame.w * pad;
    const py = frame.h * pad;
    dets = clip(await detectFaces(session, img, DETECT_THRESHOLD * 0.75, { x: frame.x - px, y: frame.y - py, w: frame.w + 2 * px, h: frame.h + 2 * py }, clock));
  }
  return dets;
}

/**
 * Faces found on a grid of overlapping 4:3 tiles (n across, width 1.5/n of the frame) of the
 * original decoded once at up to full resolution (long side at most 2560; brightened
 * and smoothed first when the photo is dark, as in the brightened retries); boxes in
 * working-image pixels, overlaps merged by NMS.
 */
export async function detectOnTiles(o: { session: InferenceSession; decoded: DecodedImage; n: number; enhance: EnhanceConfig; timer: StageTimer }): Promise<Detection[]> {
  const { session, decoded, n, timer } = o;
  const reg = await decodeRegion(decoded, 0, 0, decoded.width, decoded.height, 2560);
  timer.lap('decode');
  const e = o.enhance;
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
      const found = await detectFaces(session, full, DETECT_THRESHOLD, region, timer.clock);
      for (const d of found) {
        // Below ~20 px (original) a "face" on a tile is sensor noise or texture, and too small to match anyway.
        if (Math.min(d.box[2] - d.box[0], d.box[3] - d.box[1]) * reg.scale < 20) continue;
        all.push({ box: d.box.map((v) => (v * reg.scale) / decoded.scale) as Box, score: d.score });
      }
    }
  }
  return nms(all, NMS_IOU);
}
