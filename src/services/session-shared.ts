// What the session life cycle hands to its review, deletion and report modules.
import type { ServiceContext } from './context.js';
import type { DecisionView, SessionRow, StoredFaceMatch, StoredLiveness } from './session-decision.js';
import type { AppContext } from './types.js';
import type { SessionStatus, WebhookEventType } from '../contract/index.js';

export interface SessionShared {
  ctx: ServiceContext;
  view: DecisionView;
  emit(row: SessionRow, types: WebhookEventType[]): string | null;
  /** Sets a status (inside the caller's transaction) and queues status.updated. */
  /** Sets the status (and results); sends status.updated unless `quiet` (status unchanged, nothing to announce). */
  transition(id: string, status: SessionStatus, changes?: { faceMatches?: StoredFaceMatch[]; liveness?: StoredLiveness[]; attempts?: number; quiet?: boolean }): SessionRow;
  /** The session of this application, or NOT_FOUND. */
  owned(app: AppContext, sessionId: string): SessionRow;
}
