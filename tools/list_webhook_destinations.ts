// list_webhook_destinations: every destination of the application.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { destinationSchema } from '../src/mcp/schemas.js';

export const listWebhookDestinations = defineTool({
  name: 'list_webhook_destinations',
  title: 'List webhook destinations',
  description:
    'List the application\'s webhook destinations (GET /v3/webhook/destinations/): uuid, url, events, enabled.',
  inputSchema: z.strictObject({}),
  outputSchema: z.object({ count: z.number().int(), results: z.array(destinationSchema) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(_input, ctx) {
    const all = await ctx.platform.listDestinations();
    return {
      structured: { count: all.length, results: all },
      summary: all.length
        ? `${all.length} destination(s):\n${all.map((d) => `- ${d.uuid} ${d.url} [${d.subscribed_events.join(', ')}]${d.enabled ? '' : ' (disabled)'}`).join('\n')}`
        : 'No webhook destinations: register one with create_webhook_destination.',
    };
  },
});
