// The pipeline's settings. Variants were measured with `eval --pipeline '{...}'`; the
// defaults are the measured best (docs/engine.md). Variants measured and not kept run only
// when asked for (variants.ts).
import type { ChoiceRule } from './choose.js';
import { EMBEDDER } from './embedder.js';
import { DEFAULT_ENHANCE, type EnhanceConfig } from './enhance.js';

export interface PipelineConfig {
  choice: ChoiceRule;
  /** Gaussian width of the centre weighting ('weighted' rule), in half-diagonals. */
  sigma: number;
  /**
   * Re-detect on a crop around the chosen face: true = always (measured: 0.1 pp worse on
   * LFW); 'small' = only a small face re-decoded from the original at full resolution
   * (its box was found at the working resolution: ID-card portraits, faces far away).
   */
  refine: boolean | 'small';
  /** A face narrower than this (working px) is re-decoded from the original at higher resolution. */
  smallFacePx: number;
  /** Landmark test-time augmentation: also run on the mirrored crop and average. */
  landmarkFlip: boolean;
  /** Second landmark pass on a crop re-centred on the first pass's points. */
  landmarkRecentre: boolean;
  /** Landmark crops at these relative sizes are averaged (test-time augmentation). */
  landmarkScales: number[];
  /** Landmark crop: 'height' = square of the box height centred on the box; 'sqrt' = side sqrt(w*h), 5% extra left/right, 10% at the bottom. */
  landmarkCrop: 'height' | 'sqrt';
  /** Embed the mirrored face too and sum (costs a second embedder run). */
  embedFlip: boolean;
  colorOrder: 'bgr' | 'rgb';
  /** Border added (fraction of each side) when nothing is found: tight crops. */
  padRetry: number[];
  /** Exposure / colour corrections (enhance.ts). */
  enhance: EnhanceConfig;
  /**
   * Nothing found in a photo shrunk for work: detect on an n x n grid of overlapping tiles
   * of the original at full resolution (n = 4 on a 1280x960 photo: a 40 px face reaches
   * the 320x240 detector at ~27 px instead of 10). 0 = off.
   */
  tileRetry: number;
  /**
   * Aspect ratios (width / height) the detector's frame is kept within: a photo outside is
   * padded (edges replicated) before the whole frame is resized to 320x240. A portrait
   * phone selfie stretched to 4:3 has its face squashed 1.8-2.4x: in a dark, noisy photo the
   * box then comes out loose or on the wrong face. [0, Infinity] = the photo stretched as it is.
   */
  detectAspect: [number, number];
}

export const DEFAULT_PIPELINE: PipelineConfig = {
  choice: 'weighted',
  sigma: 0.35,
  // 'small' measured on two KYC sets (test/eval/kyc-research-log.md): +-1 pair per condition, no net gain
  // on the held-out set, one more detector run per card: off.
  refine: false,
  smallFacePx: 96,
  landmarkFlip: true,
  landmarkRecentre: false,
  landmarkScales: [1],
  landmarkCrop: 'sqrt',
  embedFlip: true,
  colorOrder: EMBEDDER.channels,
  padRetry: [0.3, 0.6],
  enhance: DEFAULT_ENHANCE,
  tileRetry: 4,
  // Measured (test/eval/kyc-research-log.md, fifth pass): portrait selfies padded to square, the
  // geometry of the LFW photos the rest was tuned on; 16:9 frames padded to 4:3.
  detectAspect: [1, 4 / 3],
};

/** Defaults overlaid with a partial config (enhance merged field by field). */
export function pipelineConfig(over: Partial<PipelineConfig> = {}): PipelineConfig {
  const enhance = { ...DEFAULT_ENHANCE, ...(over.enhance ?? {}) };
  return { ...DEFAULT_PIPELINE, ...over, enhance: { ...enhance, clahe: { ...DEFAULT_ENHANCE.clahe, ...(over.enhance?.clahe ?? {}) } } };
}
