// list_sessions: the application's sessions, newest first, paginated and filterable.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { limitArg, offsetArg, page, sessionSummarySchema } from '../src/mcp/schemas.js';
import { SESSION_STATUSES } from '../src/services/types.js';

export const listSessions = defineTool({
  name: 'list_sessions',
  title: 'List sessions',
  description:
    'List the application\'s verification sessions, newest first, with status and vendor_data. Filter by status (exact strings such as "Approved", "In Review") or vendor_data; page with limit/offset. Use get_session_decision for one session\'s full decision.',
  inputSchema: z.strictObject({
    limit: limitArg(20),
    offset: offsetArg,
    status: z.enum(SESSION_STATUSES as [string, ...string[]], { error: `status must be one of: ${SESSION_STATUSES.join(', ')}.` }).optional(),
    vendor_data: z.string().max(1000).optional(),
  }),
  outputSchema: z.object({ ...page, results: z.array(sessionSummarySchema) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  remoteCapable: true,
  async handler(input, ctx) {
    const query = { limit: input.limit, offset: input.offset, status: input.status, vendor_data: input.vendor_data };
    const res = (ctx.remote ? await ctx.remote.listSessions(query) : ctx.sandbox().sessions.list(ctx.app(), query)) as {
      count: number;
      results: z.infer<typeof sessionSummarySchema>[];
    };
    const next = input.offset + res.results.length < res.count ? input.offset + res.results.length : null;
    const lines = res.results.map((s) => `- ${s.session_id} #${s.session_number} ${s.status}${s.vendor_data ? ` (${s.vendor_data})` : ''}`);
    return {
      structured: { count: res.count, next_offset: next, results: res.results },
      summary: res.count && !res.results.length
        ? `${res.count} session(s) match, none at offset ${input.offset}: use an offset below ${res.count}.`
        : res.count
        ? `${res.count} session(s)${next !== null ? `, showing ${res.results.length} (next_offset ${next})` : ''}:\n${lines.join('\n')}`
        : 'No sessions match: create one with create_session.',
    };
  },
});
