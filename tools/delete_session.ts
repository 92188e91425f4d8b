// delete_session: removes a session with its media and delivery log (DELETE /v3/session/{id}/delete/).
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { sessionId } from '../src/mcp/schemas.js';

export const deleteSession = defineTool({
  name: 'delete_session',
  title: 'Delete a session',
  description:
    'Permanently delete a session with its images, decision and webhook log (DELETE /v3/session/{id}/delete/), e.g. test data or an erasure request.',
  inputSchema: z.strictObject({ session_id: sessionId }),
  outputSchema: z.object({ session_id: z.string(), deleted: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    await ctx.platform.deleteSession(input.session_id);
    return { structured: { session_id: input.session_id, deleted: true }, summary: `Deleted session ${input.session_id}; its decision and images are gone.` };
  },
});
