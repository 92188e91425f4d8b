// simulate_session_outcome: forces a session into a final state to test the app's branches.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { decisionSchema, faceMatchLine, sessionId } from '../src/mcp/schemas.js';
import { SIMULATE_OUTCOMES } from '../src/contract/index.js';

export const simulateSessionOutcome = defineTool({
  name: 'simulate_session_outcome',
  title: 'Simulate a session outcome',
  description:
    'Force a sandbox session into Approved, In Review, Declined, NO_REFERENCE_IMAGE, Abandoned or Expired without photos, with the decision and webhooks a real outcome has.',
  inputSchema: z.strictObject({
    session_id: sessionId,
    outcome: z.enum(SIMULATE_OUTCOMES, { error: `outcome must be one of: ${SIMULATE_OUTCOMES.join(', ')}.` }),
  }),
  outputSchema: decisionSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  sandboxOnly: true,
  async handler(input, ctx) {
    const d = await ctx.sandbox.simulate(input.session_id, input.outcome as (typeof SIMULATE_OUTCOMES)[number]);
    return { structured: d, summary: `Session ${d.session_id} is now "${d.status}" (simulated ${input.outcome}): ${faceMatchLine(d)}.` };
  },
});
