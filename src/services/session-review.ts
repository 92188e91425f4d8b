// Manual review: PATCH update-status (Approved / Declined / Resubmitted, with the platform's
// transition rules) and the review history (GET/POST reviews). Every accepted change is one
// transaction: the status, the history entry and the status.updated webhook.
import { z } from 'zod';
import { FacematchError } from '../errors.js';
import { parseJsonColumn, validate } from './context.js';
import type { StoredFaceMatch } from './session-decision.js';
import type { SessionShared } from './session-shared.js';
import type { AppContext } from './types.js';
import { REVIEW_STATUSES, SESSION_STATUSES, type SessionReview, type SessionStatus } from '../contract/index.js';

/** Statuses a session must be in for update-status to apply. */
const REVIEWABLE: readonly SessionStatus[] = ['Approved', 'Declined', 'In Review', 'Kyc Expired', 'Abandoned', 'Resubmitted'];

const UpdateStatusInput = z.object({
  new_status: z.enum(REVIEW_STATUSES, { error: `new_status must be one of: ${REVIEW_STATUSES.join(', ')}.` }),
  comment: z.string({ error: 'comment must be a string.' }).max(5000, { error: 'comment must be at most 5000 characters.' }).nullish(),
  send_email: z.boolean({ error: 'send_email must be true or false.' }).nullish(),
  email_address: z.string({ error: 'email_address must be a string.' }).max(320).nullish(),
  email_language: z.string({ error: 'email_language must be a language code.' }).max(20).nullish(),
  nodes_to_resubmit: z.array(z.unknown(), { error: 'nodes_to_resubmit must be a list.' }).nullish(),
});

const AddReviewInput = z.object({
  comment: z.string({ error: 'comment must be a string.' }).max(5000, { error: 'comment must be at most 5000 characters.' }).nullish(),
  note: z.string({ error: 'note must be a string.' }).max(5000).nullish(),
  new_status: z
    .enum(SESSION_STATUSES, { error: `new_status must be one of: ${SESSION_STATUSES.join(', ')}.` })
    .nullish(),
});

export interface SessionReviewing {
  /** PATCH /v3/session/{id}/update-status/: answers {session_id}, as the platform does. */
  updateStatus(app: AppContext, sessionId: string, input: unknown): { session_id: string };
  listReviews(app: AppContext, sessionId: string): SessionReview[];
  addReview(app: AppContext, sessionId: string, input: unknown): SessionReview;
}

export function createSessionReview(s: SessionShared): SessionReviewing {
  const { db } = s.ctx;
  const insert = db.prepare(
    'INSERT INTO session_reviews (session_id, action, old_status, new_status, note, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<[number | bigint], { id: number; action: string; old_status: string | null; new_status: string | null; note: string | null; created_at: number }>(
    'SELECT * FROM session_reviews WHERE id = ?',
  );

  function record(sessionId: string, action: SessionReview['action'], from: string | null, to: string | null, note: string | null): SessionReview {
    const id = insert.run(sessionId, action, from, to, note, s.ctx.now()).lastInsertRowid;
    const row = byId.get(id)!;
    return { ...row, action: row.action as SessionReview['action'], created_at: new Date(row.created_at).toISOString() };
  }

  /** Resubmission reopens the capture step: attempts start again and the item asks for a redo. */
  function resubmitChanges(faceMatches: string | null): { faceMatches?: StoredFaceMatch[]; attempts: number } {
    const items = parseJsonColumn<StoredFaceMatch[]>(faceMatches);
    return { attempts: 0, ...(items ? { faceMatches: items.map((i) => ({ ...i, status: 'Resub Requested' as const })) } : {}) };
  }

  return {
    updateStatus(app, sessionId, input) {
      const body = validate(UpdateStatusInput, input, 'status update');
      return db
        .transaction(() => {
          const row = s.owned(app, sessionId);
          if (row.kind !== 'session') throw new FacematchError('VALIDATION', 'A standalone face match request has no review status; only verification sessions can be reviewed.');
          if (!REVIEWABLE.includes(row.status)) {
            const msg = `A session in status ${row.status} cannot be reviewed; it must be one of ${REVIEWABLE.join(', ')}.`;
            throw new FacematchError('VALIDATION', msg, { fields: { new_status: [msg] } });
          }
          if (row.status === body.new_status) {
            if (body.new_status === 'Resubmitted') {
              const msg = 'The new status is the same as the current status.';
              throw new FacematchError('VALIDATION', msg, { fields: { new_status: [msg] } });
            }
            // Approving an Approved session (or declining a Declined one) changes nothing and sends nothing.
            return { session_id: row.id };
          }
          record(row.id, 'status_change', row.status, body.new_status, body.comment ?? null);
          s.transition(row.id, body.new_status, body.new_status === 'Resubmitted' ? resubmitChanges(row.face_matches) : {});
          return { session_id: row.id };
        })
        .immediate();
    },

    listReviews(app, sessionId) {
      const row = s.owned(app, sessionId);
      return s.view.reviewsOf(row.id);
    },

    addReview(app, sessionId, input) {
      const body = validate(AddReviewInput, input ?? {}, 'review');
      const note = body.comment ?? body.note ?? null;
      if (note === null && !body.new_status) {
        const msg = 'Send a comment, a new_status, or both.';
        throw new FacematchError('VALIDATION', msg, { fields: { comment: [msg] } });
      }
      return db
        .transaction(() => {
          const row = s.owned(app, sessionId);
          if (body.new_status && body.new_status !== row.status) {
            const review = record(row.id, 'status_change', row.status, body.new_status, note);
            s.transition(row.id, body.new_status, body.new_status === 'Resubmitted' ? resubmitChanges(row.face_matches) : {});
            return review;
          }
          return record(row.id, 'comment', row.status, row.status, note);
        })
        .immediate();
    },
  };
}
