// create_session: a verification session for one end user on a workflow.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';
import { imageArg, sessionCreatedSchema } from '../src/mcp/schemas.js';
import type { SessionInput } from '../src/platform/types.js';

const object = z.record(z.string(), z.unknown());

export const createSession = defineTool({
  name: 'create_session',
  title: 'Create a verification session',
  description:
    'Create a session on a workflow (POST /v3/session/): session_id, session_token and url (the end user\'s capture page). Idempotent on vendor_data while unfinished. Next: the user opens url (sandbox: submit_session_images), then get_session_decision.',
  inputSchema: z.strictObject({
    workflow_id: z
      .string()
      .trim()
      .min(1, { error: 'workflow_id is required: use one from create_workflow or list_workflows.' })
      .describe('From create_workflow or list_workflows.'),
    vendor_data: z.string().max(1000).optional().describe('Your user id.'),
    callback: z.string().max(2048).optional().describe('Browser redirect after capture: an http(s) URL, or an app deep link such as myapp://callback.'),
    metadata: object.optional().describe('Echoed in decisions and webhooks.'),
    language: z.string().max(10).optional(),
    contact_details: object.optional(),
    expected_details: object.optional(),
    portrait_image: imageArg('Reference portrait for the selfie', '1 MB').optional(),
  }),
  outputSchema: sessionCreatedSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
    const { portrait_image, ...rest } = input;
    const body: SessionInput = { ...rest };
    if (portrait_image !== undefined) {
      const img = await loadImageArg(portrait_image, 'portrait_image', { cwd: ctx.cwd, signal: ctx.signal });
      body.portrait_image = img.bytes.toString('base64');
    }
    const s = await ctx.platform.createSession(body);
    return {
      structured: s,
      summary: `Session ${s.session_id} (#${s.session_number}) is "${s.status}" on workflow ${s.workflow_id} v${s.workflow_version}. Capture page: ${s.url}${!ctx.httpBaseUrl && s.url.startsWith('http://127.0.0.1') ? ' (served only while `npx facematch-mcp serve` runs)' : ''}. Next: the end user completes it (sandbox: submit_session_images with session_id ${s.session_id}), then get_session_decision.`,
    };
  },
});
