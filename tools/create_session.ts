// create_session: a verification session for one end user on a workflow.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';
import { imageArg, sessionCreatedSchema } from '../src/mcp/schemas.js';

export const createSession = defineTool({
  name: 'create_session',
  title: 'Create a verification session',
  description:
    'Create a verification session on a workflow (POST /v3/session/). Returns session_id, session_token and url (the capture page the end user opens; in the sandbox it is served by `facematch-mcp serve`). Idempotent on vendor_data: an unfinished session with the same vendor_data is returned again. Next: submit_session_images to play the user\'s part (or open url in a browser), then get_session_decision.',
  inputSchema: z.strictObject({
    workflow_id: z
      .string()
      .trim()
      .min(1, { error: 'workflow_id is required: use one from create_workflow or list_workflows.' })
      .describe('The workflow_id returned by create_workflow (or listed by list_workflows).'),
    vendor_data: z.string().max(1000).optional().describe('Your own user/reference id; makes the call idempotent for an unfinished session.'),
    callback: z.url({ protocol: /^https?$/, error: 'callback must be an http(s) URL.' }).optional().describe('Where the browser is sent after capture, with ?verificationSessionId=...&status=...'),
    metadata: z.record(z.string(), z.unknown()).optional().describe('Any JSON object; echoed in decisions and webhooks.'),
    language: z.string().max(10).optional(),
    contact_details: z.record(z.string(), z.unknown()).optional(),
    expected_details: z.record(z.string(), z.unknown()).optional(),
    portrait_image: imageArg('Optional reference portrait (e.g. from your own KYC records) that the selfie is compared with; the platform limits it to 1 MB', '1 MB').optional(),
  }),
  outputSchema: sessionCreatedSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  remoteCapable: true,
  async handler(input, ctx) {
    const { portrait_image, ...rest } = input;
    const body: Record<string, unknown> = { ...rest };
    if (portrait_image !== undefined) {
      const img = await loadImageArg(portrait_image, 'portrait_image', { cwd: ctx.cwd, signal: ctx.signal });
      body.portrait_image = img.bytes.toString('base64');
    }
    const s = ctx.remote ? ((await ctx.remote.createSession(body)) as z.infer<typeof sessionCreatedSchema>) : ctx.sandbox().sessions.create(ctx.app(), body);
    return {
      structured: s,
      summary: `Session ${s.session_id} (#${s.session_number}) is "${s.status}" on workflow ${s.workflow_id} v${s.workflow_version}. Capture page: ${s.url}${!ctx.remote && !ctx.httpBaseUrl ? ' (served only while `npx facematch-mcp serve` runs)' : ''}. Next: ${ctx.remote ? 'open the url in a browser (submit_session_images is sandbox-only)' : `submit_session_images with session_id ${s.session_id}`}, then get_session_decision.`,
    };
  },
});
