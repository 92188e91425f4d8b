// What the MCP tools need from "the platform", typed from the wire contract (../shared/SPEC.md,
// the vendor's docs and MCP server package). Two implementations: `local` (the sandbox
// services in this process) and `hosted` (HTTP to the platform's real /v3 paths). A tool
// calls this interface once and never knows which one it got.
import type { AlignedFaces } from '../services/types.js';
import type { FaceMatchBody, ProvisionResult, ReviewStatus, SearchType, SessionCreated, SessionDecision, SessionSummary, SimulateOutcome, WebhookDestination, WebhookDestinationCreated, Workflow, RevokedKey, FaceSearchResult } from '../contract/index.js';
import type { DeliveryAttemptRecord } from '../services/delivery-records.js';

export type PlatformKind = 'local' | 'hosted';

/** The application a call acts for, said in every tool result. */
export interface ActingFor {
  application_id: string | null;
  name: string | null;
  /** How it was chosen: "FACEMATCH_APP", "use_application", "latest provisioned", "FACEMATCH_API_KEY". */
  chosen_by: string;
}

/** One page of a list; `next_offset` is null on the last page. */
export interface Page<T> {
  count: number;
  next_offset: number | null;
  results: T[];
}

export interface PageQuery {
  limit: number;
  offset: number;
}

/** GET /v3/sessions/ filters (status: one status or a comma-separated list). */
export interface SessionListQuery extends PageQuery {
  status?: string;
  vendor_data?: string;
  workflow_id?: string;
}

export interface WorkflowFeatureInput {
  feature: string;
  config?: Record<string, unknown>;
}

/** POST /v3/workflows/ body. */
export interface WorkflowInput {
  workflow_label?: string;
  features: WorkflowFeatureInput[];
  is_default?: boolean;
  session_expiration_time?: number;
}

/** POST /v3/session/ body; portrait_image is base64. */
export interface SessionInput {
  workflow_id: string;
  vendor_data?: string;
  callback?: string;
  metadata?: Record<string, unknown>;
  language?: string;
  contact_details?: Record<string, unknown>;
  expected_details?: Record<string, unknown>;
  portrait_image?: string;
}

export interface ReviewInput {
  new_status: ReviewStatus;
  comment?: string;
}

/** The platform answers update-status with the session id; the status is read back after. */
export interface ReviewResult {
  session_id: string;
  status: string;
}

export interface DestinationInput {
  url: string;
  label: string;
  subscribed_events: string[];
  enabled: boolean;
  webhook_version?: string;
}

export type DestinationPatch = Partial<DestinationInput>;

/**
 * One entry of GET /v3/session/{id}/webhooks/ (one attempt to one destination), as the platform
 * shapes it, plus `event_id` read from the recorded body so an agent can resend by event.
 */
export interface DeliveryEntry {
  uuid: string;
  event_id: string | null;
  session_id: string | null;
  webhook_type: string;
  request_url: string;
  response_status: number | null;
  /** delivered | failed */
  status: string;
  created_at: string;
  /** JSON text of the headers sent (signatures included). */
  request_header: string;
  /** The exact body text sent. */
  request_body: string;
  [field: string]: unknown;
}

export interface ResendInput {
  session_id: string;
  /** Re-send this event (newest delivery of it); default: the session's newest delivery. */
  event_id?: string;
}

export interface ResendResult {
  event_id: string;
  /** Destinations the event was queued or sent to. */
  queued: number;
}

export interface FaceMatchInput {
  userImage: Buffer;
  refImage: Buffer;
  declineThreshold: number;
  rotateImage: boolean;
}

export interface FaceMatchOutcome {
  request_id: string;
  face_match: FaceMatchBody;
  created_at: string;
  /** Local engine extras (raw cosine, advisory liveness, timings); null when hosted. */
  engine: { similarity: number | null; liveness_user_image: number | null; timing_ms: Record<string, number> } | null;
  /** Aligned face crops when the engine ran here; null when hosted (crop from the boxes instead). */
  alignedFaces: AlignedFaces | null;
}

export interface PlatformStatus {
  kind: PlatformKind;
  /** The hosted base URL, or the HTTP twin's when this process serves one. */
  base_url: string | null;
  acting_for: ActingFor;
  /** Local only: the database and its row counts. */
  db_path: string | null;
  capture_base_url: string | null;
  /** Local only: the address a `serve` on this sandbox that still runs recorded, else null. */
  live_serve_url: string | null;
  /** Local only: the last `serve` on this sandbox known to have stopped, else null. */
  last_serve: { url: string; stopped_at: number } | null;
  counts: Record<string, number> | null;
}

export interface Platform {
  readonly kind: PlatformKind;
  /** One line for summaries: "local sandbox (/path/sandbox.db)" or "hosted platform https://...". */
  readonly label: string;
  actingFor(): ActingFor;
  /** Whether a call so far acted for an application (a local face_match does not). */
  actedForApplication(): boolean;
  status(): Promise<PlatformStatus>;

  createWorkflow(input: WorkflowInput): Promise<Workflow>;
  listWorkflows(query: PageQuery): Promise<Page<Workflow>>;

  createSession(input: SessionInput): Promise<SessionCreated>;
  listSessions(query: SessionListQuery): Promise<Page<SessionSummary>>;
  getDecision(sessionId: string): Promise<SessionDecision>;
  reviewSession(sessionId: string, input: ReviewInput): Promise<ReviewResult>;
  deleteSession(sessionId: string): Promise<void>;

  createDestination(input: DestinationInput): Promise<WebhookDestinationCreated>;
  /** Every destination of the application (the hosted client follows `next` links). */
  listDestinations(): Promise<WebhookDestination[]>;
  getDestination(uuid: string): Promise<WebhookDestination>;
  updateDestination(uuid: string, patch: DestinationPatch): Promise<WebhookDestination>;
  deleteDestination(uuid: string): Promise<void>;

  /** The session's delivery log, newest first; waits up to waitMs for queued deliveries. */
  listDeliveries(sessionId: string, opts: { waitMs: number }): Promise<DeliveryEntry[]>;
  resendWebhook(input: ResendInput): Promise<ResendResult>;

  /** Standalone 1:1 compare (POST /v3/face-match/); the hosted platform records it as a session. */
  faceMatch(input: FaceMatchInput): Promise<FaceMatchOutcome>;
  /** 1:N search of the application's kept faces and face lists (POST /v3/face-search/). */
  faceSearch(input: FaceSearchInput): Promise<FaceSearchResult>;
}

export interface FaceSearchInput {
  userImage: Buffer;
  searchType: SearchType;
  rotateImage: boolean;
  vendorData?: string;
}

/** What only the local sandbox can do; tools using it are `sandboxOnly`. */
export interface SandboxControls {
  /** An existing account's email needs its password for a new key. */
  provision(email: string, password?: string): ProvisionResult;
  /** Applications in the sandbox, newest provisioned first. */
  applications(): Array<{ application_id: string; name: string; organization_id: string }>;
  /** Makes this application the one tools act for (this MCP connection). */
  useApplication(idOrName: string): ActingFor;
  submitImages(sessionId: string, images: { selfie: Buffer; reference?: Buffer }): Promise<SessionDecision>;
  simulate(sessionId: string, outcome: SimulateOutcome): Promise<SessionDecision>;
  /** Revokes one API key (given in full) of the acting application. */
  revokeKey(apiKey: string): RevokedKey;
  /** One recorded delivery attempt and its destination's current secret (null when deleted), for the signature doctor. */
  deliveryAttempt(attemptId: number | string): { record: DeliveryAttemptRecord; secret: string | null };
  /** Ids of the acting application's most recent delivery attempts, newest first (prompt-argument completion). */
  recentDeliveryIds(limit: number): string[];
}
