// Webhook destinations, the outbox (rows written in the caller's transaction, next to the
// status change they announce) and the delivery log. Sending lives in delivery.ts.
import { z } from 'zod';
import { FacematchError } from '../errors.js';
import { signWebhook } from '../webhooks/index.js';
import { iso, newId, randomToken, validate, type ServiceContext } from './context.js';
import { receiverUrl } from './receiver-url.js';
import { createWebhookConfigStore, type WebhookConfigStored } from './webhook-config.js';
import type { AppContext } from './types.js';
import { PLATFORM_ONLY_WEBHOOK_EVENTS, SUBSCRIBABLE_WEBHOOK_EVENTS, WEBHOOK_EVENTS, type SubscribableWebhookEvent, type WebhookDelivery, type WebhookDestination, type WebhookDestinationCreated, type WebhookEnvelope, type SessionWebhookLogEntry, type WebhookSummary } from '../contract/index.js';

const httpUrl = receiverUrl('url');

const events = z
  .array(
    z
      .string({ error: 'Each event must be a string.' })
      .refine((e): e is SubscribableWebhookEvent => (SUBSCRIBABLE_WEBHOOK_EVENTS as readonly string[]).includes(e), {
        error: (issue) =>
          `Unknown event '${String(issue.input)}'; the sandbox delivers ${WEBHOOK_EVENTS.join(', ')} ` +
          `(it also accepts the platform's ${PLATFORM_ONLY_WEBHOOK_EVENTS.join(', ')}, which it never sends).`,
      }),
    { error: `subscribed_events must be a list of events (${WEBHOOK_EVENTS.join(', ')}).` },
  )
  .min(1, { error: `subscribed_events must not be empty; allowed: ${WEBHOOK_EVENTS.join(', ')}.` });

/** The platform documents no cap; the sandbox keeps one so a tenant's destinations stay a
 *  bounded amount of delivery work (every event fans out to each of them). */
export const MAX_DESTINATIONS_PER_APPLICATION = 20;

const DestinationInput = z.object({
  label: z.string({ error: 'label must be a string.' }).trim().max(200, { error: 'label must be at most 200 characters.' }).optional(),
  url: httpUrl,
  subscribed_events: events,
  enabled: z.boolean({ error: 'enabled must be true or false.' }).optional(),
  webhook_version: z
    .union([z.string(), z.number()], { error: 'webhook_version must be a string such as "v3".' })
    .transform(String)
    .optional(),
});

const DestinationUpdate = z.object({
  label: DestinationInput.shape.label,
  url: httpUrl.optional(),
  subscribed_events: events.optional(),
  enabled: DestinationInput.shape.enabled,
  webhook_version: DestinationInput.shape.webhook_version,
});

interface DestinationRow {
  id: string;
  application_id: string;
  label: string;
  url: string;
  subscribed_events: string;
  enabled: number;
  webhook_version: string;
  secret: string;
  created_at: number;
}

export const redactSecret = (secret: string): string => `${secret.slice(0, 4)}…[redacted]`;

/** Delivery attempts are addressed by a UUID-shaped name of their row id. */
export const attemptUuid = (id: number): string => `00000000-0000-4000-8000-${id.toString(16).padStart(12, '0')}`;
export function attemptIdOf(uuid: string): number | null {
  const m = /^00000000-0000-4000-8000-([0-9a-f]{12})$/i.exec(uuid);
  return m ? parseInt(m[1]!, 16) : null;
}

/** GET /v3/webhook/: the application-level settings and every destination. */
export type WebhookConfig = WebhookConfigStored & { destinations: WebhookDestination[] };

export interface Webhooks {
  /** GET /v3/webhook/ */
  getConfig(app: AppContext): WebhookConfig;
  /** PATCH /v3/webhook/: partial; `rotate_secret_key: true` replaces the application secret. */
  updateConfig(app: AppContext, input: unknown): WebhookConfig;
  createDestination(app: AppContext, input: unknown): WebhookDestinationCreated;
  listDestinations(app: AppContext): WebhookDestination[];
  getDestination(app: AppContext, destinationId: string): WebhookDestination;
  updateDestination(app: AppContext, destinationId: string, input: unknown): WebhookDestination;
  deleteDestination(app: AppContext, destinationId: string): void;
  listDeliveries(app: AppContext, sessionId: string): WebhookDelivery[];
  /** GET /v3/session/{id}/webhooks/: the platform's log shape, newest first. */
  sessionWebhookLog(app: AppContext, sessionId: string): SessionWebhookLogEntry[];
  /** Queues the delivery `uuid` of this session again; returns its outbox row id. */
  requeueDelivery(app: AppContext, sessionId: string, uuid: string): number;
  /** The newest log entry of an outbox row (after a resend). */
  latestAttempt(outboxId: number): SessionWebhookLogEntry | null;
  resend(app: AppContext, ref: { eventId?: string; sessionId?: string }): { event_id: string; queued: number };
}

export interface WebhookInternals {
  /** Queues one event to every enabled destination of the application subscribed to its
   *  type. Call inside the transaction that makes the change. Returns how many rows. */
  enqueue(envelope: WebhookEnvelope): number;
}

export function createWebhooks(ctx: ServiceContext, hooks: { emitCurrent(app: AppContext, sessionId: string): string | null }): Webhooks & WebhookInternals {
  const { db } = ctx;
  const config = createWebhookConfigStore(ctx);

  // Kept by triggers (migration 7): constant cost however many deliveries a destination has.
  const summaryStmt = db.prepare<[string], { pending: number; delivered: number; failed: number; attempts: number; last_attempt_at: number | null; last_status_code: number | null }>(
    'SELECT pending, delivered, failed, attempts, last_attempt_at, last_status_code FROM webhook_destination_stats WHERE destination_id = ?',
  );

  function summary(id: string): WebhookSummary {
    const s = summaryStmt.get(id);
    return {
      pending: s?.pending ?? 0,
      delivered: s?.delivered ?? 0,
      failed: s?.failed ?? 0,
      attempts: s?.attempts ?? 0,
      last_attempt_at: s?.last_attempt_at == null ? null : iso(s.last_attempt_at),
      last_status_code: s?.last_status_code ?? null,
    };
  }

  function toDestination(row: DestinationRow): WebhookDestination {
    const sum = summary(row.id);
    return {
      uuid: row.id,
      label: row.label,
      url: row.url,
      subscribed_events: JSON.parse(row.subscribed_events) as SubscribableWebhookEvent[],
      enabled: row.enabled === 1,
      webhook_version: row.webhook_version,
      // The platform returns the signing secret in full to the API key that owns it.
      secret_shared_key: row.secret,
      secret_last4: row.secret.slice(-4),
      // Set only during a rotation's grace period; the sandbox has no rotation.
      previous_secret_expires_at: null,
      health_status: healthOf(sum),
      summary: sum,
      created_at: iso(row.created_at),
    };
  }

  /** 'healthy' after a 2xx, 'failing' when the last attempt failed, 'unknown' before any attempt. */
  function healthOf(sum: WebhookSummary): WebhookDestination['health_status'] {
    if (sum.last_status_code === null && sum.attempts === 0) return 'unknown';
    return sum.last_status_code !== null && sum.last_status_code >= 200 && sum.last_status_code < 300 ? 'healthy' : 'failing';
  }

  type LogRow = {
    attempt_id: number;
    outbox_id: number;
    session_id: string | null;
    url: string;
    status_code: number | null;
    duration_ms: number;
    outcome: string;
    webhook_type: string;
    payload: string;
    secret: string;
    request_headers: string | null;
    request_body: string | null;
    created_at: number;
  };
  const logSql = `SELECT a.id AS attempt_id, o.id AS outbox_id, o.session_id, d.url, a.status_code, a.duration_ms, a.outcome, o.webhook_type,
                         o.payload, d.secret, a.request_headers, a.request_body, a.created_at
                    FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id JOIN webhook_destinations d ON d.id = o.destination_id`;

  function toLogEntry(r: LogRow): SessionWebhookLogEntry {
    // The recorded request when the attempt stored it; older rows are rebuilt by signing the
    // stored payload as the delivery worker does.
    const signed =
      r.request_headers !== null && r.request_body !== null
        ? { headers: JSON.parse(r.request_headers) as Record<string, string>, body: r.request_body }
        : signWebhook(JSON.parse(r.payload) as unknown, r.secret);
    return {
      uuid: attemptUuid(r.attempt_id),
      session_id: r.session_id,
      request_url: r.url,
      response_status: r.status_code,
      response_time_ms: r.duration_ms,
      status: r.outcome === 'delivered' ? 'delivered' : 'failed',
      webhook_type: r.webhook_type as SessionWebhookLogEntry['webhook_type'],
      created_at: iso(r.created_at),
      request_header: JSON.stringify(signed.headers),
      request_body: signed.body,
    };
  }

  function ownedSession(app: AppContext, sessionId: string): void {
    const owned = typeof sessionId === 'string' && db.prepare('SELECT 1 FROM sessions WHERE id = ? AND application_id = ?').get(sessionId, app.applicationId);
    if (!owned) throw new FacematchError('NOT_FOUND', `Session ${String(sessionId)} not found.`);
  }

  function rowOf(app: AppContext, id: string): DestinationRow {
    const row =
      typeof id === 'string'
        ? db.prepare<[string, string], DestinationRow>('SELECT * FROM webhook_destinations WHERE id = ? AND application_id = ?').get(id, app.applicationId)
        : undefined;
    if (!row) throw new FacematchError('NOT_FOUND', `Webhook destination ${String(id)} not found.`);
    return row;
  }

  const conflict = (url: string) =>
    new FacematchError('CONFLICT', `A webhook destination for ${url} already exists in this application.`, {
      fields: { url: ['A webhook destination with this url already exists.'] },
    });

  const insertOutbox = db.prepare(
    `INSERT OR IGNORE INTO webhook_outbox (event_id, webhook_type, application_id, session_id, destination_id, payload, state, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
  );

  return {
    enqueue(envelope) {
      const dests = db
        .prepare<[string], { id: string; subscribed_events: string }>(
          'SELECT id, subscribed_events FROM webhook_destinations WHERE application_id = ? AND enabled = 1',
        )
        .all(envelope.application_id)
        .filter((d) => (JSON.parse(d.subscribed_events) as string[]).includes(envelope.webhook_type));
      const payload = JSON.stringify(envelope);
      const now = Date.now();
      for (const d of dests) insertOutbox.run(envelope.event_id, envelope.webhook_type, envelope.application_id, envelope.session_id, d.id, payload, now, now);
      if (dests.length) ctx.kickDelivery();
      return dests.length;
    },

    createDestination(app, input) {
      const body = validate(DestinationInput, input, 'webhook destination');
      const id = newId();
      // 32 random bytes -> 43 URL-safe characters.
      const secret = randomToken(32);
      const now = ctx.now();
      db.transaction(() => {
        const dup = db.prepare('SELECT 1 FROM webhook_destinations WHERE application_id = ? AND url = ?').get(app.applicationId, body.url);
        if (dup) throw conflict(body.url);
        const held = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM webhook_destinations WHERE application_id = ?').get(app.applicationId)!.n;
        if (held >= MAX_DESTINATIONS_PER_APPLICATION) {
          throw new FacematchError(
            'VALIDATION',
            `This application already has ${held} webhook destinations, the most one application may have (${MAX_DESTINATIONS_PER_APPLICATION}); delete one it no longer needs, or send several event types to one destination.`,
            { fields: { url: [`At most ${MAX_DESTINATIONS_PER_APPLICATION} destinations per application.`] } },
          );
        }
        db.prepare(
          `INSERT INTO webhook_destinations (id, application_id, label, url, subscribed_events, enabled, webhook_version, secret, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          app.applicationId,
          body.label || new URL(body.url).host,
          body.url,
          JSON.stringify([...new Set(body.subscribed_events)]),
          body.enabled === false ? 0 : 1,
          body.webhook_version ?? 'v3',
          secret,
          now,
        );
        config.followDestinations(app);
      }).immediate();
      return { ...toDestination(rowOf(app, id)), secret_shared_key: secret };
    },

    listDestinations(app) {
      return db
        .prepare<[string], DestinationRow>('SELECT * FROM webhook_destinations WHERE application_id = ? ORDER BY created_at, id')
        .all(app.applicationId)
        .map(toDestination);
    },

    getDestination(app, destinationId) {
      return toDestination(rowOf(app, destinationId));
    },

    updateDestination(app, destinationId, input) {
      const body = validate(DestinationUpdate, input, 'webhook destination update');
      db.transaction(() => {
        const row = rowOf(app, destinationId);
        if (body.url !== undefined && body.url !== row.url) {
          const dup = db.prepare('SELECT 1 FROM webhook_destinations WHERE application_id = ? AND url = ?').get(app.applicationId, body.url);
          if (dup) throw conflict(body.url);
        }
        db.prepare(
          'UPDATE webhook_destinations SET label = ?, url = ?, subscribed_events = ?, enabled = ?, webhook_version = ? WHERE id = ?',
        ).run(
          body.label || row.label,
          body.url ?? row.url,
          body.subscribed_events ? JSON.stringify([...new Set(body.subscribed_events)]) : row.subscribed_events,
          body.enabled === undefined ? row.enabled : body.enabled ? 1 : 0,
          body.webhook_version ?? row.webhook_version,
          row.id,
        );
        config.followDestinations(app);
      }).immediate();
      return toDestination(rowOf(app, destinationId));
    },

    deleteDestination(app, destinationId) {
      db.transaction(() => {
        const row = rowOf(app, destinationId);
        // Its queue and delivery log go with it.
        db.prepare('DELETE FROM webhook_attempts WHERE outbox_id IN (SELECT id FROM webhook_outbox WHERE destination_id = ?)').run(row.id);
        db.prepare('DELETE FROM webhook_outbox WHERE destination_id = ?').run(row.id);
        db.prepare('DELETE FROM webhook_destinations WHERE id = ?').run(row.id);
        config.followDestinations(app);
      }).immediate();
    },

    getConfig(app) {
      return { ...config.read(app), destinations: this.listDestinations(app) };
    },

    updateConfig(app, input) {
      return { ...config.update(app, input), destinations: this.listDestinations(app) };
    },

    sessionWebhookLog(app, sessionId) {
      ownedSession(app, sessionId);
      return db
        .prepare<[string, string], LogRow>(`${logSql} WHERE o.session_id = ? AND o.application_id = ? ORDER BY a.id DESC`)
        .all(sessionId, app.applicationId)
        .map(toLogEntry);
    },

    requeueDelivery(app, sessionId, uuid) {
      ownedSession(app, sessionId);
      const id = typeof uuid === 'string' ? attemptIdOf(uuid) : null;
      const row =
        id === null
          ? undefined
          : db
              .prepare<[number, string, string], { outbox_id: number }>(
                'SELECT o.id AS outbox_id FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id WHERE a.id = ? AND o.session_id = ? AND o.application_id = ?',
              )
              .get(id, sessionId, app.applicationId);
      if (!row) throw new FacematchError('NOT_FOUND', `Webhook delivery ${String(uuid).slice(0, 80)} not found for session ${sessionId}.`);
      db.transaction(() =>
        db
          .prepare(
            `UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, finished_at = NULL WHERE id = ?`,
          )
          .run(Date.now(), row.outbox_id),
      ).immediate();
      ctx.kickDelivery();
      return row.outbox_id;
    },

    latestAttempt(outboxId) {
      const r = db.prepare<[number], LogRow>(`${logSql} WHERE o.id = ? ORDER BY a.id DESC LIMIT 1`).get(outboxId);
      return r ? toLogEntry(r) : null;
    },

    listDeliveries(app, sessionId) {
      const owned = typeof sessionId === 'string' && db.prepare('SELECT 1 FROM sessions WHERE id = ? AND application_id = ?').get(sessionId, app.applicationId);
      if (!owned) throw new FacematchError('NOT_FOUND', `Session ${String(sessionId)} not found.`);
      // The stored row: the payload instead of its status, and the time as epoch ms.
      type Row = Omit<WebhookDelivery, 'status' | 'created_at'> & { payload: string; created_at: number };
      return db
        .prepare<[string, string], Row>(
          `SELECT o.event_id, o.webhook_type, o.session_id, o.payload, o.destination_id, d.url, a.attempt, a.status_code, a.error,
                  a.duration_ms, a.outcome, a.created_at
             FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id JOIN webhook_destinations d ON d.id = o.destination_id
            WHERE o.session_id = ? AND o.application_id = ? ORDER BY a.id`,
        )
        .all(sessionId, app.applicationId)
        .map(({ payload, created_at, ...rest }): WebhookDelivery => ({
          ...rest,
          status: (JSON.parse(payload) as { status?: string }).status ?? null,
          created_at: iso(created_at),
        }));
    },

    resend(app, ref) {
      const eventId = typeof ref?.eventId === 'string' && ref.eventId ? ref.eventId : undefined;
      const sessionId = typeof ref?.sessionId === 'string' && ref.sessionId ? ref.sessionId : undefined;
      if (!eventId && !sessionId) {
        throw new FacematchError('VALIDATION', 'Give event_id (to send that event again) or session_id (to send its current status).', {
          fields: { event_id: ['Give event_id or session_id.'] },
        });
      }
      if (eventId) {
        // The same event again, same event_id and body: receivers that deduplicate will skip it.
        const queued = db
          .transaction(
            () =>
              db
                .prepare(
                  `UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL,
                          finished_at = NULL WHERE event_id = ? AND application_id = ?`,
                )
                .run(Date.now(), eventId, app.applicationId).changes,
          )
          .immediate();
        if (!queued) throw new FacematchError('NOT_FOUND', `Webhook event ${eventId} not found.`);
        ctx.kickDelivery();
        return { event_id: eventId, queued };
      }
      const newEvent = hooks.emitCurrent(app, sessionId!);
      if (!newEvent) throw new FacematchError('NOT_FOUND', `Session ${sessionId} not found.`);
      const queued = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM webhook_outbox WHERE event_id = ?').get(newEvent)!.n;
      return { event_id: newEvent, queued };
    },
  };
}
