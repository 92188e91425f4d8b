// sandbox_status: where the sandbox lives, what is in it, and how this server is wired.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { readSpecText } from '../src/mcp/resources.js';

export const sandboxStatus = defineTool({
  name: 'sandbox_status',
  title: 'Sandbox status',
  description:
    'Show the sandbox\'s state: database path, the HTTP twin\'s base URL when this server runs inside `facematch-mcp serve` (null on stdio: run `npx facematch-mcp serve` for the HTTP API and capture pages), the active application, row counts, whether the face models are loaded, and remote mode. No secrets: keys are redacted. Use it to find the base URL for the app\'s FACEMATCH_API_BASE or to check state after a scenario.',
  inputSchema: z.strictObject({}),
  outputSchema: z.object({
    db_path: z.string(),
    http_base_url: z.string().nullable(),
    capture_base_url: z.string().describe('Base of session capture-page URLs (served by `facematch-mcp serve`).'),
    application_id: z.string().nullable(),
    organization_id: z.string().nullable(),
    counts: z.record(z.string(), z.number()),
    models_loaded: z.boolean(),
    remote: z.object({ base_url: z.string(), api_key: z.string() }).nullable(),
    spec_source: z.string(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(_input, ctx) {
    const sandbox = ctx.sandbox();
    const st = sandbox.status();
    const app = sandbox.accounts.defaultApplication();
    const out = {
      db_path: st.dbPath,
      http_base_url: ctx.httpBaseUrl,
      capture_base_url: st.publicBaseUrl,
      application_id: app?.applicationId ?? null,
      organization_id: app?.organizationId ?? null,
      counts: st.counts,
      models_loaded: ctx.modelsLoaded(),
      remote: ctx.remote ? ctx.remote.describe() : null,
      spec_source: readSpecText().source,
    };
    const counts = Object.entries(st.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return {
      structured: out,
      summary:
        `Sandbox ${st.dbPath}: ${counts || 'empty'}. ` +
        (app ? `Active application ${app.applicationId}. ` : 'No account yet: call provision_account. ') +
        (ctx.httpBaseUrl ? `HTTP twin at ${ctx.httpBaseUrl}. ` : 'HTTP twin not running in this process (run `npx facematch-mcp serve`). ') +
        (ctx.remote ? `Remote mode: account-free tools call ${ctx.remote.baseUrl}.` : ''),
    };
  },
});
