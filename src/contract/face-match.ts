// Face Match 1:1: the risk codes of a face-match report and the standalone POST /v3/face-match/
// answer. The report's inner shapes (entities, warnings) are the engine's, which mirror the wire.
import type { FaceMatchWarning, ImageReport } from '../engine/types.js';

/** The face-match report's risk codes, as the platform documents them: exactly five. */
export const FACE_MATCH_RISKS = [
  'LOW_FACE_MATCH_SIMILARITY',
  'NO_REFERENCE_IMAGE',
  'NO_FACE_IN_SELFIE',
  'FACE_MATCH_NOT_COMPUTED',
  'FACE_MATCH_MAX_ATTEMPTS_EXCEEDED',
] as const;
export type FaceMatchRisk = (typeof FACE_MATCH_RISKS)[number];

export type FaceMatchBody = {
  status: 'Approved' | 'In Review' | 'Declined';
  score: number | null;
  user_image: ImageReport;
  ref_image: ImageReport;
  warnings: FaceMatchWarning[];
};

export type StandaloneFaceMatchResult = {
  request_id: string;
  face_match: FaceMatchBody;
  created_at: string;
};
