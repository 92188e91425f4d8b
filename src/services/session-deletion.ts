// Deletion that really deletes: the session row, its images, its review history and every
// webhook it queued (pending ones are cancelled with the rest). One transaction per call.
import { z } from 'zod';
import { FacematchError } from '../errors.js';
import { validate } from './context.js';
import type { SessionShared } from './session-shared.js';
import type { AppContext } from './types.js';

const BatchInput = z.object({
  session_numbers: z
    .array(z.number({ error: 'session_numbers must be a list of integers.' }).int({ error: 'session_numbers must be a list of integers.' }), {
      error: 'session_numbers must be a list of integers.',
    })
    .max(10_000, { error: 'send at most 10000 session_numbers per call.' })
    .nullish(),
  delete_all: z.boolean({ error: 'delete_all must be true or false.' }).nullish(),
});

export interface SessionDeletion {
  /** DELETE /v3/session/{id}/delete/. */
  deleteSession(app: AppContext, sessionId: string): void;
  /** POST /v3/sessions/delete/: by session_numbers, or everything with delete_all. */
  deleteSessions(app: AppContext, input: unknown): { deleted_count: number; session_numbers: number[] };
}

export function createSessionDeletion(s: SessionShared): SessionDeletion {
  const { db } = s.ctx;
  const stmts = [
    'DELETE FROM webhook_attempts WHERE outbox_id IN (SELECT id FROM webhook_outbox WHERE session_id = @id)',
    'DELETE FROM webhook_outbox WHERE session_id = @id',
    'DELETE FROM session_reviews WHERE session_id = @id',
    'DELETE FROM sessions WHERE id = @id',
    // After the row: the session's portrait_media_id points into media.
    'DELETE FROM media WHERE session_id = @id',
  ].map((sql) => db.prepare<{ id: string }>(sql));

  const purge = (id: string) => {
    for (const st of stmts) st.run({ id });
  };

  return {
    deleteSession(app, sessionId) {
      db.transaction(() => purge(s.owned(app, sessionId).id)).immediate();
    },

    deleteSessions(app, input) {
      const body = validate(BatchInput, input ?? {}, 'batch delete');
      if (!body.delete_all && !(body.session_numbers && body.session_numbers.length)) {
        const msg = 'Send session_numbers (a non-empty list) or delete_all: true.';
        throw new FacematchError('VALIDATION', msg, { fields: { session_numbers: [msg] } });
      }
      return db
        .transaction(() => {
          const rows = body.delete_all
            ? db.prepare<[string], { id: string; session_number: number }>('SELECT id, session_number FROM sessions WHERE application_id = ?').all(app.applicationId)
            : body.session_numbers!.flatMap((n) =>
                db
                  .prepare<[string, number], { id: string; session_number: number }>('SELECT id, session_number FROM sessions WHERE application_id = ? AND session_number = ?')
                  .all(app.applicationId, n),
              );
          for (const r of rows) purge(r.id);
          return { deleted_count: rows.length, session_numbers: rows.map((r) => r.session_number).sort((a, b) => a - b) };
        })
        .immediate();
    },
  };
}
