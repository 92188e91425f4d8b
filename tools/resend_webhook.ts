// resend_webhook: delivers a session's webhook again.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { sessionId } from '../src/mcp/schemas.js';

export const resendWebhook = defineTool({
  name: 'resend_webhook',
  title: 'Resend a webhook',
  description:
    'Deliver a session\'s webhook again after fixing the receiver: event_id (from list_webhook_deliveries), else the latest. Same event_id, so deduplicating receivers skip it.',
  inputSchema: z.strictObject({
    session_id: sessionId,
    event_id: z.string().trim().min(1).max(200).optional(),
  }),
  outputSchema: z.object({ event_id: z.string(), queued: z.number().int() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
    const res = await ctx.platform.resendWebhook(input);
    return {
      structured: res,
      summary: res.queued
        ? `Event ${res.event_id} sent again to ${res.queued} destination(s). Next: list_webhook_deliveries with wait_ms to see the receiver's answer.`
        : `Event ${res.event_id} was not sent: no enabled webhook destination is subscribed to it. Register one with create_webhook_destination, then resend.`,
    };
  },
});
