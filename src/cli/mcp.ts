// `facematch-mcp` (no arguments) / `facematch-mcp mcp [--db PATH]`: the MCP server on stdio.
// stdout carries protocol frames only; every diagnostic goes to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { UsageError, type Command } from './common.js';
import { log } from '../log.js';
import { McpRuntime } from '../mcp/context.js';
import { createMcpServer } from '../mcp/server.js';

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

export const run: Command = async (argv) => {
  const { dbPath } = parseArgs(argv);
  // A stray console.log from any library would corrupt the protocol stream.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;

  const runtime = new McpRuntime({ dbPath });
  const server = createMcpServer({ runtime });
  const transport = new StdioServerTransport();
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
  log(`MCP server ready on stdio (database ${runtime.dbPath}${runtime.remote ? `, remote ${runtime.remote.baseUrl}` : ''})`);
  await done;
  await shutdown('input closed');
  // Native handles (onnxruntime, sqlite worker timers) must not keep the process alive.
  setImmediate(() => process.exit(process.exitCode ?? 0)).unref();
  return 0;
};
