// The platform's decision rules as pure functions, shared by the engine, HTTP and MCP.
import { FacematchError } from '../errors.js';
import type { FaceMatchWarning, MatchStatus } from './types.js';

export const STANDALONE_DECLINE_DEFAULT = 30;
export const WORKFLOW_DECLINE_DEFAULT = 50;
export const WORKFLOW_REVIEW_DEFAULT = 70;

export interface Decision {
  status: MatchStatus;
  warnings: FaceMatchWarning[];
}

function checkThreshold(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) {
    throw new FacematchError('VALIDATION', `${name} must be a number from 0 to 100 (got ${String(v)}).`, { fields: { [name]: ['Must be a number from 0 to 100.'] } });
  }
}

export function lowSimilarityWarning(score: number, status: MatchStatus, thresholds: Record<string, number>, nodeId: string | null): FaceMatchWarning {
  const review = status === 'In Review';
  return {
    feature: 'FACEMATCH',
    risk: 'LOW_FACE_MATCH_SIMILARITY',
    additional_data: { score, ...thresholds },
    log_type: review ? 'warning' : 'error',
    short_description: 'Low face match similarity',
    long_description: review
      ? `The face match score (${score}) is above the decline threshold but not above the review threshold, so the match needs manual review.`
      : `The face match score (${score}) is not above the decline threshold (${thresholds.decline_threshold ?? thresholds.face_match_score_decline_threshold}), so the faces are considered different people.`,
    node_id: nodeId,
  };
}

/**
 * The platform's codes when a pair cannot be scored because a photo shows no face: none in the
 * selfie is NO_FACE_IN_SELFIE, none in the reference FACE_MATCH_NOT_COMPUTED (NO_REFERENCE_IMAGE
 * means a missing image, not a faceless one). One source for the engine, HTTP, MCP and the CLI.
 */
export function noFaceWarning(side: 'user_image' | 'ref_image', nodeId: string | null, logType: FaceMatchWarning['log_type'] = 'error'): FaceMatchWarning {
  return side === 'user_image'
    ? { feature: 'FACEMATCH', risk: 'NO_FACE_IN_SELFIE', additional_data: null, log_type: logType, short_description: 'No face in selfie', long_description: 'No face could be detected in the selfie, so no similarity score could be computed.', node_id: nodeId }
    : { feature: 'FACEMATCH', risk: 'FACE_MATCH_NOT_COMPUTED', additional_data: null, log_type: logType, short_description: 'Face match not computed', long_description: 'No face could be detected in the reference image, so no similarity score could be computed.', node_id: nodeId };
}

export function noReferenceWarning(nodeId: string | null): FaceMatchWarning {
  return {
    feature: 'FACEMATCH',
    risk: 'NO_REFERENCE_IMAGE',
    additional_data: null,
    log_type: 'error',
    short_description: 'No reference image',
    long_description: 'There was no reference image to compare the selfie with, so no face match score could be computed.',
    node_id: nodeId,
  };
}

/** POST /v3/face-match/: Approved only when score > decline threshold (default 30). */
export function decideStandalone(score: number | null, declineThreshold: number = STANDALONE_DECLINE_DEFAULT): Decision {
  checkThreshold('face_match_score_decline_threshold', declineThreshold);
  if (score === null || !Number.isFinite(score)) return { status: 'Declined', warnings: [noReferenceWarning(null)] };
  if (score > declineThreshold) return { status: 'Approved', warnings: [] };
  return { status: 'Declined', warnings: [lowSimilarityWarning(score, 'Declined', { decline_threshold: declineThreshold }, null)] };
}

/** Workflow FACE_MATCH: <= decline Declined, <= review In Review, else Approved. */
export function decideWorkflow(
  score: number | null,
  declineThreshold: number = WORKFLOW_DECLINE_DEFAULT,
  reviewThreshold: number = WORKFLOW_REVIEW_DEFAULT,
  nodeId: string | null = null,
): Decision {
  checkThreshold('face_match_score_decline_threshold', declineThreshold);
  checkThreshold('face_match_score_review_threshold', reviewThreshold);
  if (declineThreshold > reviewThreshold) {
    throw new FacematchError('VALIDATION', `face_match_score_decline_threshold (${declineThreshold}) must not be above face_match_score_review_threshold (${reviewThreshold}).`, {
      fields: { face_match_score_decline_threshold: ['Must be less than or equal to the review threshold.'] },
    });
  }
  if (score === null || !Number.isFinite(score)) return { status: 'Declined', warnings: [noReferenceWarning(nodeId)] };
  const th = { decline_threshold: declineThreshold, review_threshold: reviewThreshold };
  if (score <= declineThreshold) return { status: 'Declined', warnings: [lowSimilarityWarning(score, 'Declined', th, nodeId)] };
  if (score <= reviewThreshold) return { status: 'In Review', warnings: [lowSimilarityWarning(score, 'In Review', th, nodeId)] };
  return { status: 'Approved', warnings: [] };
}
