// provision_account: a verified sandbox account with an application and an API key, in one call.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';

export const provisionAccount = defineTool({
  name: 'provision_account',
  title: 'Provision a sandbox account',
  description:
    'Create a verified sandbox account with an application and a fresh API key, as the register + verify-email flow would. Call this first: the other sandbox tools act for the most recently provisioned application. Put the returned api_key in the app\'s environment (e.g. FACEMATCH_API_KEY) for code that calls the HTTP twin. For an email that already has an account, a new key needs its password (set one when creating); otherwise the user runs `facematch-mcp provision --email ...` in a terminal. Next: create_workflow.',
  inputSchema: z.strictObject({
    email: z.email({ error: 'email must be an e-mail address, e.g. dev@example.com.' }).default('developer@example.com').describe('Account e-mail (no mail is sent). Default developer@example.com.'),
    password: z.string().min(1).max(256).optional().describe('For a new account: sets its password (8+ characters, upper, lower, digit, symbol). For an existing one: proves it, so a new key can be issued.'),
  }),
  outputSchema: z.object({
    api_key: z.string().describe('Send as the x-api-key header to /v3 endpoints of the sandbox.'),
    application_id: z.string(),
    organization_id: z.string(),
    email: z.string(),
    created: z.boolean().describe('false when the account already existed (a new key was still issued).'),
    note: z.string().nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(input, ctx) {
    const res = ctx.sandbox().accounts.provision({ email: input.email, ...(input.password !== undefined ? { password: input.password } : {}) });
    const note = ctx.remote
      ? `Remote mode is on (${ctx.remote.baseUrl}): workflows, sessions, decisions and face_match call the remote platform with FACEMATCH_API_KEY; this account only serves the local sandbox tools (webhooks, simulate, submit images).`
      : null;
    return {
      structured: { ...res, note },
      summary: `${res.created ? 'Created' : 'Re-used'} sandbox account ${res.email}: application ${res.application_id}, new API key issued (shown below; keep it out of source control). Next: create_workflow.${note ? ` ${note}` : ''}`,
    };
  },
});
