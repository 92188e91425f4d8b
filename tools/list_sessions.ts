// list_sessions: the application's sessions, newest first, paginated and filterable.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { limitArg, offsetArg, page, sessionSummarySchema } from '../src/mcp/schemas.js';
import { SESSION_STATUSES } from '../src/contract/index.js';

export const listSessions = defineTool({
  name: 'list_sessions',
  title: 'List sessions',
  description:
    'List sessions newest first (GET /v3/sessions/), filtered by status, vendor_data or workflow_id; page with limit/offset.',
  inputSchema: z.strictObject({
    limit: limitArg(20),
    offset: offsetArg,
    status: z.enum(SESSION_STATUSES, { error: `status must be one of: ${SESSION_STATUSES.join(', ')}.` }).optional(),
    vendor_data: z.string().max(1000).optional(),
    workflow_id: z.string().trim().min(1).max(200).optional(),
  }),
  outputSchema: z.object({ ...page, results: z.array(sessionSummarySchema) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const res = await ctx.platform.listSessions(input);
    const lines = res.results.map((s) => `- ${s.session_id} #${s.session_number} ${s.status}${s.vendor_data ? ` (${s.vendor_data})` : ''}`);
    return {
      structured: res,
      summary:
        res.count && !res.results.length
          ? `${res.count} session(s) match, none at offset ${input.offset}: use an offset below ${res.count}.`
          : res.count
            ? `${res.count} session(s)${res.next_offset !== null ? `, showing ${res.results.length} (next_offset ${res.next_offset})` : ''}:\n${lines.join('\n')}`
            : 'No sessions match: create one with create_session.',
    };
  },
});
