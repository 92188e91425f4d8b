// When no face is found in the photo as sent (nor, with rotate_image, in a rotation): an
// ordered list of named steps, tried in turn until one finds a face. Dark rooms and backlit
// faces: detection on brightened copies; faces too small for the shrunk working image:
// detection on full-resolution tiles of the original.
import { detectOnTiles } from './detect-retry.js';
import { applyColour, boxBlur, exposureLut, gammaLut } from './enhance.js';
import type { RgbImage } from './image.js';
import { measureFace, type ImageRun, type Oriented } from './measure.js';
import { lumaStats } from './quality.js';

export interface FallbackStep {
  name: string;
  /** The face measured, or null when this step finds none. */
  run: () => Promise<Oriented | null>;
}

/** Look on a brightened copy of the photo (lut, then a box blur of radius `blur`). */
interface Brightening {
  name: string;
  lut: Uint8Array | null;
  blur: number;
}

/**
 * The copies to look on when nothing was found: a gain to the target on the whole image's
 * mean, unsmoothed and smoothed (the sensor noise of a dark room hides the face), and a
 * strong shadow lift; with `retrySmoothFirst` the smoothed copy first (on the unsmoothed
 * one the detector can take sensor noise for a face); with `retryHeavySmooth`, last, the
 * copy smoothed at about the detector's own scale (in the darkest, noisiest photos, gain
 * under ~0.15 and noise sd above ~10, only that leaves a face-shaped signal). A gain step
 * is left out when the photo is not dark.
 */
function brightenings(run: ImageRun): Brightening[] {
  const { cfg, decoded } = run;
  const e = cfg.enhance;
  const mean = lumaStats(decoded.image).mean;
  const gain = mean < e.target - 20 ? exposureLut(mean, e.target, e.mode) : null;
  const tries: Brightening[] = [
    { name: 'brightened', lut: gain, blur: 0 },
    { name: 'shadow-lift', lut: gammaLut(0.25 * 255, 0.5 * 255), blur: 0 },
    { name: 'brightened-smoothed', lut: gain, blur: 2 },
  ];
  if (e.retrySmoothFirst) tries.unshift(tries.pop()!);
  const im = decoded.image;
  if (e.retryHeavySmooth) tries.push({ name: 'brightened-heavy-smooth', lut: gain, blur: Math.max(3, Math.round(Math.max(im.width, im.height) / 100)) });
  return tries.filter((t) => t.lut !== null);
}

/** Look for the face on a brightened copy (copies sharing a lut share `cache`), measure it. */
function brightenedStep(run: ImageRun, b: Brightening, cache: Map<Uint8Array, RgbImage>, embed: boolean): FallbackStep {
  const { cfg, decoded, timer } = run;
  const lut = b.lut!;
  return {
    name: b.name,
    run: async () => {
      let brighter = cache.get(lut) ?? applyColour(decoded.image, lut, null);
      cache.set(lut, brighter);
      if (b.blur) brighter = boxBlur(brighter, b.blur);
      let found: Oriented | null;
      if (cfg.enhance.retryOnOriginal) {
        // Found on the copy, measured on the photo: the face's own exposure correction
        // (gain to the face's target, smoothing of very dark faces) then applies.
        found = await measureFace({ ...run, embed, detectOn: brighter });
      } else {
        found = await measureFace({ ...run, decoded: { ...decoded, image: brighter }, embed });
        // Quality is measured on the photo as sent.
        if (found && found.src === brighter) found.src = decoded.image;
      }
      timer.lap('detect_retry');
      return found;
    },
  };
}

/** Look for faces on full-resolution tiles of the original, measure the one chosen. */
function tilesStep(run: ImageRun, embed: boolean): FallbackStep {
  const { sessions, cfg, decoded, timer } = run;
  return {
    name: 'tiles',
    run: async () => {
      const dets = await detectOnTiles({ session: sessions.detect, decoded, n: cfg.tileRetry, enhance: cfg.enhance, timer });
      const found = dets.length > 0 ? await measureFace({ ...run, embed, given: dets }) : null;
      timer.lap('detect_tiles');
      return found;
    },
  };
}

/** The fallback steps that apply to this image, in the order they are tried. */
export function fallbackSteps(o: ImageRun & { embed: boolean }): FallbackStep[] {
  const run: ImageRun = { sessions: o.sessions, decoded: o.decoded, cfg: o.cfg, timer: o.timer };
  const { cfg, decoded } = run;
  const steps: FallbackStep[] = [];
  if (cfg.enhance.on && cfg.enhance.retryDetect) {
    const cache = new Map<Uint8Array, RgbImage>();
    for (const b of brightenings(run)) steps.push(brightenedStep(run, b, cache, o.embed));
  }
  if (cfg.tileRetry > 1 && decoded.scale > 1.01) steps.push(tilesStep(run, o.embed));
  return steps;
}

/** The first step's face, trying each in order until one finds it. */
export async function firstFound(steps: FallbackStep[]): Promise<Oriented | null> {
  for (const step of steps) {
    const found = await step.run();
    if (found) return found;
  }
  return null;
}
