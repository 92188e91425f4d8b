// Cosine similarity -> calibrated 0..100 score: a piecewise-linear, strictly increasing map
// through measured knots (see CALIBRATION and test/eval/calibrate.ts).

import { MEASURED } from './calibration.js';

/** (cosine, score) knots; strictly increasing in both. */
export const SCORE_KNOTS: ReadonlyArray<readonly [number, number]> = MEASURED.knots;

/** Piecewise-linear through the knots, from column `from` to column `to`; flat beyond the ends. */
function throughKnots(x: number, from: 0 | 1, to: 0 | 1): number {
  const k = SCORE_KNOTS;
  if (x <= k[0]![from]) return k[0]![to];
  for (let i = 1; i < k.length; i++) {
    const hi = k[i]!;
    if (x <= hi[from]) {
      const lo = k[i - 1]!;
      return lo[to] + ((x - lo[from]) / (hi[from] - lo[from])) * (hi[to] - lo[to]);
    }
  }
  return k[k.length - 1]![to];
}

export function scoreFromCosine(cos: number): number {
  if (!Number.isFinite(cos)) return 0;
  return throughKnots(cos, 0, 1);
}

/** The cosine whose calibrated score is `score` (the inverse of scoreFromCosine). */
export function cosineForScore(score: number): number {
  return throughKnots(score, 1, 0);
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
