// Sessions (/v3/session/, /v3/sessions/): the statuses and the shapes the platform sends.
import type { FaceMatchWarning } from '../engine/types.js';
import type { FaceSearchRisk } from './face-search.js';
import type { LivenessRisk } from './liveness.js';

/** A session's status, in the platform's order. */
export const SESSION_STATUSES = [
  'Not Started',
  'In Progress',
  'Approved',
  'Declined',
  'In Review',
  'Resubmitted',
  'Expired',
  'Abandoned',
  'Kyc Expired',
  'Awaiting User',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** The moves PATCH /v3/session/{id}/update-status/ accepts. */
export const REVIEW_STATUSES = ['Approved', 'Declined', 'Resubmitted'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** A decision's face_matches item status. */
export const FACE_MATCH_ITEM_STATUSES = ['Approved', 'In Review', 'Declined', 'Resub Requested', 'Not Finished'] as const;
export type FaceMatchItemStatus = (typeof FACE_MATCH_ITEM_STATUSES)[number];

/** Outcomes the sandbox-only POST /sandbox/session/{id}/simulate/ can force. */
export const SIMULATE_OUTCOMES = ['Approved', 'In Review', 'Declined', 'Abandoned', 'Expired', 'NO_REFERENCE_IMAGE'] as const;
export type SimulateOutcome = (typeof SIMULATE_OUTCOMES)[number];

export type SessionCreated = {
  session_id: string;
  session_number: number;
  session_token: string;
  url: string;
  vendor_data: string | null;
  metadata: Record<string, unknown> | null;
  status: SessionStatus;
  workflow_id: string;
  workflow_version: number;
  callback: string | null;
};

export type SessionSummary = {
  session_id: string;
  session_number: number;
  session_token: string | null;
  session_url: string | null;
  /** KYC sessions are 'user' (the sandbox has no KYB). */
  session_kind: 'user' | 'business';
  status: SessionStatus;
  vendor_data: string | null;
  metadata: Record<string, unknown> | null;
  workflow_id: string | null;
  workflow_version: number | null;
  callback: string | null;
  created_at: string;
  updated_at: string;
};

export type FaceMatchItem = {
  node_id: string;
  status: FaceMatchItemStatus;
  score: number | null;
  /** Signed URL of the selfie (the live image). */
  source_image: string | null;
  /** Signed URL of the reference (ID portrait). */
  target_image: string | null;
  source_image_session_id: string | null;
  warnings: FaceMatchWarning[];
};

export type SessionDecision = {
  session_id: string;
  session_number: number;
  session_url: string | null;
  status: SessionStatus;
  environment: 'sandbox';
  workflow_id: string | null;
  workflow_version: number | null;
  /** Feature names of the session's workflow; OCR is listed as ID_VERIFICATION. */
  features: string[];
  vendor_data: string | null;
  metadata: Record<string, unknown> | null;
  expected_details: Record<string, unknown> | null;
  contact_details: Record<string, unknown> | null;
  callback: string | null;
  id_verifications: null;
  liveness_checks: LivenessCheck[] | null;
  face_matches: FaceMatchItem[] | null;
  aml_screenings: null;
  ip_analyses: null;
  reviews: SessionReview[];
  /** Sandbox extras: attempts used and allowed for the face match step. */
  face_match_attempts: number;
  face_match_max_attempts: number;
  /**
   * face_match_max_attempts minus the attempts used (0 for a standalone face-match request). The
   * user can use them only while the session takes captures (In Progress): a Declined face match
   * is then not final. 0 means every attempt was used.
   */
  face_match_attempts_remaining: number;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
};

/** One item of a decision's liveness_checks (method PASSIVE: the sandbox scores the selfie). */
export type LivenessCheck = {
  node_id: string;
  status: 'Approved' | 'Declined' | 'In Review' | 'Not Finished';
  method: 'PASSIVE';
  /** 0-100 from the liveness model (advisory: it never changes a status here). */
  score: number | null;
  reference_image: string | null;
  video_url: null;
  age_estimation: number | null;
  face_quality: null;
  face_luminance: null;
  /** The liveness step's own codes and the face-search screening's, on the liveness node. */
  warnings: Array<Omit<FaceMatchWarning, 'feature' | 'risk'> & { feature: 'LIVENESS'; risk: LivenessRisk | FaceSearchRisk }>;
};

/** One entry of a session's review history. */
export type SessionReview = {
  id: number;
  action: 'status_change' | 'comment';
  old_status: string | null;
  new_status: string | null;
  note: string | null;
  created_at: string;
};
