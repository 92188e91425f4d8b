// `facematch-mcp` (no arguments) / `facematch-mcp mcp [--db PATH] [--tools a,b]`: the MCP
// server on stdio. stdout carries protocol frames only; every diagnostic goes to stderr.
// --tools (or FACEMATCH_TOOLS) exposes only the named tools, as Stripe's --tools does.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { UsageError, type Command } from './common.js';
import { DB_FLAG, defineCommand, printedHelp, readFlags } from './flags.js';
import { log } from '../log.js';
import { watchParent } from './parent-watch.js';
import { McpRuntime } from '../mcp/context.js';
import { createMcpServer } from '../mcp/server.js';
import { selectTools } from '../mcp/registry.js';
import { BudgetedStdioTransport } from '../mcp/stdio-transport.js';
import type { AnyTool } from '../mcp/tool.js';
import { TOOLS } from '../../tools/index.js';

export const MCP = defineCommand({
  name: 'mcp',
  summary: '  MCP server on stdio (also what `facematch-mcp` with no command runs).',
  flags: {
    db: DB_FLAG,
    tools: { type: 'string', value: 'LIST', description: 'expose only these tools, comma-separated (default: FACEMATCH_TOOLS, else all); unknown names exit 2' },
  },
  notes: `environment:
  FACEMATCH_API_BASE + FACEMATCH_API_KEY   act on the hosted platform instead of the sandbox
  FACEMATCH_APP                            the sandbox application to act for (id, or a name only one application has)`,
});

/** The tools to expose: --tools wins over FACEMATCH_TOOLS; unknown names stop the start-up. */
export function chooseTools(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): readonly AnyTool[] {
  const spec = flag ?? env.FACEMATCH_TOOLS;
  if (spec === undefined || !spec.trim()) {
    if (flag !== undefined) throw new UsageError('--tools is empty; name at least one tool, e.g. --tools face_match.');
    return TOOLS;
  }
  const source = flag !== undefined ? '--tools' : 'FACEMATCH_TOOLS';
  const { tools, unknown } = selectTools(TOOLS, spec);
  if (unknown.length) {
    throw new UsageError(`${source} names unknown tool(s) ${unknown.map((n) => `'${n}'`).join(', ')}; the tools are: ${TOOLS.map((t) => t.name).join(', ')}.`);
  }
  return tools;
}

const IN_FLIGHT_GRACE_MS = 60_000;

/** Counts requests that have not been answered yet, by watching the transport both ways. */
function trackInFlight(transport: Transport): { drained(timeoutMs: number): Promise<void> } {
  const pending = new Set<string | number>();
  let onIdle: (() => void) | undefined;
  const receive = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && 'id' in message) pending.add(message.id);
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    await send(message);
    if (('result' in message || 'error' in message) && 'id' in message && message.id !== undefined) {
      pending.delete(message.id);
      if (pending.size === 0) onIdle?.();
    }
  };
  return {
    drained: (timeoutMs) =>
      pending.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, timeoutMs);
            timer.unref();
            onIdle = () => {
              clearTimeout(timer);
              resolve();
            };
          }),
  };
}

export const run: Command = async (argv) => {
  if (printedHelp(MCP, argv)) return 0;
  const { values, positionals } = readFlags(MCP, argv);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' for the MCP server; it accepts --db PATH and --tools NAME[,NAME...].`);
  const { db: dbPath, tools: toolsFlag } = values;
  const tools = chooseTools(toolsFlag);
  // A stray console.log from any library would corrupt the protocol stream.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;

  const runtime = new McpRuntime({ dbPath });
  const server = createMcpServer({ runtime, tools });
  // Not the SDK's stdio transport: that one exits silently on frames over 10 MB (see stdio-transport.ts).
  const transport = new BudgetedStdioTransport();
  let closing: Promise<void> | undefined;
  const shutdown = (why: string): Promise<void> => {
    closing ??= (async () => {
      log(`MCP server stopping (${why})`);
      await server.close().catch(() => undefined);
      await runtime.close().catch((err: unknown) => log(`closing the sandbox failed: ${String(err)}`));
    })();
    return closing;
  };
  let orphaned = false;
  const done = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    // A client that is gone (killed, or a wrapping `sh -c` killed) may leave stdin open.
    watchParent((why) => {
      log(`MCP server stopping (${why})`);
      orphaned = true;
      resolve();
    });
  });
  await server.connect(transport);
  const inFlight = trackInFlight(transport);
  const cfg = runtime.config;
  const where = cfg.mode === 'hosted' ? cfg.hosted.label : cfg.mode === 'local' ? `database ${runtime.dbPath}` : `MISCONFIGURED: ${cfg.problem}`;
  log(`MCP server ready on stdio (${where}; ${tools.length} tool(s))`);
  await done;
  // Why: a client that writes its requests and closes stdin (a piped script) still gets
  // every answer; bounded so a stuck call cannot keep the process alive.
  if (!orphaned) await inFlight.drained(IN_FLIGHT_GRACE_MS);
  await shutdown('input closed');
  // Native handles (onnxruntime, sqlite worker timers) must not keep the process alive.
  setImmediate(() => process.exit(process.exitCode ?? 0)).unref();
  return 0;
};
