// Passive liveness and age estimation (POST /v3/passive-liveness/, /v3/age-estimation/) and the
// liveness step's own risk codes.
import type { ImageReport } from '../engine/types.js';

/** Risk codes of the liveness step (the face-search screening adds its own on the same node). */
export const LIVENESS_RISKS = ['NO_FACE_DETECTED', 'AGE_NOT_DETECTED'] as const;
export type LivenessRisk = (typeof LIVENESS_RISKS)[number];

export type LivenessBody = {
  status: 'Approved' | 'Declined';
  method: 'PASSIVE';
  score: number | null;
  user_image: ImageReport;
  warnings: Array<{ feature: 'LIVENESS'; risk: LivenessRisk; additional_data: null; log_type: 'error'; short_description: string; long_description: string; node_id: null }>;
  face_quality: null;
  face_luminance: null;
  age_estimation?: number | null;
};

export type PassiveLivenessResult = { request_id: string; liveness: LivenessBody; created_at: string };
