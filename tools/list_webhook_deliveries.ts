// list_webhook_deliveries: every delivery attempt of a session's webhooks.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { limitArg, offsetArg, page, sessionId } from '../src/mcp/schemas.js';

const delivery = z.looseObject({
  event_id: z.string(),
  webhook_type: z.string(),
  session_id: z.string().nullable(),
  status: z.string().nullable(),
  url: z.string(),
  attempt: z.number(),
  status_code: z.number().nullable(),
  error: z.string().nullable(),
  outcome: z.string(),
  created_at: z.string(),
});

export const listWebhookDeliveries = defineTool({
  name: 'list_webhook_deliveries',
  title: 'List webhook deliveries',
  description:
    'List every webhook delivery attempt for a session (GET /v3/session/{id}/webhooks/): event_id, type, session status, destination url, attempt number, the receiver\'s HTTP status or network error, and outcome (delivered, retrying, failed). Set wait_ms to wait for pending deliveries first. Use it to see whether the app\'s receiver accepted the webhook; resend_webhook sends one again.',
  inputSchema: z.strictObject({
    session_id: sessionId,
    wait_ms: z.number().int().min(0).max(30000, { error: 'wait_ms must be at most 30000.' }).default(0).describe('Wait up to this long for queued deliveries to finish before listing (0-30000).'),
    limit: limitArg(50),
    offset: offsetArg,
  }),
  outputSchema: z.object({ ...page, results: z.array(delivery) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const sandbox = ctx.sandbox();
    const app = ctx.app();
    if (input.wait_ms > 0) await sandbox.webhooks.flush(input.wait_ms);
    const all = sandbox.webhooks.listDeliveries(app, input.session_id);
    const results = all.slice(input.offset, input.offset + input.limit);
    const next = input.offset + results.length < all.length ? input.offset + results.length : null;
    const lines = results.map(
      (d) => `- ${d.webhook_type} (${d.status ?? '-'}) attempt ${d.attempt} -> ${d.url}: ${d.status_code ?? d.error ?? 'no answer'} [${d.outcome}]`,
    );
    return {
      structured: { count: all.length, next_offset: next, results },
      summary: all.length && !results.length
        ? `${all.length} delivery attempt(s) for session ${input.session_id}, none at offset ${input.offset}: use an offset below ${all.length}.`
        : all.length
        ? `${all.length} delivery attempt(s) for session ${input.session_id}:\n${lines.join('\n')}`
        : `No delivery attempts for session ${input.session_id} yet (no destination registered, nothing happened yet, or still queued: retry with wait_ms).`,
    };
  },
});
