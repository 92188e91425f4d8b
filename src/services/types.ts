// Shapes the sandbox services return. Field names are the hosted API's (see ../shared/SPEC.md),
// so the HTTP twin can send these objects as they are.
import type { FaceEmbeddings, FaceMatchReport, FaceMatchWarning, ImageReport, MatchOptions, SingleFaceReport } from '../engine/types.js';

/** PNGs of the aligned 112x112 faces the score compared; null where no face was found. */
export type AlignedFaces = { user: Buffer | null; ref: Buffer | null };

/** What the services need from the face engine (FaceEngine satisfies it). */
export interface FaceMatcher {
  match(userImage: Buffer, refImage: Buffer, options?: MatchOptions): Promise<FaceMatchReport>;
  matchDetailed(userImage: Buffer, refImage: Buffer, options?: MatchOptions): Promise<{ report: FaceMatchReport; alignedFaces: AlignedFaces; embeddings: FaceEmbeddings }>;
  matchEmbedded(userImage: Buffer, refImage: Buffer, options?: MatchOptions): Promise<{ report: FaceMatchReport; embeddings: FaceEmbeddings }>;
  single(image: Buffer, options?: Pick<MatchOptions, 'rotateImage' | 'attributes'>): Promise<SingleFaceReport>;
}

export type SessionStatus =
  | 'Not Started'
  | 'In Progress'
  | 'Approved'
  | 'Declined'
  | 'In Review'
  | 'Resubmitted'
  | 'Expired'
  | 'Abandoned'
  | 'Kyc Expired'
  | 'Awaiting User';

export const SESSION_STATUSES: readonly SessionStatus[] = [
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
];

export type FaceMatchItemStatus = 'Approved' | 'In Review' | 'Declined' | 'Resub Requested' | 'Not Finished';

export type SimulateOutcome = 'Approved' | 'In Review' | 'Declined' | 'Abandoned' | 'Expired' | 'NO_REFERENCE_IMAGE';

export const SIMULATE_OUTCOMES: readonly SimulateOutcome[] = [
  'Approved',
  'In Review',
  'Declined',
  'Abandoned',
  'Expired',
  'NO_REFERENCE_IMAGE',
];

export type WebhookEventType = 'status.updated' | 'data.updated';
/** The session events the sandbox delivers. */
export const WEBHOOK_EVENTS: readonly WebhookEventType[] = ['status.updated', 'data.updated'];

/**
 * Event names the hosted platform accepts for its user, business and transaction entities
 * (SPEC: "others exist on the platform"). A destination may subscribe to them, so integration
 * code that does runs unchanged here, but the sandbox has no such entities and never sends them.
 */
export type PlatformOnlyWebhookEvent =
  | 'user.status.updated'
  | 'user.data.updated'
  | 'business.status.updated'
  | 'business.data.updated'
  | 'transaction.created'
  | 'transaction.status.updated';
export const PLATFORM_ONLY_WEBHOOK_EVENTS: readonly PlatformOnlyWebhookEvent[] = [
  'user.status.updated',
  'user.data.updated',
  'business.status.updated',
  'business.data.updated',
  'transaction.created',
  'transaction.status.updated',
];
export type SubscribableWebhookEvent = WebhookEventType | PlatformOnlyWebhookEvent;
export const SUBSCRIBABLE_WEBHOOK_EVENTS: readonly SubscribableWebhookEvent[] = [...WEBHOOK_EVENTS, ...PLATFORM_ONLY_WEBHOOK_EVENTS];

/** The platform's workflow feature enum (create-time spelling), in its documented order. */
export type FeatureName =
  | 'OCR'
  | 'NFC'
  | 'LIVENESS'
  | 'FACE_MATCH'
  | 'PROOF_OF_ADDRESS'
  | 'QUESTIONNAIRE'
  | 'PHONE_VERIFICATION'
  | 'EMAIL_VERIFICATION'
  | 'DATABASE_VALIDATION'
  | 'AML'
  | 'IP_ANALYSIS'
  | 'AGE_ESTIMATION'
  | 'KYB_REGISTRY'
  | 'KYB_DOCUMENTS'
  | 'KYB_KEY_PEOPLE';

export const FEATURE_NAMES: readonly FeatureName[] = [
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
];

/** Older spellings (our first SPEC text, decision listings, docs prose) and the platform's name for each. */
export const FEATURE_ALIASES: Readonly<Record<string, FeatureName>> = {
  ID_VERIFICATION: 'OCR',
  PHONE: 'PHONE_VERIFICATION',
  EMAIL: 'EMAIL_VERIFICATION',
  POA: 'PROOF_OF_ADDRESS',
};

export type AppContext = {
  applicationId: string;
  organizationId: string;
  keyId: string | null;
};

// ---- accounts ------------------------------------------------------------------------------

export type Organization = {
  uuid: string;
  name: string;
};

export type ApplicationInfo = {
  uuid: string;
  name: string;
  client_id: string;
};

export type VerifyEmailResult = {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  organization: Organization;
  application: ApplicationInfo & { api_key: string };
};

/** Login returns tokens; the API key is stored hashed, so it is not returned again. */
export type LoginResult = {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  organization: Organization;
  application: ApplicationInfo;
};

export type ProvisionResult = {
  api_key: string;
  application_id: string;
  organization_id: string;
  email: string;
  created: boolean;
};

// ---- workflows ------------------------------------------------------------------------------

export type FaceMatchConfig = {
  face_match_score_decline_threshold: number;
  face_match_score_review_threshold: number;
  face_match_not_computed_action: 'REVIEW' | 'DECLINE';
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
  face_match_not_computed_action: 'REVIEW' | 'DECLINE' | null;
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

// ---- sessions -------------------------------------------------------------------------------

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
  warnings: Array<Omit<FaceMatchWarning, 'feature'> & { feature: 'LIVENESS' }>;
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

export type SessionByToken = {
  sessionId: string;
  status: string;
  callback: string | null;
  workflow: Workflow;
  /** True when the session has no portrait_image: the capture step must supply a reference. */
  needsReference: boolean;
  /** Sandbox extras for the capture page. */
  attemptsUsed: number;
  attemptsAllowed: number;
  /** True while images can still be submitted. */
  acceptsImages: boolean;
};

// ---- standalone face match -----------------------------------------------------------------

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

/** The standalone compare's options as callers send them (multipart strings or JSON values). */
export type FaceCompareOptionsInput = {
  /** 0-100, number or numeric string; default 30. */
  declineThreshold?: unknown;
  /** Boolean or "true"/"false"; default false. */
  rotateImage?: unknown;
};

export type FaceCompareOptions = { declineThreshold: number; rotateImage: boolean };

export type FaceCompareInput = FaceCompareOptionsInput & {
  userImage: Buffer;
  refImage: Buffer;
  /** Also return the aligned faces as PNGs (the MCP preview); off on the HTTP hot path. */
  withAlignedFaces?: boolean;
};

/** A standalone compare: the SPEC body plus what only local callers get (pictures, engine extras). */
export type FaceCompareResult = {
  body: FaceMatchBody;
  alignedFaces: AlignedFaces;
  /** The chosen faces' embeddings, for the face store (never sent on the wire). */
  embeddings: FaceEmbeddings;
  /** Not in the hosted API: raw cosine, advisory liveness p(live) of the selfie, stage timings. */
  extras: { similarity: number | null; liveness_user_image: number | null; timing_ms: Record<string, number> };
};

export type StandaloneFaceMatchInput = FaceCompareInput & {
  saveApiRequest?: unknown;
  vendorData?: unknown;
  metadata?: unknown;
};

// ---- webhooks -------------------------------------------------------------------------------

export type WebhookSummary = {
  pending: number;
  delivered: number;
  failed: number;
  attempts: number;
  last_attempt_at: string | null;
  last_status_code: number | null;
};

export type WebhookDestination = {
  uuid: string;
  label: string;
  url: string;
  subscribed_events: SubscribableWebhookEvent[];
  enabled: boolean;
  webhook_version: string;
  /** The signing secret, in full (the platform returns it to the key owner). */
  secret_shared_key: string;
  secret_last4: string;
  previous_secret_expires_at: string | null;
  health_status: 'healthy' | 'failing' | 'unknown';
  summary: WebhookSummary;
  created_at: string;
};

export type WebhookDestinationCreated = Omit<WebhookDestination, 'secret_shared_key'> & {
  /** The full secret: returned only when the destination is created. */
  secret_shared_key: string;
};

/** One delivery attempt of one event to one destination. */
export type WebhookDelivery = {
  event_id: string;
  webhook_type: WebhookEventType;
  session_id: string | null;
  status: string | null;
  destination_id: string;
  url: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  /** What this attempt led to: delivered, retry scheduled, or given up. */
  outcome: 'delivered' | 'retrying' | 'failed';
  created_at: string;
};

/** One entry of GET /v3/session/{id}/webhooks/, as the platform shapes it. */
export type SessionWebhookLogEntry = {
  uuid: string;
  session_id: string | null;
  request_url: string;
  response_status: number | null;
  response_time_ms: number;
  status: 'delivered' | 'failed';
  webhook_type: WebhookEventType;
  created_at: string;
  /** JSON text of the request headers (signatures included). */
  request_header: string;
  /** The exact body text sent. */
  request_body: string;
};

export type WebhookEnvelope = {
  event_id: string;
  webhook_type: WebhookEventType;
  timestamp: number;
  created_at: number;
  application_id: string;
  environment: 'sandbox';
  session_id: string;
  status: SessionStatus;
  workflow_id: string | null;
  workflow_version: number | null;
  vendor_data: string | null;
  metadata: Record<string, unknown> | null;
  decision?: SessionDecision;
  [key: string]: unknown;
};

export type SandboxStatus = {
  dbPath: string;
  publicBaseUrl: string;
  counts: Record<string, number>;
};

/** Delivery tuning; tests shorten the delays. */
export type WebhookDeliveryOptions = {
  /** First retry delay; doubles each attempt (default 1000 ms). */
  baseDelayMs?: number;
  /** Attempts per event and destination before giving up (default 6). */
  maxAttempts?: number;
  /** Connect, headers and body timeout per attempt (default 10000 ms). */
  timeoutMs?: number;
  /** How long a claimed row stays reserved for one process (default 60000 ms). */
  leaseMs?: number;
  /** How often the worker looks for due rows written by any process (default 500 ms). */
  pollMs?: number;
  /** Sends in flight at once to one destination (default 1: each destination gets its
   *  events in order, and a slow one holds only its own lane). */
  perDestinationConcurrency?: number;
};
