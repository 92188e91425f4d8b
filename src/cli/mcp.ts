// `facematch-mcp` (no arguments) / `facematch-mcp mcp [--db PATH]`: the MCP server on stdio.
// stdout carries protocol frames only; every diagnostic goes to stderr.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { UsageError, type Command } from './common.js';
import { log } from '../log.js';
import { McpRuntime } from '../mcp/context.js';
import { createMcpServer } from '../mcp/server.js';
import { BudgetedStdioTransport } from '../mcp/stdio-transport.js';

function parseArgs(argv: string[]): { dbPath?: string } {
  const out: { dbPath?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--db') {
      const v = argv[++i];
      if (!v) throw new UsageError('--db needs a path to the sandbox database file.');
      out.dbPath = v;
    } else if (a.startsWith('--db=')) {
      out.dbPath = a.slice(5);
    } else {
      throw new UsageError(`unknown option '${a}' for the MCP server; only --db PATH is accepted.`);
    }
  }
  return out;
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
  const { dbPath } = parseArgs(argv);
  // A stray console.log from any library would corrupt the protocol stream.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;

  const runtime = new McpRuntime({ dbPath });
  const server = createMcpServer({ runtime });
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
  const done = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.connect(transport);
  const inFlight = trackInFlight(transport);
  log(`MCP server ready on stdio (database ${runtime.dbPath}${runtime.remote ? `, remote ${runtime.remote.baseUrl}` : ''})`);
  await done;
  // Why: a client that writes its requests and closes stdin (a piped script) still gets
  // every answer; bounded so a stuck call cannot keep the process alive.
  await inFlight.drained(IN_FLIGHT_GRACE_MS);
  await shutdown('input closed');
  // Native handles (onnxruntime, sqlite worker timers) must not keep the process alive.
  setImmediate(() => process.exit(process.exitCode ?? 0)).unref();
  return 0;
};
