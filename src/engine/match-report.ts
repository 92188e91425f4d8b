// The score step: two analysed photos -> similarity, calibrated score, decision, warnings
// explained by photo quality, and the timings of both added up.
import { cosine } from './embed.js';
import { reportScore } from './score.js';
import { decideStandalone, decideWorkflow, noFaceWarning } from './decision.js';
import { explainWarning } from './quality.js';
import type { FaceAnalysis } from './pipeline.js';
import type { FaceMatchReport } from './types.js';

export interface Thresholds {
  mode: 'standalone' | 'workflow';
  decline: number;
  review: number;
  nodeId: string | null;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Both analyses' stage timings summed per stage, rounded to 0.1 ms, plus the match's own. */
export function pairTiming(user: FaceAnalysis, ref: FaceAnalysis, own: { queue: number; model_load: number; total: number }): Record<string, number> {
  const timing: Record<string, number> = {};
  for (const a of [user, ref]) for (const [k, v] of Object.entries(a.timings)) timing[k] = (timing[k] ?? 0) + v;
  for (const k of Object.keys(timing)) timing[k] = round1(timing[k]!);
  timing.queue = round1(own.queue);
  timing.model_load = round1(own.model_load);
  timing.model = round1(user.modelMs + ref.modelMs);
  timing.total = round1(own.total);
  return timing;
}

/** The face-match report of two analysed photos (`timing`: see pairTiming, computed last by the caller). */
export function matchReport(o: { user: FaceAnalysis; ref: FaceAnalysis; thresholds: Thresholds; timing: () => Record<string, number> }): FaceMatchReport {
  const { user, ref } = o;
  const { mode, decline, review, nodeId } = o.thresholds;
  const similarity = user.embedding && ref.embedding ? cosine(user.embedding, ref.embedding) : null;
  const score = similarity === null ? null : reportScore(similarity);
  const decision = mode === 'workflow' ? decideWorkflow(score, decline, review, nodeId) : decideStandalone(score, decline);
  // Both photos were given: an unscorable pair lacks a face, named by the side that lacks it.
  const faceless = user.entities.length === 0 ? 'user_image' : 'ref_image';
  if (score === null) decision.warnings = [noFaceWarning(faceless, nodeId)];
  const timing = o.timing();
  const quality = { user_image: user.quality, ref_image: ref.quality };
  return {
    status: decision.status,
    score,
    user_image: { entities: user.entities, best_angle: user.bestAngle },
    ref_image: { entities: ref.entities, best_angle: ref.bestAngle },
    // Photo-quality reasons added to the decline/review warning (codes unchanged); with no
    // score, only the image the warning names is consulted.
    warnings: decision.warnings.map((w) => explainWarning(w, quality, score === null ? [faceless] : undefined)),
    similarity: similarity === null ? null : Math.round(similarity * 1e6) / 1e6,
    liveness: { user_image: user.liveness === null ? null : Math.round(user.liveness * 1e4) / 1e4 },
    quality,
    timing_ms: timing,
  };
}
