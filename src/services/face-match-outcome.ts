// The face-match report's status and warnings as the platform documents them: exactly five risk
// codes. The engine scores the pair; this module names why a pair could not be scored
// (NO_REFERENCE_IMAGE, NO_FACE_IN_SELFIE, FACE_MATCH_NOT_COMPUTED), applies the workflow's
// not-computed action, and adds the attempts cap. log_type follows the thresholds.
import type { FaceMatchReport, FaceMatchWarning } from '../engine/types.js';
import { explainWarning } from '../engine/quality.js';
import { noFaceWarning } from '../engine/decision.js';
import type { FaceMatchConfig, FaceMatchItemStatus, FaceMatchRisk } from '../contract/index.js';

type Severity = FaceMatchWarning['log_type'];

function warning(risk: FaceMatchRisk, log_type: Severity, short: string, long: string, nodeId: string | null, extra: Record<string, unknown> | null = null): FaceMatchWarning {
  return { feature: 'FACEMATCH', risk, additional_data: extra, log_type, short_description: short, long_description: long, node_id: nodeId };
}

export function noReference(nodeId: string | null): FaceMatchWarning {
  return warning('NO_REFERENCE_IMAGE', 'error', 'No reference image', 'There was no reference image (ID portrait or portrait_image) to compare the selfie with, so no comparison was possible.', nodeId);
}

export function maxAttemptsExceeded(attempts: number, max: number, nodeId: string | null): FaceMatchWarning {
  return warning('FACE_MATCH_MAX_ATTEMPTS_EXCEEDED', 'error', 'Face match attempts exceeded', `The user used all ${max} face match attempts of this session without a match.`, nodeId, { attempts, max_attempts: max });
}

export interface Outcome {
  status: FaceMatchItemStatus & ('Approved' | 'In Review' | 'Declined');
  score: number | null;
  warnings: FaceMatchWarning[];
}

/**
 * Status and warnings for one scored (or unscorable) pair. `notComputed` is the workflow's
 * face_match_not_computed_action; the standalone API has none and declines.
 */
export function outcomeOf(report: Pick<FaceMatchReport, 'status' | 'score' | 'warnings' | 'user_image' | 'ref_image'> & Partial<Pick<FaceMatchReport, 'quality'>>, opts: { nodeId: string | null; notComputed?: FaceMatchConfig['face_match_not_computed_action'] }): Outcome {
  if (report.score !== null) {
    // Scored: the engine's threshold rule already gives LOW_FACE_MATCH_SIMILARITY with warning/error.
    return { status: report.status, score: report.score, warnings: report.warnings.filter((w) => w.risk !== 'NO_REFERENCE_IMAGE') };
  }
  const review = opts.notComputed === 'REVIEW';
  const status = review ? 'In Review' : 'Declined';
  const sev: Severity = review ? 'warning' : 'error';
  const noSelfieFace = report.user_image.entities.length === 0;
  const w = noFaceWarning(noSelfieFace ? 'user_image' : 'ref_image', opts.nodeId, sev);
  // Why no face was found, when the photo's quality says so ("selfie too dark: ..."); same risk code.
  return { status, score: null, warnings: [explainWarning(w, report.quality, [noSelfieFace ? 'user_image' : 'ref_image'])] };
}
