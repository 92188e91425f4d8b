// sandbox_status: which platform this server acts on, for which application, and its state.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { readSpecText } from '../src/mcp/resources.js';
import { sandboxOwner } from '../src/paths.js';

interface TwinProbe {
  url: string;
  running: boolean;
  /** Whether the server answering there serves this sandbox (null when nothing answers). */
  same_sandbox: boolean | null;
}

/**
 * Whether the HTTP twin that last recorded its URL in this sandbox still answers there, and is
 * this sandbox: a made-up key gets the 401 that names the sandbox which answered.
 */
async function probeTwin(url: string, dbPath: string): Promise<TwinProbe> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/v3/workflows/`, { headers: { 'x-api-key': 'sandbox-status-probe' }, signal: AbortSignal.timeout(1500) });
    const body = (await res.json().catch(() => ({}))) as { detail?: unknown };
    const detail = typeof body.detail === 'string' ? body.detail : '';
    const m = /sandbox of (.+?); keys from/.exec(detail);
    return { url, running: true, same_sandbox: m ? m[1] === sandboxOwner(dbPath) : false };
  } catch {
    return { url, running: false, same_sandbox: null };
  }
}

export const sandboxStatus = defineTool({
  name: 'sandbox_status',
  title: 'Status: platform, application, sandbox',
  description:
    'What the tools act on: platform (local or hosted), application and how it was chosen, HTTP base URL (on stdio: whether a `serve` on this sandbox is running, and where), row counts, models loaded.',
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
    http_twin: z.object({ url: z.string(), running: z.boolean(), same_sandbox: z.boolean().nullable() }).nullable(),
    models_loaded: z.boolean(),
    spec_source: z.string(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(_input, ctx) {
    const st = await ctx.platform.status();
    const a = st.acting_for;
    // On stdio this process has no HTTP server, but a `serve` on the same sandbox may.
    // Probed even when no serve of this sandbox runs: another project's serve may hold the default port.
    const twin = st.kind === 'local' && !st.base_url && st.capture_base_url && st.db_path ? await probeTwin(st.live_serve_url ?? st.capture_base_url, st.db_path) : null;
    const out = {
      platform: st.kind,
      base_url: st.base_url,
      application_id: a.application_id,
      application_name: a.name,
      chosen_by: a.chosen_by,
      db_path: st.db_path,
      capture_base_url: st.capture_base_url,
      counts: st.counts,
      http_twin: twin,
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
        (st.base_url
          ? `API base URL ${st.base_url}.`
          : twin?.running && twin.same_sandbox
            ? `HTTP twin running at ${twin.url} (a serve on this sandbox); use it as the API base URL.`
            : twin?.running
              ? `A server answers at ${twin.url}, but it is not this sandbox (another project's serve): keys from this sandbox get 401 there; start \`npx facematch-mcp serve --port 0\` here and use the URL it prints.`
              : st.live_serve_url
                ? `A serve on this sandbox recorded ${st.live_serve_url} but does not answer there (busy or stuck?); restart \`npx facematch-mcp serve\`.`
                : `No serve runs on this sandbox${st.last_serve ? ` (the last one used ${st.last_serve.url} and stopped at ${new Date(st.last_serve.stopped_at).toISOString()})` : ''}; session and workflow links use ${st.capture_base_url} until one does, and answer only while one runs there: run \`npx facematch-mcp serve\`.`),
    };
  },
});
