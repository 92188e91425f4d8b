// delete_webhook_destination: stop sending webhooks to a destination.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { destinationId } from '../src/mcp/schemas.js';

export const deleteWebhookDestination = defineTool({
  name: 'delete_webhook_destination',
  title: 'Delete a webhook destination',
  description:
    'Delete a webhook destination (DELETE /v3/webhook/destinations/{uuid}/): no more webhooks go there. To pause, update it with enabled: false.',
  inputSchema: z.strictObject({ uuid: destinationId }),
  outputSchema: z.object({ uuid: z.string(), deleted: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    await ctx.platform.deleteDestination(input.uuid);
    return { structured: { uuid: input.uuid, deleted: true }, summary: `Deleted webhook destination ${input.uuid}.` };
  },
});
