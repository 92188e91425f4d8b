// Workflows (/v3/workflows/): the feature enum and the workflow the platform returns.

/** The platform's workflow feature enum (create-time spelling), in its documented order. */
export const FEATURE_NAMES = [
  'OCR',
  'NFC',
  'LIVENESS',
  'FACE_MATCH',
  'PROOF_OF_ADDRESS',
  'QUESTIONNAIRE',
  'PHONE_VERIFICATION',
  'EMAIL_VERIFICATION',
  'DATABASE_VALIDATION',
  'AML',
  'IP_ANALYSIS',
  'AGE_ESTIMATION',
  'KYB_REGISTRY',
  'KYB_DOCUMENTS',
  'KYB_KEY_PEOPLE',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Older spellings (our first SPEC text, decision listings, docs prose) and the platform's name for each. */
export const FEATURE_ALIASES: Readonly<Record<string, FeatureName>> = {
  ID_VERIFICATION: 'OCR',
  PHONE: 'PHONE_VERIFICATION',
  EMAIL: 'EMAIL_VERIFICATION',
  POA: 'PROOF_OF_ADDRESS',
};

/** FACE_MATCH's face_match_not_computed_action: what a pair that could not be scored becomes. */
export const NOT_COMPUTED_ACTIONS = ['REVIEW', 'DECLINE'] as const;
export type NotComputedAction = (typeof NOT_COMPUTED_ACTIONS)[number];

export type FaceMatchConfig = {
  face_match_score_decline_threshold: number;
  face_match_score_review_threshold: number;
  face_match_not_computed_action: NotComputedAction;
  face_match_max_attempts: number;
};

export type WorkflowFeature = {
  feature: FeatureName;
  config: Record<string, unknown>;
  /** Optional internal node label (the platform's `label`). */
  label?: string;
};

export type Workflow = {
  uuid: string;
  workflow_id: string;
  workflow_label: string;
  workflow_type: string | null;
  is_default: boolean;
  is_archived: boolean;
  /** Feature names in execution order, as the hosted API lists them. */
  features: FeatureName[];
  /** Sandbox extra: each feature with its effective config (defaults filled in). */
  feature_configs: WorkflowFeature[];
  is_face_match_enabled: boolean;
  face_match_score_decline_threshold: number | null;
  face_match_score_review_threshold: number | null;
  face_match_not_computed_action: NotComputedAction | null;
  face_match_max_attempts: number | null;
  total_price: string;
  min_price: string;
  max_price: string;
  is_simple_workflow: boolean;
  is_editable: boolean;
  is_white_label_enabled: boolean;
  is_desktop_allowed: boolean;
  workflow_url: string;
  max_retry_attempts: number;
  retry_window_days: number;
  /** Minutes a session may stay unfinished before it becomes Expired. */
  session_expiration_time: number;
  version: number;
  status: 'draft' | 'published';
  has_draft: boolean;
  created_at: string;
  updated_at: string;
};
