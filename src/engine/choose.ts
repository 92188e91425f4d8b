// Which detected face is "the subject". Measured on lfw-original-dev (see engine README
// part): centre-and-size weighting beats "largest face" on news photos where a bigger
// bystander is in frame, and it still picks the large portrait on selfies and ID scans.
import type { Detection } from './detect.js';

export type ChoiceRule = 'largest' | 'central' | 'weighted';

/** Higher is better. Image size in the same coordinates as the boxes. */
export function subjectWeight(d: Detection, width: number, height: number, rule: ChoiceRule, sigma = 0.35): number {
  const [x1, y1, x2, y2] = d.box;
  const area = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const cx = (x1 + x2) / 2 - width / 2;
  const cy = (y1 + y2) / 2 - height / 2;
  const halfDiag = Math.hypot(width, height) / 2;
  const dn = Math.hypot(cx, cy) / halfDiag; // 0 at the centre, 1 in a corner
  switch (rule) {
    case 'largest':
      return area;
    case 'central':
      return -dn;
    case 'weighted':
      return (Math.sqrt(area) / halfDiag) * d.score * Math.exp(-(dn * dn) / (2 * sigma * sigma));
  }
}

export function chooseFace(dets: Detection[], width: number, height: number, rule: ChoiceRule, sigma?: number): Detection | null {
  let best: Detection | null = null;
  let bestW = -Infinity;
  for (const d of dets) {
    const w = subjectWeight(d, width, height, rule, sigma);
    if (w > bestW) {
      bestW = w;
      best = d;
    }
  }
  return best;
}
