// Webhook emission for sessions: one envelope per event type, queued in the caller's
// transaction. The platform sends status.updated on every status change and data.updated only
// when a reviewer edits extracted KYC/POA data (which the sandbox has none of).
import { newId, parseJsonColumn, type ServiceContext } from './context.js';
import type { DecisionView, SessionRow } from './session-decision.js';
import { DECISION_STATUSES, type WebhookEnvelope, type WebhookEventType } from '../contract/index.js';
import type { WebhookInternals } from './webhooks.js';

export interface SessionEvents {
  /** Queues the events for the row's current state; returns the last event id (null if none). */
  emit(row: SessionRow, types: WebhookEventType[]): string | null;
}

export function createSessionEvents(ctx: ServiceContext, deps: { webhooks: WebhookInternals; view: DecisionView }): SessionEvents {
  return {
    emit(row, types) {
      let last: string | null = null;
      for (const type of types) {
        const envelope: WebhookEnvelope = {
          event_id: newId(),
          webhook_type: type,
          timestamp: Math.floor(ctx.now() / 1000),
          created_at: Math.floor(row.created_at / 1000),
          application_id: row.application_id,
          environment: 'sandbox',
          session_id: row.id,
          status: row.status,
          workflow_id: row.workflow_id,
          workflow_version: row.workflow_version,
          vendor_data: row.vendor_data,
          metadata: parseJsonColumn(row.metadata),
        };
        if (DECISION_STATUSES.includes(row.status)) envelope.decision = deps.view.toDecision(row);
        deps.webhooks.enqueue(envelope);
        last = envelope.event_id;
      }
      return last;
    },
  };
}
