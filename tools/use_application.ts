// use_application: which sandbox application the tools act for on this connection.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';

const app = z.object({ application_id: z.string().nullable(), name: z.string().nullable() });

export const useApplication = defineTool({
  name: 'use_application',
  title: 'Choose the application to act for',
  description:
    'List the sandbox\'s applications and the one tools act for; pass application_id (uuid or name) to switch on this connection. Default: FACEMATCH_APP, else the latest provisioned.',
  inputSchema: z.strictObject({
    application_id: z.string().trim().min(1).max(200).optional().describe('uuid or name; omit to list.'),
  }),
  outputSchema: z.object({
    acting_for: app.extend({ chosen_by: z.string() }).nullable(),
    applications: z.array(app),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  sandboxOnly: true,
  async handler(input, ctx) {
    const sandbox = ctx.sandbox;
    const chosen = input.application_id !== undefined ? sandbox.useApplication(input.application_id) : null;
    const apps = sandbox.applications().map((a) => ({ application_id: a.application_id, name: a.name }));
    const acting = chosen ?? (await ctx.platform.status()).acting_for;
    const current = acting.application_id ? acting : null;
    return {
      structured: { acting_for: current, applications: apps },
      summary:
        (chosen ? `Now acting for "${chosen.name}" (${chosen.application_id}) on this connection.` : current ? `Acting for "${current.name}" (${current.application_id}, chosen by ${current.chosen_by}).` : 'No application yet: call provision_account.') +
        (apps.length ? `\n${apps.map((a) => `- ${a.name} ${a.application_id}`).join('\n')}` : ''),
    };
  },
});
