// create_webhook_destination: registers a URL that receives signed session webhooks.
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';
import { WEBHOOK_EVENTS } from '../src/services/types.js';

export const createWebhookDestination = defineTool({
  name: 'create_webhook_destination',
  title: 'Register a webhook destination',
  description:
    'Register a URL (e.g. your app\'s local webhook route, http://127.0.0.1:3000/webhooks/facematch) to receive signed status.updated / data.updated webhooks for the sandbox application, as POST /v3/webhook/destinations/ does. Returns secret_shared_key ONCE: store it in the app\'s environment (e.g. FACEMATCH_WEBHOOK_SECRET) and verify X-Signature over the raw body with it. Deliveries retry on 5xx/404. One destination per url: replace_existing: true rotates a lost secret (deletes the old destination). Next: create_session + submit_session_images, then list_webhook_deliveries; verify_webhook_signature debugs a receiver.',
  inputSchema: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL, e.g. http://127.0.0.1:3000/webhooks/facematch.' }),
    label: z.string().min(1).max(200).default('sandbox webhook'),
    subscribed_events: z
      .array(z.enum(WEBHOOK_EVENTS as [string, ...string[]], { error: `events must be from: ${WEBHOOK_EVENTS.join(', ')}.` }))
      .min(1, { error: 'subscribed_events must list at least one event, e.g. ["status.updated"].' })
      .default([...WEBHOOK_EVENTS]),
    enabled: z.boolean().default(true),
    replace_existing: z
      .boolean()
      .default(false)
      .describe(
        'When a destination with this exact url already exists: delete it (with its delivery log) and register a new one with a fresh secret_shared_key. Use it when the old secret was lost; default false (then a duplicate url is an error).',
      ),
  }),
  outputSchema: z.looseObject({
    uuid: z.string(),
    label: z.string(),
    url: z.string(),
    subscribed_events: z.array(z.string()),
    enabled: z.boolean(),
    secret_shared_key: z.string().describe('HMAC secret; shown only now.'),
  }),
  // destructive: replace_existing deletes the old destination and its delivery log.
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
    if (ctx.remote) {
      throw new FacematchError('VALIDATION', 'create_webhook_destination configures the local sandbox only; register production webhooks in the hosted console.');
    }
    const { replace_existing, ...body } = input;
    const webhooks = ctx.sandbox().webhooks;
    const app = ctx.app();
    const existing = webhooks.listDestinations(app).find((x) => x.url === body.url);
    if (existing && !replace_existing) {
      throw new FacematchError(
        'CONFLICT',
        `A webhook destination for ${body.url} already exists (uuid ${existing.uuid}, events ${existing.subscribed_events.join(', ')}); it keeps receiving webhooks with the secret_shared_key returned when it was created, which is never shown again. If you still have that secret, use it. If it was lost, call create_webhook_destination again with replace_existing: true to get a new destination and a fresh secret.`,
      );
    }
    if (existing) webhooks.deleteDestination(app, existing.uuid);
    const d = webhooks.createDestination(app, body);
    return {
      structured: d,
      summary:
        `${existing ? `Replaced destination ${existing.uuid} (its old secret no longer applies): new webhook` : 'Webhook'} destination ${d.uuid} -> ${d.url} for ${d.subscribed_events.join(', ')}. ` +
        'Its secret_shared_key is in the result below and will not be shown again: save it where the receiver reads its secret. Next: create a session and complete it; then list_webhook_deliveries.',
    };
  },
});
