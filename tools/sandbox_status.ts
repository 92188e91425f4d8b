// sandbox_status: which platform this server acts on, for which application, and its state.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { readSpecText } from '../src/mcp/resources.js';

export const sandboxStatus = defineTool({
  name: 'sandbox_status',
  title: 'Status: platform, application, sandbox',
  description:
    'What the tools act on: platform (local or hosted), application and how it was chosen, HTTP base URL (null on stdio: run `npx facematch-mcp serve`), row counts, models loaded.',
  inputSchema: z.strictObject({}),
  outputSchema: z.object({
    platform: z.enum(['local', 'hosted']),
    base_url: z.string().nullable(),
    application_id: z.string().nullable(),
    application_name: z.string().nullable(),
    chosen_by: z.string(),
    db_path: z.string().nullable(),
    capture_base_url: z.string().nullable(),
    counts: z.record(z.string(), z.number()).nullable(),
    models_loaded: z.boolean(),
    spec_source: z.string(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(_input, ctx) {
    const st = await ctx.platform.status();
    const a = st.acting_for;
    const out = {
      platform: st.kind,
      base_url: st.base_url,
      application_id: a.application_id,
      application_name: a.name,
      chosen_by: a.chosen_by,
      db_path: st.db_path,
      capture_base_url: st.capture_base_url,
      counts: st.counts,
      models_loaded: ctx.modelsLoaded(),
      spec_source: readSpecText().source,
    };
    const counts = Object.entries(st.counts ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return {
      structured: out,
      summary:
        `${ctx.platform.label}${st.counts ? `: ${counts || 'empty'}` : ''}. ` +
        (a.application_id ? `Acting for application ${a.name ? `"${a.name}" ` : ''}${a.application_id} (chosen by ${a.chosen_by}). ` : `Application: ${a.chosen_by}. `) +
        (st.base_url ? `API base URL ${st.base_url}.` : 'HTTP twin not running in this process (run `npx facematch-mcp serve`).'),
    };
  },
});
