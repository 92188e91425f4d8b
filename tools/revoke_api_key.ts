// revoke_api_key: stops one sandbox API key from working, at once.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';

export const revokeApiKey = defineTool({
  name: 'revoke_api_key',
  title: 'Revoke an API key',
  description:
    'Revoke a sandbox API key of the current application (e.g. one that leaked into a log or a commit): requests with it get 401 from now on. Get a new key with provision_account. Same as POST /sandbox/api-keys/revoke/ and `facematch-mcp keys revoke`.',
  inputSchema: z.strictObject({
    api_key: z.string().min(8, { error: 'api_key must be the whole key, e.g. fm_test_...' }).describe('The key to revoke, in full.'),
  }),
  outputSchema: z.object({
    prefix: z.string(),
    application_id: z.string(),
    revoked_at: z.string(),
    newly_revoked: z.boolean().describe('false when it was already revoked.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const r = ctx.sandbox().accounts.revokeKey(input.api_key, { applicationId: ctx.app().applicationId });
    return {
      structured: r,
      summary: `API key ${r.prefix}... ${r.newly_revoked ? 'revoked' : 'was already revoked'}; it now gets 401. Issue a new one with provision_account if the app needs one.`,
    };
  },
});
