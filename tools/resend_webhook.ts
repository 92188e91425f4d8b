// resend_webhook: queues an event again (one event by id, or a session's latest).
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';

export const resendWebhook = defineTool({
  name: 'resend_webhook',
  title: 'Resend a webhook',
  description:
    'Deliver a webhook again: pass event_id (from list_webhook_deliveries) to re-send that same event (same event_id and body, so deduplicating receivers skip it), or session_id to emit a new event with the session\'s current status to every subscribed destination. Use it after fixing the app\'s receiver; then list_webhook_deliveries with wait_ms to see the result.',
  inputSchema: z.strictObject({
    event_id: z.string().trim().min(1).max(200).optional().describe('An event_id from list_webhook_deliveries: re-send that exact event.'),
    session_id: z.string().trim().min(1).max(200).optional().describe('A session_id: send a new event with its current status.'),
  }),
  outputSchema: z.object({ event_id: z.string(), queued: z.number().int() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
    if (!input.event_id === !input.session_id) {
      throw new FacematchError(
        'VALIDATION',
        input.event_id
          ? 'Pass either event_id (re-send that exact event) or session_id (send a new event with the current status), not both.'
          : 'Pass event_id (from list_webhook_deliveries) or session_id.',
      );
    }
    const res = ctx.sandbox().webhooks.resend(ctx.app(), { eventId: input.event_id, sessionId: input.session_id });
    return {
      structured: res,
      summary: res.queued
        ? `Event ${res.event_id} queued for ${res.queued} destination(s). Next: list_webhook_deliveries with wait_ms to see the receiver's answer.`
        : `Event ${res.event_id} was not sent: no enabled webhook destination is subscribed to it. Register one with create_webhook_destination, then resend.`,
    };
  },
});
