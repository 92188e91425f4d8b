// provision_account: a verified sandbox account with an application and an API key, in one call.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';

export const provisionAccount = defineTool({
  name: 'provision_account',
  title: 'Provision a sandbox account',
  description:
    'Create a verified sandbox account, application and API key (an existing email needs its password for a new key). New password: 8-256 chars with upper, lower, digit, special. Call it first; later tools act for this application. Next: create_workflow.',
  inputSchema: z.strictObject({
    email: z.email({ error: 'email must be an e-mail address, e.g. dev@example.com.' }).default('developer@example.com').describe('No mail is sent.'),
    password: z.string().min(1).max(256).optional().describe('Sets it for a new account; proves it for an existing one.'),
  }),
  outputSchema: z.object({
    api_key: z.string(),
    application_id: z.string(),
    organization_id: z.string(),
    email: z.string(),
    created: z.boolean(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  sandboxOnly: true,
  async handler(input, ctx) {
    const res = ctx.sandbox.provision(input.email, input.password);
    return {
      structured: res,
      summary: `${res.created ? 'Created' : 'Re-used'} sandbox account ${res.email}: application ${res.application_id}, new API key issued (below; keep it out of source control). Next: create_workflow.`,
    };
  },
});
