// simulate_session_outcome: forces a session into a final state to test the app's branches.
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';
import { decisionSchema, faceMatchLine, sessionId } from '../src/mcp/schemas.js';
import { SIMULATE_OUTCOMES } from '../src/services/types.js';

export const simulateSessionOutcome = defineTool({
  name: 'simulate_session_outcome',
  title: 'Simulate a session outcome',
  description:
    'Force a sandbox session into an outcome without photos, to exercise each branch of the integration: Approved, In Review, Declined (low similarity), NO_REFERENCE_IMAGE (declined, no reference), Abandoned or Expired. Overwrites the session\'s current result, writes a matching decision and fires the status.updated webhook like a real outcome. Next: get_session_decision, list_webhook_deliveries.',
  inputSchema: z.strictObject({
    session_id: sessionId,
    outcome: z.enum(SIMULATE_OUTCOMES as [string, ...string[]], { error: `outcome must be one of: ${SIMULATE_OUTCOMES.join(', ')}.` }),
  }),
  outputSchema: decisionSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async handler(input, ctx) {
    if (ctx.remote) {
      throw new FacematchError('VALIDATION', `simulate_session_outcome only works on the local sandbox, not on the remote platform (${ctx.remote.baseUrl}).`);
    }
    const d = ctx.sandbox().sessions.simulate(ctx.app(), input.session_id, input.outcome as (typeof SIMULATE_OUTCOMES)[number]);
    return { structured: d, summary: `Session ${d.session_id} is now "${d.status}" (simulated ${input.outcome}): ${faceMatchLine(d)}.` };
  },
});
