// create_webhook_destination: registers a URL that receives signed session webhooks.
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';
import { destinationSchema } from '../src/mcp/schemas.js';
import { WEBHOOK_EVENTS } from '../src/contract/index.js';

export const eventsArg = z
  .array(z.enum(WEBHOOK_EVENTS, { error: `events must be from: ${WEBHOOK_EVENTS.join(', ')}.` }))
  .min(1, { error: 'subscribed_events must list at least one event, e.g. ["status.updated"].' });

export const createWebhookDestination = defineTool({
  name: 'create_webhook_destination',
  title: 'Register a webhook destination',
  description:
    'Register a URL for signed session webhooks (POST /v3/webhook/destinations/); the receiver verifies X-Signature over the raw body with the returned secret_shared_key. One per url: replace_existing swaps it for a new one (new secret).',
  inputSchema: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL, e.g. http://127.0.0.1:3000/webhooks/facematch.' }),
    label: z.string().min(1).max(200).default('sandbox webhook'),
    subscribed_events: eventsArg.default([...WEBHOOK_EVENTS]),
    enabled: z.boolean().default(true),
    replace_existing: z.boolean().default(false).describe('Replace a destination with this url (new secret).'),
  }),
  outputSchema: destinationSchema.extend({ secret_shared_key: z.string() }),
  // destructive: replace_existing deletes the old destination and its delivery log.
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
    const { replace_existing, ...body } = input;
    const platform = ctx.platform;
    const existing = (await platform.listDestinations()).find((x) => x.url === body.url);
    if (existing && !replace_existing) {
      throw new FacematchError(
        'CONFLICT',
        `A webhook destination for ${body.url} already exists (uuid ${existing.uuid}, events ${existing.subscribed_events.join(', ')}); it keeps receiving webhooks with its secret_shared_key. If the secret was lost, call create_webhook_destination again with replace_existing: true for a fresh one (or update_webhook_destination to change its events).`,
      );
    }
    if (existing) await platform.deleteDestination(existing.uuid);
    const d = await platform.createDestination(body);
    return {
      structured: d,
      summary:
        `${existing ? `Replaced destination ${existing.uuid} (its old secret no longer applies): new webhook` : 'Webhook'} destination ${d.uuid} -> ${d.url} for ${d.subscribed_events.join(', ')}. ` +
        'Its secret_shared_key is in the result below: save it where the receiver reads its secret. Next: create a session and complete it; then list_webhook_deliveries.',
    };
  },
});
