// list_webhook_deliveries: a session's webhook delivery log (every attempt).
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { limitArg, offsetArg, page, sessionId } from '../src/mcp/schemas.js';

const text = z.string().nullable().optional();
const delivery = z.looseObject({
  uuid: text,
  event_id: text,
  webhook_type: text,
  status: text,
  url: text,
  attempt: z.number().nullable().optional(),
  status_code: z.number().nullable().optional(),
  error: text,
  outcome: text,
  created_at: text,
});

export const listWebhookDeliveries = defineTool({
  name: 'list_webhook_deliveries',
  title: 'List webhook deliveries',
  description:
    'A session\'s webhook delivery attempts (GET /v3/session/{id}/webhooks/): event, status, url, the receiver\'s answer, outcome. wait_ms waits for queued deliveries. Shows whether the receiver accepted a webhook.',
  inputSchema: z.strictObject({
    session_id: sessionId,
    wait_ms: z.number().int().min(0).max(30000, { error: 'wait_ms must be at most 30000.' }).default(0).describe('0-30000.'),
    limit: limitArg(50),
    offset: offsetArg,
  }),
  outputSchema: z.object({ ...page, results: z.array(delivery) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const all = await ctx.platform.listDeliveries(input.session_id, { waitMs: input.wait_ms });
    const results = all.slice(input.offset, input.offset + input.limit);
    const next = input.offset + results.length < all.length ? input.offset + results.length : null;
    const lines = results.map((d) => `- ${d.webhook_type ?? 'webhook'} (${d.status ?? '-'})${d.attempt ? ` attempt ${d.attempt}` : ''} -> ${d.url}: ${d.status_code ?? d.error ?? 'no answer'}${d.outcome ? ` [${d.outcome}]` : ''}`);
    return {
      structured: { count: all.length, next_offset: next, results },
      summary:
        all.length && !results.length
          ? `${all.length} delivery attempt(s) for session ${input.session_id}, none at offset ${input.offset}: use an offset below ${all.length}.`
          : all.length
            ? `${all.length} delivery attempt(s) for session ${input.session_id}:\n${lines.join('\n')}`
            : `No delivery attempts for session ${input.session_id} yet (no destination subscribed, nothing happened yet, or still queued: retry with wait_ms).`,
    };
  },
});
