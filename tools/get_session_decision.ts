// get_session_decision: the decision of one session, as GET /v3/session/{id}/decision/.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { decisionSchema, faceMatchLine, sessionId } from '../src/mcp/schemas.js';

export const getSessionDecision = defineTool({
  name: 'get_session_decision',
  title: 'Get a session decision',
  description:
    'Fetch a session\'s decision (GET /v3/session/{id}/decision/): status (Not Started, In Progress, Approved, Declined, In Review, ...), face_matches with score, status and warnings, signed image URLs (valid 60 minutes), vendor_data and metadata. This is the source of truth your backend should read after a webhook or redirect. Also readable as the resource facematch://sessions/{id}.',
  inputSchema: z.strictObject({ session_id: sessionId }),
  outputSchema: decisionSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  remoteCapable: true,
  async handler(input, ctx) {
    const d = ctx.remote
      ? ((await ctx.remote.decision(input.session_id)) as z.infer<typeof decisionSchema>)
      : ctx.sandbox().sessions.decision(ctx.app(), input.session_id);
    return { structured: d, summary: `Session ${d.session_id} is "${d.status}": ${faceMatchLine(d)}.` };
  },
});
