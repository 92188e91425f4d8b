// create_workflow: a verification workflow (feature list + FACE_MATCH thresholds).
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { workflowSchema } from '../src/mcp/schemas.js';
import { FEATURE_NAMES } from '../src/services/types.js';

const featureArg = z.strictObject({
  feature: z.enum(FEATURE_NAMES as [string, ...string[]], { error: `feature must be one of ${FEATURE_NAMES.join(', ')} (UPPERCASE).` }),
  config: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'For FACE_MATCH: face_match_score_decline_threshold (0-100, default 50), face_match_score_review_threshold (0-100, default 70, >= decline), face_match_not_computed_action (REVIEW|DECLINE), face_match_max_attempts (1-10, default 3).',
    ),
});

export const createWorkflow = defineTool({
  name: 'create_workflow',
  title: 'Create a workflow',
  description:
    'Create a verification workflow: an ordered feature list such as [{feature:"OCR"},{feature:"FACE_MATCH",config:{face_match_score_decline_threshold:50,face_match_score_review_threshold:70}}]. FACE_MATCH must come after OCR/ID_VERIFICATION; with FACE_MATCH alone, sessions need a reference photo (portrait_image in create_session, or reference in submit_session_images). Scores <= decline threshold are Declined, <= review threshold In Review, above Approved. Returns workflow_id; next: create_session. Needs provision_account first (local mode).',
  inputSchema: z.strictObject({
    workflow_label: z.string().min(1).max(200).optional().describe('Human label, e.g. "KYC selfie vs ID".'),
    features: z
      .array(featureArg)
      .min(1, { error: 'features must list at least one feature, e.g. [{"feature":"FACE_MATCH"}].' })
      .default([{ feature: 'FACE_MATCH' }])
      .describe('Ordered features (default [{"feature":"FACE_MATCH"}]).'),
    is_default: z.boolean().optional(),
    session_expiration_time: z.number().int().min(1).max(43200).optional().describe('Minutes an unfinished session lives (default 1440).'),
  }),
  outputSchema: workflowSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  remoteCapable: true,
  async handler(input, ctx) {
    const wf = ctx.remote ? ((await ctx.remote.createWorkflow(input)) as z.infer<typeof workflowSchema>) : ctx.sandbox().workflows.create(ctx.app(), input);
    return {
      structured: wf,
      summary: `Created workflow "${wf.workflow_label}" (workflow_id ${wf.workflow_id}, version ${wf.version}) with features ${wf.features.join(', ')}. Next: create_session with this workflow_id.`,
    };
  },
});
