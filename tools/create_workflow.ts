// create_workflow: a verification workflow (feature list + FACE_MATCH thresholds).
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';
import { workflowSchema } from '../src/mcp/schemas.js';
import { FEATURE_ALIASES, FEATURE_NAMES } from '../src/contract/index.js';

// The platform's names, plus the older spellings the services accept (and answer with the platform's);
// the listed schema shows the platform's names only.
const NAMES = [...FEATURE_NAMES, ...Object.keys(FEATURE_ALIASES)];
const featureName = z
  .string()
  .refine((n) => NAMES.includes(n), { error: `feature must be one of ${FEATURE_NAMES.join(', ')} (UPPERCASE).` })
  .meta({ enum: [...FEATURE_NAMES] });

const featureArg = z.strictObject({
  feature: featureName,
  config: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('FACE_MATCH: face_match_score_decline_threshold, face_match_score_review_threshold (0-100), face_match_not_computed_action, face_match_max_attempts.'),
});

/** The FACE_MATCH config keys the platform knows; anything else would be silently ignored. */
const FACE_MATCH_KEYS = ['face_match_score_decline_threshold', 'face_match_score_review_threshold', 'face_match_not_computed_action', 'face_match_max_attempts'];

/** A misspelt threshold key would leave the default thresholds in place without a word: refuse it. */
function checkFaceMatchKeys(features: ReadonlyArray<{ feature: string; config?: Record<string, unknown> }>): void {
  for (const [i, f] of features.entries()) {
    if (f.feature !== 'FACE_MATCH' || !f.config) continue;
    const unknown = Object.keys(f.config).filter((k) => !FACE_MATCH_KEYS.includes(k));
    if (unknown.length) {
      throw new FacematchError(
        'VALIDATION',
        `features[${i}].config has unknown FACE_MATCH key(s) ${unknown.map((k) => `'${k}'`).join(', ')}; the platform would ignore them and keep the default thresholds. Use only ${FACE_MATCH_KEYS.join(', ')}.`,
      );
    }
  }
}

function thresholdsText(wf: Record<string, unknown>): string {
  const d = wf.face_match_score_decline_threshold;
  const r = wf.face_match_score_review_threshold;
  return typeof d === 'number' && typeof r === 'number' ? ` (FACE_MATCH: Declined at score <= ${d}, In Review <= ${r}, Approved above)` : '';
}

export const createWorkflow = defineTool({
  name: 'create_workflow',
  title: 'Create a workflow',
  description:
    'Create a workflow (POST /v3/workflows/): ordered features as names or {feature, config}, e.g. [{feature:"FACE_MATCH",config:{face_match_score_decline_threshold:50}}]. Score <= decline (default 50): Declined; <= review (default 70): In Review; else Approved (30 is the standalone POST /v3/face-match/ default). Next: create_session.',
  inputSchema: z.strictObject({
    workflow_label: z.string().min(1).max(200).optional(),
    features: z
      // A bare name is the feature with its default config.
      .array(z.union([z.string(), featureArg]).transform((f) => (typeof f === 'string' ? { feature: f } : f)).pipe(featureArg))
      .min(1, { error: 'features must list at least one feature, e.g. [{"feature":"FACE_MATCH"}].' })
      .default([{ feature: 'FACE_MATCH' }]),
    is_default: z.boolean().optional(),
    session_expiration_time: z.number().int().min(1).max(43200).optional().describe('Minutes an unfinished session lives (default 1440).'),
  }),
  outputSchema: workflowSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(input, ctx) {
    checkFaceMatchKeys(input.features);
    const wf = await ctx.platform.createWorkflow(input);
    // On stdio with no serve on this sandbox the link is the default address, which nothing answers yet.
    const st = ctx.httpBaseUrl ? null : await ctx.platform.status();
    const idle = st?.kind === 'local' && !st.live_serve_url ? ` workflow_url ${wf.workflow_url} answers only while \`npx facematch-mcp serve\` runs on this sandbox; none runs now (the link follows the serve that runs).` : '';
    return {
      structured: wf,
      summary: `Created workflow "${wf.workflow_label}" (workflow_id ${wf.workflow_id}, version ${wf.version}) with features ${wf.features.join(', ')}${thresholdsText(wf)}.${idle} Next: create_session with this workflow_id.`,
    };
  },
});
