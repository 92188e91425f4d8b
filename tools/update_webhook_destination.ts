// update_webhook_destination: change a destination's url, label, events or enabled flag.
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';
import { destinationId, destinationSchema } from '../src/mcp/schemas.js';
import { eventsArg } from './create_webhook_destination.js';

export const updateWebhookDestination = defineTool({
  name: 'update_webhook_destination',
  title: 'Update a webhook destination',
  description:
    'Change a webhook destination (PATCH /v3/webhook/destinations/{uuid}/): url, label, subscribed_events, enabled (false pauses it). The secret stays.',
  inputSchema: z.strictObject({
    uuid: destinationId,
    url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL.' }).optional(),
    label: z.string().min(1).max(200).optional(),
    subscribed_events: eventsArg.optional(),
    enabled: z.boolean().optional(),
  }),
  outputSchema: destinationSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const { uuid, ...patch } = input;
    if (!Object.keys(patch).length) throw new FacematchError('VALIDATION', 'Nothing to change: pass at least one of url, label, subscribed_events, enabled.');
    const d = await ctx.platform.updateDestination(uuid, patch);
    return { structured: d, summary: `Destination ${d.uuid} -> ${d.url} [${d.subscribed_events.join(', ')}], ${d.enabled ? 'enabled' : 'disabled'}.` };
  },
});
