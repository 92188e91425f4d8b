// The delivery log, read back: every attempt with the exact request sent (headers and body)
// and the receiver's answer (status and the first 2 KB of its body), grouped by event, or
// one attempt by its id (what the signature doctor replays). Writing happens in delivery.ts.
import { FacematchError } from '../errors.js';
import { iso, type ServiceContext } from './context.js';
import type { AppContext } from './types.js';
import type { WebhookEventType } from '../contract/index.js';
import { attemptIdOf } from './webhooks.js';

export type DeliveryAttemptRecord = {
  /** The attempt's id: pass it to `deliveries.attempt()` (and to the signature doctor). */
  id: number;
  event_id: string;
  webhook_type: WebhookEventType;
  session_id: string | null;
  destination_id: string;
  url: string;
  attempt: number;
  outcome: 'delivered' | 'retrying' | 'failed';
  /** Network error text when no HTTP answer came back. */
  error: string | null;
  duration_ms: number;
  created_at: string;
  /** What was sent: the headers as an object and the exact body text. Null for attempts
   *  recorded before the sandbox kept requests. */
  request: { headers: Record<string, string>; body: string } | null;
  /** What came back: status (null on network errors) and the first 2 KB of the body as text. */
  response: { status: number | null; body: string | null; truncated: boolean };
};

export type DeliveryEventRecord = {
  event_id: string;
  webhook_type: WebhookEventType;
  session_id: string | null;
  /** Session status the event announced. */
  status: string | null;
  /** Per destination: where the event stands now. */
  destinations: Array<{ destination_id: string; url: string; state: 'pending' | 'delivered' | 'failed'; attempts: number }>;
  /** Every attempt for this event, oldest first. */
  attempts: DeliveryAttemptRecord[];
};

export interface DeliveryRecordFilter {
  sessionId?: string;
  eventId?: string;
  /** Most recent events to return (default 50, at most 500). */
  limit?: number;
}

export interface DeliveryRecords {
  /** Events of the application, newest first, each with its attempts oldest first. */
  listByEvent(app: AppContext, filter?: DeliveryRecordFilter): DeliveryEventRecord[];
  /** One attempt by id (number, its decimal text, or the uuid listDeliveries shows); NOT_FOUND outside the application. */
  attempt(app: AppContext, attemptId: number | string): DeliveryAttemptRecord;
  /** The id of the newest attempt recorded by any process on this database (0 when none). */
  latestAttemptId(): number;
  /** The application's attempts after `afterId`, oldest first, at most `limit` (what `listen` prints). */
  attemptsSince(app: AppContext, afterId: number, limit?: number): AttemptFeedRow[];
  /** Where each delivery of a session stands, oldest first (what `trigger` prints). */
  sessionOutbox(app: AppContext, sessionId: string): SessionDeliveryRow[];
}

/** One recorded attempt with its event and destination, including the destination's secret
 *  (the command line re-checks the recorded signature with it). */
export interface AttemptFeedRow {
  id: number;
  attempt: number;
  status_code: number | null;
  error: string | null;
  outcome: string;
  event_id: string;
  webhook_type: string;
  session_id: string | null;
  payload: string;
  destination_id: string;
  url: string;
  label: string;
  secret: string;
  created_at: number;
  request_headers: string | null;
  request_body: string | null;
}

export interface SessionDeliveryRow {
  webhook_type: string;
  /** The session status the event announced. */
  status: string | null;
  url: string;
  label: string;
  state: string;
  attempts: number;
  last_error: string | null;
  /** The newest attempt's HTTP status (null before any answer). */
  status_code: number | null;
}

interface AttemptRow {
  id: number;
  event_id: string;
  webhook_type: WebhookEventType;
  session_id: string | null;
  destination_id: string;
  url: string | null;
  attempt: number;
  outcome: DeliveryAttemptRecord['outcome'];
  error: string | null;
  duration_ms: number;
  created_at: number;
  status_code: number | null;
  request_headers: string | null;
  request_body: string | null;
  response_body: string | null;
  response_truncated: number;
}

const ATTEMPT_SELECT = `
  SELECT a.id, o.event_id, o.webhook_type, o.session_id, o.destination_id, d.url, a.attempt, a.outcome, a.error,
         a.duration_ms, a.created_at, a.status_code, a.request_headers, a.request_body, a.response_body, a.response_truncated
    FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id LEFT JOIN webhook_destinations d ON d.id = o.destination_id`;

function toRecord(r: AttemptRow): DeliveryAttemptRecord {
  return {
    id: r.id,
    event_id: r.event_id,
    webhook_type: r.webhook_type,
    session_id: r.session_id,
    destination_id: r.destination_id,
    url: r.url ?? '',
    attempt: r.attempt,
    outcome: r.outcome,
    error: r.error,
    duration_ms: r.duration_ms,
    created_at: iso(r.created_at),
    request:
      r.request_headers !== null && r.request_body !== null
        ? { headers: JSON.parse(r.request_headers) as Record<string, string>, body: r.request_body }
        : null,
    response: { status: r.status_code, body: r.response_body, truncated: r.response_truncated === 1 },
  };
}

export function createDeliveryRecords(ctx: ServiceContext): DeliveryRecords {
  const { db } = ctx;
  const feedStmt = db.prepare<[number, string, number], AttemptFeedRow>(
    `SELECT a.id, a.attempt, a.status_code, a.error, a.outcome, o.event_id, o.webhook_type, o.session_id, o.payload, o.destination_id, d.url, d.label, d.secret,
            a.created_at, a.request_headers, a.request_body
       FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id JOIN webhook_destinations d ON d.id = o.destination_id
      WHERE a.id > ? AND o.application_id = ? ORDER BY a.id LIMIT ?`,
  );
  const outboxStmt = db.prepare<[string, string], SessionDeliveryRow>(
    `SELECT o.webhook_type, json_extract(o.payload, '$.status') AS status, d.url, d.label, o.state, o.attempts, o.last_error,
            (SELECT a.status_code FROM webhook_attempts a WHERE a.outbox_id = o.id ORDER BY a.id DESC LIMIT 1) AS status_code
       FROM webhook_outbox o JOIN webhook_destinations d ON d.id = o.destination_id WHERE o.session_id = ? AND o.application_id = ? ORDER BY o.id`,
  );
  return {
    listByEvent(app, filter = {}) {
      const limit = Math.min(500, Math.max(1, Math.floor(Number(filter.limit ?? 50)) || 50));
      const where = ['o.application_id = @app'];
      if (typeof filter.sessionId === 'string' && filter.sessionId) where.push('o.session_id = @session');
      if (typeof filter.eventId === 'string' && filter.eventId) where.push('o.event_id = @event');
      const params = { app: app.applicationId, session: filter.sessionId ?? null, event: filter.eventId ?? null, limit };
      const events = db
        .prepare<typeof params, { event_id: string; webhook_type: WebhookEventType; session_id: string | null; payload: string }>(
          `SELECT o.event_id, o.webhook_type, o.session_id, MIN(o.payload) AS payload, MAX(o.id) AS last
             FROM webhook_outbox o WHERE ${where.join(' AND ')} GROUP BY o.event_id ORDER BY last DESC LIMIT @limit`,
        )
        .all(params);
      const destStmt = db.prepare<[string, string], { destination_id: string; url: string | null; state: 'pending' | 'delivered' | 'failed'; attempts: number }>(
        `SELECT o.destination_id, d.url, o.state, o.attempts FROM webhook_outbox o LEFT JOIN webhook_destinations d ON d.id = o.destination_id
          WHERE o.event_id = ? AND o.application_id = ? ORDER BY o.id`,
      );
      const attemptStmt = db.prepare<[string, string], AttemptRow>(`${ATTEMPT_SELECT} WHERE o.event_id = ? AND o.application_id = ? ORDER BY a.id`);
      return events.map((e) => ({
        event_id: e.event_id,
        webhook_type: e.webhook_type,
        session_id: e.session_id,
        status: (JSON.parse(e.payload) as { status?: string }).status ?? null,
        destinations: destStmt.all(e.event_id, app.applicationId).map((d) => ({ ...d, url: d.url ?? '' })),
        attempts: attemptStmt.all(e.event_id, app.applicationId).map(toRecord),
      }));
    },

    attempt(app, attemptId) {
      // The number, its decimal text, or the uuid the delivery list shows for it: one attempt, one id.
      const text = String(attemptId).trim();
      const id = typeof attemptId === 'number' ? attemptId : /^\d{1,15}$/.test(text) ? Number(text) : (attemptIdOf(text) ?? NaN);
      const row = Number.isSafeInteger(id)
        ? db.prepare<[number, string], AttemptRow>(`${ATTEMPT_SELECT} WHERE a.id = ? AND o.application_id = ?`).get(id, app.applicationId)
        : undefined;
      if (!row) throw new FacematchError('NOT_FOUND', `Webhook delivery attempt ${String(attemptId).slice(0, 80)} not found in this application.`);
      return toRecord(row);
    },

    latestAttemptId() {
      return (db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM webhook_attempts').get() as { n: number }).n;
    },

    attemptsSince(app, afterId, limit = 200) {
      return feedStmt.all(afterId, app.applicationId, limit);
    },

    sessionOutbox(app, sessionId) {
      return outboxStmt.all(sessionId, app.applicationId);
    },
  };
}
