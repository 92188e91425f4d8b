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
export function brightenings(run: ImageRun): Brightening[] {
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

/** The fallback steps that apply to this image, in the order they are tried. */
export function fallbackSteps(o: ImageRun & { embed: boolean }): FallbackStep[] {
  const { cfg, decoded, timer, embed } = o;
  const run: ImageRun = { sessions: o.sessions, decoded, cfg, timer };
  const steps: FallbackStep[] = [];
  if (cfg.enhance.on && cfg.enhance.retryDetect) {
    // The tries sharing the gain share one brightened photo.
    const brightened = new Map<Uint8Array, RgbImage>();
    for (const { name, lut, blur } of brightenings(run)) {
      steps.push({
        name,
        run: async () => {
          let brighter = brightened.get(lut!) ?? applyColour(decoded.image, lut!, null);
          brightened.set(lut!, brighter);
          if (blur) brighter = boxBlur(brighter, blur);
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
      });
    }
  }
  if (cfg.tileRetry > 1 && decoded.scale > 1.01) {
    steps.push({
      name: 'tiles',
      run: async () => {
        const dets = await detectOnTiles({ session: o.sessions.detect, decoded, n: cfg.tileRetry, enhance: cfg.enhance, timer });
        const found = dets.length > 0 ? await measureFace({ ...run, embed, given: dets }) : null;
        timer.lap('detect_tiles');
        return found;
      },
    });
  }
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
