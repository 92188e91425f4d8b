// Builds the MCP server: every tool of tools/index.ts, the prompts and the resources.
// Tool calls are dispatched here rather than by the SDK so that bad arguments and
// service errors come back as `isError` results that say what to fix, and so that
// structuredContent is exactly what the output schema allows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { OFFLINE_TOOLS, TOOLS } from '../../tools/index.js';
import { PROMPTS } from '../../prompts/index.js';
import { promptEnv } from '../../prompts/prompt.js';
import { KNOWN_STACKS } from '../../prompts/stacks.js';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { packageRoot } from '../paths.js';
import { log, redact } from '../log.js';
import { createToolContext, type McpRuntime } from './context.js';
import { describeToolError, formatZodIssues } from './errors.js';
import { listedTool, toolsForMode } from './registry.js';
import { registerResources } from './resources.js';
import type { AnyTool } from './tool.js';
import type { Platform } from '../platform/types.js';

export const SERVER_INSTRUCTIONS = [
  'facematch-mcp is an offline twin of Didit\'s Face Match 1:1: a local sandbox (accounts, workflows, sessions, webhooks) with a real face engine, for building and testing an integration before switching to the hosted API.',
  'Start with provision_account (then create_workflow -> create_session -> submit_session_images -> get_session_decision), or call face_match for a quick check of two photos.',
  'Webhooks: create_webhook_destination, list_webhook_deliveries, verify_webhook_signature; the facematch://spec resource is the wire contract your code must follow.',
].join('\n');

/** In hosted mode the sandbox-only tools are hidden; the first steps differ. */
export const HOSTED_INSTRUCTIONS = [
  'facematch-mcp is connected to the hosted Face Match 1:1 platform (FACEMATCH_API_BASE) with FACEMATCH_API_KEY: calls act on real data of that key\'s application.',
  'Flow: create_workflow -> create_session (the end user opens its url) -> get_session_decision -> review_session; face_match compares two photos.',
  'Webhooks: create_webhook_destination, list_webhook_deliveries, verify_webhook_signature; the facematch://spec resource is the wire contract your code must follow.',
].join('\n');

/** Text content over this size is summarised: structuredContent carries the data. */
const MAX_TEXT_JSON = 12_000;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text: redact(text) }], isError: true };
}

export interface CreateMcpServerOptions {
  runtime: McpRuntime;
  /** Defaults to the full registry (`--tools` passes a subset); sandbox-only tools are hidden when hosted. */
  tools?: readonly AnyTool[];
}

/** The line every platform result ends with: which application (and platform) it acted for. */
function actingLine(platform: Platform): string {
  try {
    const a = platform.actingFor();
    if (platform.kind === 'hosted') return `Acted on the ${platform.label} for the application of ${a.chosen_by}${a.application_id ? ` (FACEMATCH_APP ${a.application_id})` : ''}.`;
    return `Acted for application "${a.name}" (${a.application_id}, chosen by ${a.chosen_by}) in the ${platform.label}.`;
  } catch {
    return '';
  }
}

export function createMcpServer({ runtime, tools = TOOLS }: CreateMcpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'facematch-mcp', title: 'Face Match 1:1 sandbox', version: packageVersion() },
    { instructions: runtime.mode === 'hosted' ? HOSTED_INSTRUCTIONS : SERVER_INSTRUCTIONS, capabilities: { tools: { listChanged: false }, prompts: {}, resources: {}, logging: {} } },
  );
  const mode = runtime.mode;
  const offered = toolsForMode(tools, mode);
  const offline = new Set(OFFLINE_TOOLS.map((t) => t.name));
  const byName = new Map<string, AnyTool>(offered.map((t) => [t.name, t]));
  const hidden = new Map<string, AnyTool>(TOOLS.filter((t) => !byName.has(t.name)).map((t) => [t.name, t]));
  // This connection's application choice (FACEMATCH_APP, use_application, provision_account).
  const selection = runtime.newSelection();

  // Cold start: initialize answers without the face models; they load in the background right
  // after, so the first face_match finds them loaded (or joins the load already under way).
  if (mode === 'local') {
    server.server.oninitialized = () => {
      const timer = setTimeout(() => void runtime.engine().catch((err: unknown) => log(`background model load failed: ${String(err)}`)), 50);
      timer.unref();
    };
  }

  // Listed here rather than by the SDK: compact schemas, and one place that decides what is offered.
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: offered.map((t) => listedTool(t, mode, offline.has(t.name))) }));

  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    const tool = byName.get(name);
    if (!tool) {
      if (hidden.get(name)?.sandboxOnly && mode === 'hosted') {
        return errorResult(`${name} works only on the local sandbox; this server talks to the hosted platform (FACEMATCH_API_BASE). Use the hosted flow instead (open the session url in a browser; manage accounts in the console), or unset FACEMATCH_API_BASE and FACEMATCH_API_KEY to use the sandbox.`);
      }
      return errorResult(`There is no tool named '${name}'${hidden.has(name) ? ' in this server (it was left out by --tools / FACEMATCH_TOOLS)' : ''}. Available tools: ${[...byName.keys()].join(', ')}.`);
    }
    const parsed = tool.inputSchema.safeParse(args ?? {});
    if (!parsed.success) {
      const describe = (key: string): string | undefined => {
        const field = tool.inputSchema.shape[key] as { description?: string } | undefined;
        const d = field?.description;
        return d && d.length > 240 ? `${d.slice(0, 237)}...` : d;
      };
      // A misspelt or misplaced argument: say which names this tool does take.
      const unknownTop = parsed.error.issues.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0);
      const valid = Object.keys(tool.inputSchema.shape);
      const known = unknownTop ? ` (${name} takes ${valid.length ? valid.join(', ') : 'no arguments'})` : '';
      return errorResult(`${name}: invalid arguments: ${formatZodIssues(parsed.error.issues, describe)}${known}. Fix these arguments and call ${name} again.`);
    }
    await runtime.ready();
    const token = extra._meta?.progressToken;
    const ctx = createToolContext(runtime, selection, {
      signal: extra.signal,
      sendProgress:
        token === undefined
          ? null
          : (progress, total, message) =>
              extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, total, message } }),
    });
    const started = Date.now();
    let output;
    try {
      output = await tool.handler(parsed.data, ctx);
    } catch (err) {
      const { text } = describeToolError(name, err, mode);
      log(`${name} -> error after ${Date.now() - started} ms: ${text}`);
      return errorResult(text);
    }
    const checked = tool.outputSchema.safeParse(output.structured);
    if (!checked.success) {
      log(`${name} produced output that fails its schema: ${formatZodIssues(checked.error.issues)}`);
      return errorResult(`${name} hit an internal error (its result did not match the declared output schema). This is a bug in facematch-mcp; the details are in the server's stderr log.`);
    }
    const structured = checked.data as Record<string, unknown>;
    const used = ctx.usedPlatform();
    const acting = used?.actedForApplication() ? actingLine(used) : '';
    const summary = acting ? `${output.summary}\n${acting}` : output.summary;
    const json = JSON.stringify(structured);
    const text = output.summaryHasData
      ? summary
      : json.length <= MAX_TEXT_JSON
        ? `${summary}\n\n${json}`
        : `${summary}\n\n(Full result in structuredContent: ${json.length} bytes of JSON.)`;
    const content: CallToolResult['content'] = [{ type: 'text', text }];
    for (const img of output.images ?? []) content.push({ type: 'image', data: img.data.toString('base64'), mimeType: img.mimeType });
    log(`${name} -> ok in ${Date.now() - started} ms`);
    return { content, structuredContent: structured };
  });

  /** Recent delivery attempt ids of the application this connection acts for, newest first. */
  const deliveryIds = async (): Promise<string[]> => {
    if (runtime.mode !== 'local') return [];
    try {
      await runtime.ready();
      return runtime.sandboxControls(runtime.platform(selection)).recentDeliveryIds(50);
    } catch {
      return [];
    }
  };
  // completion/complete for prompt arguments: the stacks with ready advice, known delivery ids.
  const completers: Record<string, (value: string) => string[] | Promise<string[]>> = {
    my_stack: (v) => KNOWN_STACKS.filter((n) => n.toLowerCase().startsWith(v.trim().toLowerCase())),
    framework: (v) => KNOWN_STACKS.filter((n) => n.toLowerCase().startsWith(v.trim().toLowerCase())),
    delivery_id: async (v) => (await deliveryIds()).filter((id) => id.startsWith(v.trim())),
  };
  const withCompletions = (shape: (typeof PROMPTS)[number]['argsSchema']): typeof shape => {
    const out: typeof shape = {};
    for (const [name, schema] of Object.entries(shape)) {
      const complete = completers[name];
      // completable() marks the schema object itself, once: each server (one per HTTP session) marks its own copy.
      out[name] = complete ? completable(schema.clone(), (value) => complete(String(value ?? ''))) : schema;
    }
    return out;
  };

  for (const prompt of PROMPTS) {
    server.registerPrompt(prompt.name, { title: prompt.title, description: prompt.description, argsSchema: withCompletions(prompt.argsSchema) }, async (args) => ({
      description: prompt.description,
      messages: [{ role: 'user', content: { type: 'text', text: prompt.render(args as Record<string, string | undefined>, await promptEnv(runtime)) } }],
    }));
  }

  registerResources(server, runtime, selection);
  return server;
}
