// Cosine similarity -> calibrated 0..100 score: a piecewise-linear, strictly increasing map
// through measured knots (see CALIBRATION and test/eval/calibrate.ts).

import { MEASURED } from './calibration.js';

/** (cosine, score) knots; strictly increasing in both. */
export const SCORE_KNOTS: ReadonlyArray<readonly [number, number]> = MEASURED.knots;

export function scoreFromCosine(cos: number): number {
  if (!Number.isFinite(cos)) return 0;
  const k = SCORE_KNOTS;
  if (cos <= k[0]![0]) return k[0]![1];
  for (let i = 1; i < k.length; i++) {
    const [c1, s1] = k[i]!;
    if (cos <= c1) {
      const [c0, s0] = k[i - 1]!;
      return s0 + ((cos - c0) / (c1 - c0)) * (s1 - s0);
    }
  }
  return k[k.length - 1]![1];
}

/** Score as reported: two decimals. Rounding keeps order (non-decreasing). */
export function reportScore(cos: number): number {
  return Math.round(scoreFromCosine(cos) * 100) / 100;
}

export interface CalibrationRow {
  /** Score threshold t: a pair is accepted when score > t. */
  threshold: number;
  /** Fraction of cross-identity pairs (all pairs of the dev sets) with score > t. */
  far: number;
  /** Fraction of lfw-original-dev same-person pairs with score > t. */
  tar: number;
}

export const CALIBRATION: {
  knots: ReadonlyArray<readonly [number, number]>;
  method: string;
  impostor_pairs: number;
  table: CalibrationRow[];
} = {
  knots: SCORE_KNOTS,
  method:
    'Piecewise-linear in cosine through knots: 20 at the pooled FAR-1e-2 cosine; 30, 50, 70 at the worst per-set cosine for FAR 1e-3, 1e-4, 1e-5 over all cross-identity pairs of the dev sets plus 0.02; 85 at the 25th percentile of lfw-original-dev same-person cosines; -1 -> 0 and 1 -> 100.',
  impostor_pairs: MEASURED.impostor_pairs,
  table: MEASURED.table.map((r) => ({ threshold: r.threshold, far: r.far, tar: r.tar })),
};
