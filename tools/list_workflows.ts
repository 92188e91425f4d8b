// list_workflows: the application's workflows, paginated.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { limitArg, offsetArg, page, workflowSchema } from '../src/mcp/schemas.js';

export const listWorkflows = defineTool({
  name: 'list_workflows',
  title: 'List workflows',
  description:
    'List the application\'s workflows (workflow_id, label, features, thresholds, version), newest first as the platform returns them. Use it to find a workflow_id for create_session.',
  inputSchema: z.strictObject({ limit: limitArg(20), offset: offsetArg }),
  outputSchema: z.object({ ...page, results: z.array(workflowSchema) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  remoteCapable: true,
  async handler(input, ctx) {
    const raw = ctx.remote ? await ctx.remote.listWorkflows() : ctx.sandbox().workflows.list(ctx.app());
    const all = (Array.isArray(raw) ? raw : ((raw as { results?: unknown[] }).results ?? [])) as z.infer<typeof workflowSchema>[];
    const results = all.slice(input.offset, input.offset + input.limit);
    const next = input.offset + results.length < all.length ? input.offset + results.length : null;
    const lines = results.map((w) => `- ${w.workflow_id} "${w.workflow_label}" v${w.version}: ${w.features.join(', ')}`);
    return {
      structured: { count: all.length, next_offset: next, results },
      summary: all.length && !results.length
        ? `${all.length} workflow(s), none at offset ${input.offset}: use an offset below ${all.length}.`
        : all.length
        ? `${all.length} workflow(s)${next !== null ? `, showing ${results.length} (next_offset ${next})` : ''}:\n${lines.join('\n')}`
        : 'No workflows yet: call create_workflow.',
    };
  },
});
