// review_session: a reviewer's decision on a session (PATCH /v3/session/{id}/update-status/).
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { sessionId } from '../src/mcp/schemas.js';
import { REVIEW_STATUSES } from '../src/contract/index.js';

export const reviewSession = defineTool({
  name: 'review_session',
  title: 'Review a session',
  description:
    'Decide a session by hand as a reviewer (PATCH /v3/session/{id}/update-status/): Approved, Declined or Resubmitted, e.g. one In Review. Fires status.updated webhooks.',
  inputSchema: z.strictObject({
    session_id: sessionId,
    new_status: z.enum(REVIEW_STATUSES, { error: `new_status must be one of: ${REVIEW_STATUSES.join(', ')}.` }),
    comment: z.string().max(2000).optional().describe('Reviewer note.'),
  }),
  outputSchema: z.object({ session_id: z.string(), status: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const r = await ctx.platform.reviewSession(input.session_id, { new_status: input.new_status as (typeof REVIEW_STATUSES)[number], comment: input.comment });
    return { structured: r, summary: `Session ${r.session_id} is now "${r.status}" (reviewed as ${input.new_status}). Webhooks go to subscribed destinations: list_webhook_deliveries shows them.` };
  },
});
