// Builds the MCP server: every tool of tools/index.ts, the prompts and the resources.
// Tool calls are dispatched here rather than by the SDK so that bad arguments and
// service errors come back as `isError` results that say what to fix, and so that
// structuredContent is exactly what the output schema allows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { TOOLS } from '../../tools/index.js';
import { PROMPTS } from '../../prompts/index.js';
import { promptEnv } from '../../prompts/prompt.js';
import { packageRoot } from '../paths.js';
import { log, redact } from '../log.js';
import { createToolContext, type McpRuntime } from './context.js';
import { describeToolError, formatZodIssues } from './errors.js';
import { registerResources } from './resources.js';
import type { AnyTool } from './tool.js';

export const SERVER_INSTRUCTIONS = [
  'facematch-mcp is an offline twin of Didit\'s Face Match 1:1: a local sandbox (accounts, workflows, sessions, webhooks) with a real face engine, for building and testing an integration before switching to the hosted API.',
  'Start with provision_account (then create_workflow -> create_session -> submit_session_images -> get_session_decision), or call face_match for a quick check of two photos.',
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
  /** Defaults to the full registry. */
  tools?: readonly AnyTool[];
}

export function createMcpServer({ runtime, tools = TOOLS }: CreateMcpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'facematch-mcp', title: 'Face Match 1:1 sandbox', version: packageVersion() },
    { instructions: SERVER_INSTRUCTIONS, capabilities: { tools: {}, prompts: {}, resources: {}, logging: {} } },
  );
  const byName = new Map<string, AnyTool>();
  for (const tool of tools) {
    byName.set(tool.name, tool);
    // The SDK lists the tool (JSON Schemas from zod); calls are dispatched below.
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: {
          title: tool.title,
          ...tool.annotations,
          // In remote mode these tools talk to the hosted platform: an open world.
          openWorldHint: tool.annotations.openWorldHint || (runtime.remote !== null && tool.remoteCapable === true),
        },
      },
      async () => errorResult('unreachable: calls are dispatched by facematch-mcp'),
    );
  }

  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    const tool = byName.get(name);
    if (!tool) return errorResult(`There is no tool named '${name}'. Available tools: ${[...byName.keys()].join(', ')}.`);
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
    const ctx = createToolContext(runtime, {
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
      const { text } = describeToolError(name, err);
      log(`${name} -> error after ${Date.now() - started} ms: ${text}`);
      return errorResult(text);
    }
    const checked = tool.outputSchema.safeParse(output.structured);
    if (!checked.success) {
      log(`${name} produced output that fails its schema: ${formatZodIssues(checked.error.issues)}`);
      return errorResult(`${name} hit an internal error (its result did not match the declared output schema). This is a bug in facematch-mcp; the details are in the server's stderr log.`);
    }
    const structured = checked.data as Record<string, unknown>;
    const json = JSON.stringify(structured);
    const text = json.length <= MAX_TEXT_JSON ? `${output.summary}\n\n${json}` : `${output.summary}\n\n(Full result in structuredContent: ${json.length} bytes of JSON.)`;
    const content: CallToolResult['content'] = [{ type: 'text', text }];
    for (const img of output.images ?? []) content.push({ type: 'image', data: img.data.toString('base64'), mimeType: img.mimeType });
    log(`${name} -> ok in ${Date.now() - started} ms`);
    return { content, structuredContent: structured };
  });

  for (const prompt of PROMPTS) {
    server.registerPrompt(prompt.name, { title: prompt.title, description: prompt.description, argsSchema: prompt.argsSchema }, async (args) => ({
      description: prompt.description,
      messages: [{ role: 'user', content: { type: 'text', text: prompt.render(args as Record<string, string | undefined>, await promptEnv(runtime)) } }],
    }));
  }

  registerResources(server, runtime);
  return server;
}
