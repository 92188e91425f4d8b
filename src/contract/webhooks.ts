// Webhooks: the event names, the destinations (/v3/webhook/destinations/), the delivery log and
// the envelope a receiver gets.
import type { SessionDecision, SessionStatus } from './sessions.js';

/** The session events the sandbox delivers. */
export const WEBHOOK_EVENTS = ['status.updated', 'data.updated'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/**
 * Event names the hosted platform accepts for its user, business and transaction entities
 * (SPEC: "others exist on the platform"). A destination may subscribe to them, so integration
 * code that does runs unchanged here, but the sandbox has no such entities and never sends them.
 */
export const PLATFORM_ONLY_WEBHOOK_EVENTS = [
  'user.status.updated',
  'user.data.updated',
  'business.status.updated',
  'business.data.updated',
  'transaction.created',
  'transaction.status.updated',
] as const;
export type PlatformOnlyWebhookEvent = (typeof PLATFORM_ONLY_WEBHOOK_EVENTS)[number];

export const SUBSCRIBABLE_WEBHOOK_EVENTS = [...WEBHOOK_EVENTS, ...PLATFORM_ONLY_WEBHOOK_EVENTS] as const;
export type SubscribableWebhookEvent = (typeof SUBSCRIBABLE_WEBHOOK_EVENTS)[number];

/** Session statuses whose webhooks carry the decision. */
export const DECISION_STATUSES: readonly SessionStatus[] = ['Approved', 'Declined', 'In Review', 'Abandoned'];

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
