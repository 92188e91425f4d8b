// Verification sessions, their life cycle: creation (idempotent on vendor_data), the capture
// step that runs the face engine with the workflow's thresholds, forced outcomes, lazy expiry,
// and listing. The decision view, webhook emission, review, deletion and the PDF report live in
// their own session-*.ts modules; this one wires them together.
import { z } from 'zod';
import { decideWorkflow, lowSimilarityWarning } from '../engine/decision.js';
import type { FaceMatchWarning } from '../engine/types.js';
import { decodeBase64 } from '../base64.js';
import { FacematchError } from '../errors.js';
import { fieldError, jsonShapeProblem, newId, parseJsonColumn, randomToken, sniffImageType, validate, type ServiceContext } from './context.js';
import { maxAttemptsExceeded, noReference, outcomeOf, withAttributes } from './face-match-outcome.js';
import type { Media, MediaInternals } from './media.js';
import { createDecisionView, LIVENESS_NODE_ID, NODE_ID, type SessionRow, type StoredFaceMatch, type StoredLiveness } from './session-decision.js';
import { createSessionDeletion, type SessionDeletion } from './session-deletion.js';
import { createSessionEvents } from './session-events.js';
import { createSessionReport, type SessionReport } from './session-report.js';
import { createSessionReview, type SessionReviewing } from './session-review.js';
import {
  SESSION_STATUSES,
  SIMULATE_OUTCOMES,
  type AppContext,
  type FaceMatchItemStatus,
  type SessionByToken,
  type SessionCreated,
  type SessionDecision,
  type SessionStatus,
  type SessionSummary,
  type SimulateOutcome,
  type WebhookEventType,
} from './types.js';
import type { WebhookInternals } from './webhooks.js';
import { FACE_MATCH_DEFAULTS, faceMatchConfig, type WorkflowInternals, type Workflows } from './workflows.js';

export { NODE_ID, type SessionRow, type StoredFaceMatch } from './session-decision.js';

const PORTRAIT_MAX_BYTES = 1024 * 1024;
/** Statuses in which the session still waits for the user (these can expire). */
const OPEN_STATUSES: readonly SessionStatus[] = ['Not Started', 'In Progress', 'Awaiting User'];

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
    .refine(
      (u) => {
        try {
          const p = new URL(u);
          return p.protocol === 'http:' || p.protocol === 'https:';
        } catch {
          return false;
        }
      },
      { error: 'callback must be an absolute http:// or https:// URL.' },
    )
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
  deps: { workflows: Workflows & WorkflowInternals; media: Media & MediaInternals; webhooks: WebhookInternals },
): Sessions & SessionInternals {
  const { db } = ctx;
  const { workflows, media, webhooks } = deps;
  const view = createDecisionView(ctx, { workflows, media });
  const { rowById, sessionUrl, definitionOf, maxAttemptsOf, toDecision } = view;
  const { emit } = createSessionEvents(ctx, { webhooks, view });

  /** Sets a new status (and optionally face matches / attempts) and queues the webhooks. */
  function transition(
    id: string,
    status: SessionStatus,
    changes: { faceMatches?: StoredFaceMatch[]; liveness?: StoredLiveness[]; attempts?: number } = {},
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
    emit(row, ['status.updated']);
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

  /**
   * The decision's liveness item for a LIVENESS step. The score is the liveness model's p(live)
   * x 100; it is reported, never acted on (the model is unmeasured on presentation attacks), so
   * the item is Approved whenever a face was found in the selfie.
   */
  async function livenessItem(selfie: Buffer, user: import('../engine/types.js').ImageReport, pLive: number | null): Promise<StoredLiveness> {
    const withAge = await withAttributes(selfie, user);
    const largest = [...withAge.entities].sort((a, b) => (b.bbox[2] - b.bbox[0]) * (b.bbox[3] - b.bbox[1]) - (a.bbox[2] - a.bbox[0]) * (a.bbox[3] - a.bbox[1]))[0] as
      | (typeof withAge.entities)[number] & { age?: number }
      | undefined;
    const found = withAge.entities.length > 0;
    return {
      node_id: LIVENESS_NODE_ID,
      status: found ? 'Approved' : 'Declined',
      method: 'PASSIVE',
      score: pLive === null ? null : Math.round(pLive * 10000) / 100,
      reference_media_id: null,
      video_url: null,
      age_estimation: largest?.age ?? null,
      face_quality: null,
      face_luminance: null,
      warnings: found
        ? []
        : [
            {
              feature: 'LIVENESS',
              risk: 'NO_FACE_DETECTED',
              additional_data: null,
              log_type: 'error',
              short_description: 'No face detected',
              long_description: 'No face could be found in the selfie for the liveness check.',
              node_id: LIVENESS_NODE_ID,
            },
          ],
    };
  }

  /** Why a session cannot take images now, or null when it can. */
  function refusal(row: SessionRow): string | null {
    if (row.kind !== 'session') return 'This is a standalone face match request, not a capture session.';
    if (row.attempts >= maxAttemptsOf(row)) {
      return `FACE_MATCH_MAX_ATTEMPTS_EXCEEDED: all ${maxAttemptsOf(row)} face match attempts of this session are used; create a new session.`;
    }
    if (row.status === 'Declined' || OPEN_STATUSES.includes(row.status) || row.status === 'Resubmitted') return null;
    return `Session is ${row.status}; it no longer accepts images.`;
  }

  const shared = { ctx, view, emit, transition, owned, expireDue };
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
      const where = ['application_id = @app'];
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
        acceptsImages: refusal(row) === null,
      };
    },

    async submitImages(sessionRef, images) {
      expireDue();
      let row: SessionRow | undefined;
      if ('sessionToken' in sessionRef) {
        row =
          typeof sessionRef.sessionToken === 'string' && sessionRef.sessionToken
            ? db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE session_token = ? AND kind = 'session'").get(sessionRef.sessionToken)
            : undefined;
        if (!row) throw new FacematchError('NOT_FOUND', 'This verification session does not exist.');
      } else {
        row = owned(sessionRef.app, sessionRef.sessionId);
      }
      const def = definitionOf(row);
      const cfg = def ? faceMatchConfig(def) : null;
      if (!cfg) throw new FacematchError('CONFLICT', 'This workflow has no FACE_MATCH step; use simulate to set an outcome.');
      const refused = refusal(row);
      if (refused) throw new FacematchError('CONFLICT', refused);
      if (!Buffer.isBuffer(images?.selfie) || images.selfie.length === 0) {
        throw new FacematchError('IMAGE_EMPTY', 'The selfie image is empty.', { fields: { selfie: ['The selfie image is empty.'] } });
      }
      if (images.reference !== undefined && (!Buffer.isBuffer(images.reference) || images.reference.length === 0)) {
        throw new FacematchError('IMAGE_EMPTY', 'The reference image is empty.', { fields: { reference: ['The reference image is empty.'] } });
      }
      const sessionId = row.id;

      if (row.status !== 'In Progress') {
        db.transaction(() => {
          const fresh = rowById(sessionId)!;
          if (refusal(fresh)) throw new FacematchError('CONFLICT', refusal(fresh)!);
          transition(sessionId, 'In Progress');
        }).immediate();
      }

      const portrait = row.portrait_media_id
        ? db.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM media WHERE id = ?').get(row.portrait_media_id)?.bytes
        : undefined;
      const reference = images.reference ?? portrait;
      const wantsLiveness = def!.features.some((f) => f.feature === 'LIVENESS');
      let outcome: { status: FaceMatchItemStatus; score: number | null; warnings: FaceMatchWarning[] };
      let liveness: StoredLiveness | null = null;
      if (!reference) {
        // Always enforced: no reference image, no match.
        outcome = { status: 'Declined', score: null, warnings: [noReference(NODE_ID)] };
      } else {
        const engine = await ctx.engine();
        const report = await engine.match(images.selfie, reference, {
          mode: 'workflow',
          declineThreshold: cfg.face_match_score_decline_threshold,
          reviewThreshold: cfg.face_match_score_review_threshold,
          rotateImage: true,
          nodeId: NODE_ID,
        });
        outcome = outcomeOf(report, { nodeId: NODE_ID, notComputed: cfg.face_match_not_computed_action });
        if (wantsLiveness) liveness = await livenessItem(images.selfie, report.user_image, report.liveness?.user_image ?? null);
      }

      return db
        .transaction((): SessionDecision => {
          const fresh = rowById(sessionId)!;
          const again = refusal(fresh);
          if (again) throw new FacematchError('CONFLICT', again);
          const attempts = fresh.attempts + 1;
          const max = maxAttemptsOf(fresh);
          const itemWarnings = [...outcome.warnings];
          if (outcome.status === 'Declined' && attempts >= max) itemWarnings.push(maxAttemptsExceeded(attempts, max, NODE_ID));
          const selfieId = media.put(fresh.application_id, sessionId, 'selfie', images.selfie);
          const targetId = images.reference ? media.put(fresh.application_id, sessionId, 'reference', images.reference) : fresh.portrait_media_id;
          const item: StoredFaceMatch = {
            node_id: NODE_ID,
            status: outcome.status,
            score: outcome.score,
            source_media_id: selfieId,
            target_media_id: reference ? targetId : null,
            source_image_session_id: null,
            warnings: itemWarnings,
          };
          const live = liveness ? [{ ...liveness, reference_media_id: selfieId }] : undefined;
          const updated = transition(sessionId, outcome.status as SessionStatus, { faceMatches: [item], liveness: live, attempts });
          return toDecision(updated);
        })
        .immediate();
    },

    simulate(app, sessionId, outcome) {
      if (!(SIMULATE_OUTCOMES as readonly unknown[]).includes(outcome)) {
        throw fieldError('outcome', `outcome must be one of: ${SIMULATE_OUTCOMES.join(', ')}.`);
      }
      owned(app, sessionId);
      return db
        .transaction((): SessionDecision => {
          const row = rowById(sessionId)!;
          if (outcome === 'Abandoned' || outcome === 'Expired') return toDecision(transition(row.id, outcome));
          const def = definitionOf(row);
          const cfg = (def && faceMatchConfig(def)) || {
            ...FACE_MATCH_DEFAULTS,
            // Standalone requests have one threshold (30); give them the same review band as a workflow.
            face_match_score_decline_threshold: 30,
          };
          const decline = cfg.face_match_score_decline_threshold;
          const review = cfg.face_match_score_review_threshold;
          const previous = parseJsonColumn<StoredFaceMatch[]>(row.face_matches)?.[0];
          let status: FaceMatchItemStatus;
          let score: number | null;
          let warnings: FaceMatchWarning[];
          if (outcome === 'NO_REFERENCE_IMAGE') {
            status = 'Declined';
            score = null;
            warnings = [noReference(NODE_ID)];
          } else {
            // A score inside the band of the requested outcome under this workflow's thresholds.
            score =
              outcome === 'Approved'
                ? Math.round((review + (100 - review) / 2) * 100) / 100
                : outcome === 'In Review'
                  ? Math.round(((decline + review) / 2) * 100) / 100
                  : Math.round((decline / 2) * 100) / 100;
            const d = decideWorkflow(score, Math.min(decline, review), review, NODE_ID);
            status = outcome;
            warnings =
              d.status === outcome
                ? d.warnings
                : outcome === 'Approved'
                  ? []
                  : [lowSimilarityWarning(score, outcome, { decline_threshold: decline, review_threshold: review }, NODE_ID)];
          }
          const item: StoredFaceMatch = {
            node_id: NODE_ID,
            status,
            score,
            source_media_id: previous?.source_media_id ?? null,
            target_media_id: outcome === 'NO_REFERENCE_IMAGE' ? null : (previous?.target_media_id ?? row.portrait_media_id),
            source_image_session_id: null,
            warnings,
          };
          return toDecision(transition(row.id, status as SessionStatus, { faceMatches: [item] }));
        })
        .immediate();
    },
  };
}
