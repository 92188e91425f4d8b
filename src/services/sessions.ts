// Verification sessions, their life cycle: creation (idempotent on vendor_data), status
// transitions, lazy expiry, listing and look-up by token. Each other idea has its module and is
// wired in here: the decision view, webhook emission, capture, forced outcomes, review,
// deletion and the PDF report (session-*.ts).
import { parseCallbackUrl } from './callback-url.js';
import { z } from 'zod';
import { decodeBase64 } from '../base64.js';
import { FacematchError } from '../errors.js';
import { fieldError, jsonShapeProblem, newId, parseJsonColumn, randomToken, sniffImageType, validate, type ServiceContext } from './context.js';
import type { FaceStore } from './face-store.js';
import type { FaceSearch } from './face-search.js';
import type { Media, MediaInternals } from './media.js';
import { createDecisionView, type SessionRow, type StoredFaceMatch, type StoredLiveness } from './session-decision.js';
import { createSessionCapture, OPEN_STATUSES } from './session-capture.js';
import { createSessionDeletion, type SessionDeletion } from './session-deletion.js';
import { createSessionSimulation } from './session-simulate.js';
import { createSessionEvents } from './session-events.js';
import { createSessionReport, type SessionReport } from './session-report.js';
import { createSessionReview, type SessionReviewing } from './session-review.js';
import type { AppContext, SessionByToken } from './types.js';
import { SESSION_STATUSES, type SessionCreated, type SessionDecision, type SessionStatus, type SessionSummary, type SimulateOutcome, type WebhookEventType } from '../contract/index.js';
import type { WebhookInternals } from './webhooks.js';
import type { WorkflowInternals, Workflows } from './workflows.js';

export { NODE_ID, type SessionRow, type StoredFaceMatch } from './session-decision.js';

const PORTRAIT_MAX_BYTES = 1024 * 1024;

const jsonObject = (field: string) =>
  z.union([z.record(z.string(), z.unknown()), z.string()], { error: `${field} must be a JSON object.` }).transform((v, c) => {
    let obj: Record<string, unknown> | null = typeof v === 'string' ? null : v;
    if (typeof v === 'string') {
      try {
        const parsed: unknown = JSON.parse(v);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) obj = parsed as Record<string, unknown>;
      } catch {
        /* reported below */
      }
    }
    const problem = obj ? jsonShapeProblem(obj, field) : `${field} must be a JSON object (or a string holding one).`;
    if (problem === null && obj) return obj;
    c.addIssue({ code: 'custom', message: problem ?? `${field} must be a JSON object.` });
    return z.NEVER;
  });

const CreateInput = z.object({
  workflow_id: z.string({
    error: (issue) =>
      issue.input === undefined
        ? 'workflow_id is required: the uuid of one of your workflows.'
        : 'workflow_id must be a string: the uuid of one of your workflows.',
  }).trim().min(1, { error: 'workflow_id is required.' }),
  vendor_data: z.string({ error: 'vendor_data must be a string.' }).max(1000, { error: 'vendor_data must be at most 1000 characters.' }).nullish(),
  callback: z
    .string({ error: 'callback must be a URL string.' })
    .max(2048, { error: 'callback must be at most 2048 characters.' })
    .refine((u) => parseCallbackUrl(u) !== null, {
      error: 'callback must be an absolute http:// or https:// URL, or an app deep link such as myapp://callback (javascript:, data: and file: are refused).',
    })
    .nullish(),
  callback_method: z.enum(['initiator', 'completer', 'both'], { error: 'callback_method must be initiator, completer or both.' }).nullish(),
  metadata: jsonObject('metadata').nullish(),
  language: z.string({ error: 'language must be a language code string such as "en".' }).max(20).nullish(),
  contact_details: jsonObject('contact_details').nullish(),
  expected_details: jsonObject('expected_details').nullish(),
  portrait_image: z.string({ error: 'portrait_image must be a base64-encoded image string.' }).nullish(),
});

const isoDate = (field: string) =>
  z
    .string({ error: `${field} must be an ISO date such as 2026-01-31.` })
    .refine((v) => !Number.isNaN(Date.parse(v)), { error: `${field} must be an ISO date such as 2026-01-31.` })
    .optional();

const ListQuery = z.object({
  limit: z.coerce.number({ error: 'limit must be an integer from 1 to 1000.' }).int().min(1).max(1000).optional(),
  offset: z.coerce.number({ error: 'offset must be a non-negative integer.' }).int().min(0).optional(),
  // The platform takes one status or a comma-separated list of them.
  status: z
    .string()
    .refine((s) => s.split(',').every((x) => (SESSION_STATUSES as readonly string[]).includes(x.trim())), {
      error: `status must be one or more (comma-separated) of: ${SESSION_STATUSES.join(', ')}.`,
    })
    .optional(),
  vendor_data: z.string({ error: 'vendor_data must be a string.' }).optional(),
  workflow_id: z.string({ error: 'workflow_id must be a string.' }).optional(),
  search: z.string({ error: 'search must be a string.' }).max(200).optional(),
  session_kind: z.enum(['user', 'business', 'all'], { error: 'session_kind must be user, business or all.' }).optional(),
  date_from: isoDate('date_from'),
  date_to: isoDate('date_to'),
});

export type SessionListQuery = { [K in keyof z.input<typeof ListQuery>]?: string | number };

/** Decodes portrait_image (plain base64 or a data: URL) and checks size and type. */
function decodePortrait(text: string): Buffer {
  const decoded = decodeBase64(text, PORTRAIT_MAX_BYTES);
  if (!decoded.ok) {
    const message = {
      invalid: 'portrait_image must be base64-encoded image bytes.',
      empty: 'portrait_image is empty.',
      too_large: 'portrait_image must be at most 1 MB.',
    }[decoded.problem];
    throw fieldError('portrait_image', message);
  }
  if (!sniffImageType(decoded.bytes)) throw fieldError('portrait_image', 'portrait_image must be a JPEG, PNG, WebP or TIFF image.');
  return decoded.bytes;
}

export interface Sessions extends SessionReviewing, SessionDeletion, SessionReport {
  create(app: AppContext, input: unknown): SessionCreated;
  list(app: AppContext, query?: SessionListQuery): { count: number; results: SessionSummary[] };
  decision(app: AppContext, sessionId: string): SessionDecision;
  submitImages(sessionRef: { app: AppContext; sessionId: string } | { sessionToken: string }, images: { selfie: Buffer; reference?: Buffer }): Promise<SessionDecision>;
  simulate(app: AppContext, sessionId: string, outcome: SimulateOutcome): SessionDecision;
  byToken(sessionToken: string): SessionByToken;
  /** Starts a session from a public workflow link (`workflow_url`), as the hosted link does. */
  createFromWorkflowLink(code: string): SessionCreated;
}

export interface SessionInternals {
  /** Builds the SPEC decision for a row (media URLs signed now). */
  toDecision(row: SessionRow): SessionDecision;
  /** Queues webhook events for the row's current state; call inside the writing transaction. */
  emit(row: SessionRow, types: WebhookEventType[]): string | null;
  /** Marks due open sessions Expired (and queues their webhooks). */
  expireDue(): number;
  nextSessionNumber(applicationId: string): number;
  rowById(sessionId: string): SessionRow | undefined;
}

export function createSessions(
  ctx: ServiceContext,
  deps: { workflows: Workflows & WorkflowInternals; media: Media & MediaInternals; webhooks: WebhookInternals; faces: FaceStore; faceSearch: FaceSearch },
): Sessions & SessionInternals {
  const { db } = ctx;
  const { workflows, media, webhooks } = deps;
  const view = createDecisionView(ctx, { workflows, media });
  const { rowById, sessionUrl, maxAttemptsOf, toDecision } = view;
  const { emit } = createSessionEvents(ctx, { webhooks, view });

  /** Sets a new status (and optionally face matches / attempts) and queues the webhooks. */
  function transition(
    id: string,
    status: SessionStatus,
    changes: { faceMatches?: StoredFaceMatch[]; liveness?: StoredLiveness[]; attempts?: number; quiet?: boolean } = {},
  ): SessionRow {
    const now = ctx.now();
    db.prepare(
      `UPDATE sessions SET status = ?, updated_at = ?, face_matches = COALESCE(?, face_matches),
              liveness_checks = COALESCE(?, liveness_checks), attempts = COALESCE(?, attempts) WHERE id = ?`,
    ).run(
      status,
      now,
      changes.faceMatches ? JSON.stringify(changes.faceMatches) : null,
      changes.liveness ? JSON.stringify(changes.liveness) : null,
      changes.attempts ?? null,
      id,
    );
    const row = rowById(id)!;
    if (!changes.quiet) emit(row, ['status.updated']);
    return row;
  }

  function expireDue(): number {
    const now = ctx.now();
    const due = db
      .prepare<[number], { id: string }>(
        `SELECT id FROM sessions WHERE status IN ('Not Started', 'In Progress', 'Awaiting User') AND expires_at IS NOT NULL AND expires_at <= ? LIMIT 500`,
      )
      .all(now);
    if (due.length === 0) return 0;
    return db
      .transaction(() => {
        let n = 0;
        for (const { id } of due) {
          const row = rowById(id);
          // Re-checked inside the transaction: another process may have moved it on.
          if (!row || !OPEN_STATUSES.includes(row.status) || row.expires_at === null || row.expires_at > now) continue;
          transition(id, 'Expired');
          n++;
        }
        return n;
      })
      .immediate();
  }

  function nextSessionNumber(applicationId: string): number {
    return (
      db.prepare<[string], { n: number | null }>('SELECT MAX(session_number) AS n FROM sessions WHERE application_id = ?').get(applicationId)!.n ?? 0
    ) + 1;
  }

  function owned(app: AppContext, sessionId: string): SessionRow {
    expireDue();
    const row = typeof sessionId === 'string' ? rowById(sessionId) : undefined;
    if (!row || row.application_id !== app.applicationId) throw new FacematchError('NOT_FOUND', `Session ${String(sessionId)} not found.`);
    return row;
  }

  function created(row: SessionRow): SessionCreated {
    return {
      session_id: row.id,
      session_number: row.session_number,
      session_token: row.session_token!,
      url: sessionUrl(row)!,
      vendor_data: row.vendor_data,
      metadata: parseJsonColumn(row.metadata),
      status: row.status,
      workflow_id: row.workflow_id!,
      workflow_version: row.workflow_version!,
      callback: row.callback,
    };
  }

  function createSession(app: AppContext, input: unknown): SessionCreated {
    const body = validate(CreateInput, input, 'session');
    const portrait = body.portrait_image ? decodePortrait(body.portrait_image) : null;
    expireDue();
    const now = ctx.now();
    return db
      .transaction((): SessionCreated => {
        let wf;
        try {
          wf = workflows.current(app, body.workflow_id);
        } catch {
          throw fieldError('workflow_id', `Workflow ${body.workflow_id} not found in this application.`);
        }
        const metadataText = body.metadata === undefined ? undefined : body.metadata === null ? null : JSON.stringify(body.metadata);
        if (body.vendor_data) {
          const existing = db
            .prepare<[string, string, number, string, number], SessionRow>(
              `SELECT * FROM sessions WHERE application_id = ? AND kind = 'session' AND workflow_id = ? AND workflow_version = ? AND vendor_data = ?
                  AND status IN ('Not Started', 'In Progress', 'Awaiting User') AND (expires_at IS NULL OR expires_at > ?)
                ORDER BY created_at DESC LIMIT 1`,
            )
            .get(app.applicationId, wf.row.id, wf.row.version, body.vendor_data, now);
          if (existing) {
            // Same user, same workflow version, still unfinished: hand back the same session.
            const portraitId = portrait ? media.put(app.applicationId, existing.id, 'portrait', portrait) : null;
            db.prepare(
              `UPDATE sessions SET callback = COALESCE(?, callback), callback_method = COALESCE(?, callback_method),
                      metadata = CASE WHEN ? THEN ? ELSE metadata END, portrait_media_id = COALESCE(?, portrait_media_id),
                      updated_at = ? WHERE id = ?`,
            ).run(
              body.callback ?? null,
              body.callback_method ?? null,
              metadataText !== undefined ? 1 : 0,
              metadataText ?? null,
              portraitId,
              now,
              existing.id,
            );
            // No webhook: the platform sends data.updated only for reviewer edits of extracted data.
            return created(rowById(existing.id)!);
          }
        }
        const id = newId();
        const portraitId = portrait ? media.put(app.applicationId, id, 'portrait', portrait) : null;
        db.prepare(
          `INSERT INTO sessions (id, application_id, kind, session_number, session_token, workflow_id, workflow_version, status,
                                 vendor_data, metadata, callback, callback_method, language, contact_details, expected_details,
                                 portrait_media_id, expires_at, created_at, updated_at)
           VALUES (?, ?, 'session', ?, ?, ?, ?, 'Not Started', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          app.applicationId,
          nextSessionNumber(app.applicationId),
          randomToken(18),
          wf.row.id,
          wf.row.version,
          body.vendor_data ?? null,
          metadataText ?? null,
          body.callback ?? null,
          body.callback_method ?? null,
          body.language ?? null,
          body.contact_details ? JSON.stringify(body.contact_details) : null,
          body.expected_details ? JSON.stringify(body.expected_details) : null,
          portraitId,
          now + wf.def.session_expiration_time * 60_000,
          now,
          now,
        );
        const row = rowById(id)!;
        emit(row, ['status.updated']);
        return created(row);
      })
      .immediate();
  }

  const shared = { ctx, view, emit, transition, owned, expireDue };
  const capture = createSessionCapture(shared, { media, faces: deps.faces, faceSearch: deps.faceSearch });
  const simulation = createSessionSimulation(shared);
  const review = createSessionReview(shared);
  const deletion = createSessionDeletion(shared);
  const report = createSessionReport(shared);

  return {
    toDecision,
    emit,
    expireDue,
    nextSessionNumber,
    rowById,
    ...review,
    ...deletion,
    ...report,

    create: createSession,

    createFromWorkflowLink(code) {
      const found = workflows.byLinkCode(code);
      if (!found) throw new FacematchError('NOT_FOUND', 'This verification link does not exist.');
      return createSession(found.app, { workflow_id: found.workflow.workflow_id });
    },

    list(app, query = {}) {
      const q = validate(ListQuery, query ?? {}, 'session list query');
      expireDue();
      // Verification sessions only: standalone API requests (save_api_request) have their own request_id.
      const where = ["application_id = @app", "kind = 'session'"];
      const params: Record<string, string | number> = { app: app.applicationId, limit: q.limit ?? 20, offset: q.offset ?? 0 };
      if (q.status) {
        const statuses = [...new Set(q.status.split(',').map((x) => x.trim()))];
        where.push(`status IN (${statuses.map((_, i) => `@s${i}`).join(', ')})`);
        statuses.forEach((v, i) => (params[`s${i}`] = v));
      }
      if (q.vendor_data !== undefined) {
        where.push('vendor_data = @vendor');
        params.vendor = q.vendor_data;
      }
      if (q.workflow_id !== undefined) {
        where.push('workflow_id = @workflow');
        params.workflow = q.workflow_id;
      }
      if (q.session_kind === 'business') where.push('0'); // the sandbox has no KYB sessions
      if (q.date_from) {
        where.push('created_at >= @from');
        params.from = Date.parse(q.date_from);
      }
      if (q.date_to) {
        // A bare date means the whole day.
        where.push('created_at < @to');
        params.to = Date.parse(q.date_to) + (/^\d{4}-\d{2}-\d{2}$/.test(q.date_to) ? 86_400_000 : 1);
      }
      if (q.search) {
        where.push("(vendor_data LIKE @search ESCAPE '\\' OR id LIKE @search ESCAPE '\\' OR CAST(session_number AS TEXT) = @exact)");
        params.search = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        params.exact = q.search;
      }
      const clause = where.join(' AND ');
      const count = db.prepare<Record<string, string | number>, { n: number }>(`SELECT COUNT(*) AS n FROM sessions WHERE ${clause}`).get(params)!.n;
      const rows = db
        .prepare<Record<string, string | number>, SessionRow>(`SELECT * FROM sessions WHERE ${clause} ORDER BY session_number DESC LIMIT @limit OFFSET @offset`)
        .all(params);
      return { count, results: rows.map(view.toSummary) };
    },

    decision(app, sessionId) {
      return toDecision(owned(app, sessionId));
    },

    byToken(sessionToken) {
      expireDue();
      const row =
        typeof sessionToken === 'string' && sessionToken
          ? db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE session_token = ? AND kind = 'session'").get(sessionToken)
          : undefined;
      if (!row) throw new FacematchError('NOT_FOUND', 'This verification session does not exist.');
      return {
        sessionId: row.id,
        status: row.status,
        callback: row.callback,
        workflow: workflows.toWorkflowById(row.workflow_id!),
        needsReference: row.portrait_media_id === null,
        attemptsUsed: row.attempts,
        attemptsAllowed: maxAttemptsOf(row),
        acceptsImages: capture.refusal(row) === null,
      };
    },

    submitImages: capture.submitImages,
    simulate: simulation.simulate,
  };
}
