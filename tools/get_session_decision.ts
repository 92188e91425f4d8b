// get_session_decision: the decision of one session, as GET /v3/session/{id}/decision/.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { attemptsLine, decisionSchema, faceMatchLine, sessionId } from '../src/mcp/schemas.js';

export const getSessionDecision = defineTool({
  name: 'get_session_decision',
  title: 'Get a session decision',
  description:
    'A session\'s decision (GET /v3/session/{id}/decision/): status, face_matches with score and warnings, image URLs, vendor_data, metadata: what a backend reads after a webhook. Also facematch://sessions/{id}.',
  inputSchema: z.strictObject({ session_id: sessionId }),
  outputSchema: decisionSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const d = await ctx.platform.getDecision(input.session_id);
    return { structured: d, summary: `Session ${d.session_id} is "${d.status}": ${faceMatchLine(d)}.${attemptsLine(d)}` };
  },
});
