// list_workflows: the application's workflows, paginated.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { limitArg, offsetArg, page, workflowSchema } from '../src/mcp/schemas.js';

export const listWorkflows = defineTool({
  name: 'list_workflows',
  title: 'List workflows',
  description:
    'List the application\'s workflows (GET /v3/workflows/) with features, thresholds and version: find a workflow_id for create_session.',
  inputSchema: z.strictObject({ limit: limitArg(20), offset: offsetArg }),
  outputSchema: z.object({ ...page, results: z.array(workflowSchema) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const res = await ctx.platform.listWorkflows({ limit: input.limit, offset: input.offset });
    const lines = res.results.map((w) => `- ${w.workflow_id} "${w.workflow_label}" v${w.version}: ${w.features.join(', ')}`);
    return {
      structured: res,
      summary:
        res.count && !res.results.length
          ? `${res.count} workflow(s), none at offset ${input.offset}: use an offset below ${res.count}.`
          : res.count
            ? `${res.count} workflow(s)${res.next_offset !== null ? `, showing ${res.results.length} (next_offset ${res.next_offset})` : ''}:\n${lines.join('\n')}`
            : 'No workflows yet: call create_workflow.',
    };
  },
});
