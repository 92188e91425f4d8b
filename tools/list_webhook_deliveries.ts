// list_webhook_deliveries: a session's webhook delivery log (every attempt, newest first).
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { limitArg, offsetArg, page, sessionId } from '../src/mcp/schemas.js';

const delivery = z.looseObject({
  uuid: z.string(),
  event_id: z.string().nullable(),
  webhook_type: z.string(),
  request_url: z.string(),
  response_status: z.number().nullable(),
  status: z.string(),
  created_at: z.string(),
});

export const listWebhookDeliveries = defineTool({
  name: 'list_webhook_deliveries',
  title: 'List webhook deliveries',
  description:
    'A session\'s webhook delivery attempts, newest first (GET /v3/session/{id}/webhooks/): event, url, HTTP status, delivered/failed. wait_ms waits for queued ones; include_bodies adds what was sent.',
  inputSchema: z.strictObject({
    session_id: sessionId,
    wait_ms: z.number().int().min(0).max(30000, { error: 'wait_ms must be at most 30000.' }).default(0),
    include_bodies: z.boolean().default(false),
    limit: limitArg(50),
    offset: offsetArg,
  }),
  outputSchema: z.object({ ...page, results: z.array(delivery) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const all = await ctx.platform.listDeliveries(input.session_id, { waitMs: input.wait_ms });
    const page = all.slice(input.offset, input.offset + input.limit);
    // The recorded bodies are a few KB each: only on request.
    const results = input.include_bodies ? page : page.map(({ request_header: _h, request_body: _b, ...rest }) => rest as (typeof page)[number]);
    const next = input.offset + results.length < all.length ? input.offset + results.length : null;
    const lines = results.map((d) => `- ${d.created_at} ${d.webhook_type} event ${d.event_id ?? '?'} -> ${d.request_url}: ${d.response_status ?? 'no answer'} [${d.status}]`);
    return {
      structured: { count: all.length, next_offset: next, results },
      summary:
        all.length && !results.length
          ? `${all.length} delivery attempt(s) for session ${input.session_id}, none at offset ${input.offset}: use an offset below ${all.length}.`
          : all.length
            ? `${all.length} delivery attempt(s) for session ${input.session_id}, newest first:\n${lines.join('\n')}`
            : `No delivery attempts for session ${input.session_id} yet (no destination subscribed, nothing happened yet, or still queued: retry with wait_ms).`,
    };
  },
});
