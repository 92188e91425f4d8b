// `facematch-mcp serve [--port N] [--host 127.0.0.1] [--db PATH] [--public-url URL] [--no-mcp]
//   [--rate-limit-get N] [--rate-limit-write N]`:
// the local HTTP twin of the hosted API, with the capture pages and MCP (Streamable HTTP) at
// /mcp. Listens on loopback only; the base URL goes to stderr once the port is bound.
import { isIP } from 'node:net';
import { UsageError, type Command } from './common.js';
import { DB_FLAG, defineCommand, printedHelp, readFlags, usageLine } from './flags.js';
import { log } from '../log.js';
import { resolveDbLocation, prepareProjectSandboxDir, type DbLocation } from '../paths.js';
import { openSandbox } from '../services/index.js';
import { describeLocation } from './sandbox.js';
import { untilStopped } from './parent-watch.js';
import { startHttpServer, type ExtraHandler } from '../http/server.js';

interface ServeArgs {
  port: number;
  host: string;
  dbPath: string;
  location: DbLocation;
  publicUrl: string | null;
  mcp: boolean;
  /** Per key per minute; the hosted defaults unless raised for load tests. */
  rateLimits: { get: number; write: number };
}

export const SERVE = defineCommand({
  name: 'serve',
  summary: `The HTTP twin of the hosted API, the capture page and MCP (Streamable HTTP) at /mcp, on loopback only.
It stops when the process that started it exits (so npx or an IDE's stop leaves nothing behind).`,
  flags: {
    port: { type: 'string', value: 'N', default: '8787', description: 'the port (0 = any free port)' },
    host: { type: 'string', value: 'HOST', default: '127.0.0.1', description: 'a loopback address: 127.0.0.1, ::1 or localhost' },
    db: DB_FLAG,
    'public-url': { type: 'string', value: 'URL', description: 'the base URL session and media links use (default: the address served)' },
    'no-mcp': { type: 'boolean', description: 'no MCP endpoint at /mcp' },
    'rate-limit-get': { type: 'string', value: 'N', default: '600', description: 'GET requests per key per minute' },
    'rate-limit-write': { type: 'string', value: 'N', default: '300', description: 'other requests per key per minute' },
  },
  notes: `environment:
  FACEMATCH_KEEP_RUNNING=1   keep running after that (nohup ... &, setsid, a process manager
                             that double-forks); stop it with SIGTERM or Ctrl-C`,
});

function positiveInt(name: string, text: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} must be a whole number of requests per minute, at least 1 (got '${text}')`);
  return Number(text);
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function parseServeArgs(argv: string[]): ServeArgs {
  const { values: flags, positionals } = readFlags(SERVE, argv);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'; ${usageLine(SERVE)}`);
  const mcp = !flags['no-mcp'];
  const portText = flags.port;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535 (got '${portText}')`);
  const host = flags.host;
  if (!isLoopback(host)) {
    throw new UsageError(`--host ${host} is not a loopback address: the sandbox only listens on this computer (use 127.0.0.1, ::1 or localhost)`);
  }
  let publicUrl: string | null = null;
  if (flags['public-url']) {
    try {
      const u = new URL(flags['public-url']);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      publicUrl = u.toString().replace(/\/+$/, '');
    } catch {
      throw new UsageError(`--public-url must be an http(s) URL (got '${flags['public-url']}')`);
    }
  }
  const rateLimits = { get: positiveInt('rate-limit-get', flags['rate-limit-get']), write: positiveInt('rate-limit-write', flags['rate-limit-write']) };
  const location = resolveDbLocation({ flag: flags.db });
  return { port, host, dbPath: location.path, location, publicUrl, mcp, rateLimits };
}

export const run: Command = async (argv) => {
  if (printedHelp(SERVE, argv)) return 0;
  const args = parseServeArgs(argv);
  // Loaded before the database is opened, so a broken install fails without side effects.
  const mcpModule = args.mcp ? await import('../mcp/http.js') : null;
  prepareProjectSandboxDir(args.location);
  const sandbox = openSandbox({ dbPath: args.dbPath, backgroundCheckpoints: true });
  const mcpHandler: (ExtraHandler & { close(): Promise<void> }) | null = mcpModule ? mcpModule.createMcpHttpHandler(sandbox) : null;
  let running;
  try {
    running = await startHttpServer({
      sandbox,
      host: args.host,
      port: args.port,
      extraHandler: mcpHandler ?? undefined,
      rateLimits: args.rateLimits,
      setPublicBaseUrl: args.publicUrl === null,
    });
  } catch (err) {
    await mcpHandler?.close().catch(() => undefined);
    await sandbox.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${args.port} on ${args.host} is already in use; pick another with --port N (0 = any free port)`);
    if (code === 'EACCES') throw new UsageError(`no permission to listen on port ${args.port}; use a port above 1023`);
    throw err;
  }
  if (args.publicUrl) sandbox.publicBaseUrl = args.publicUrl;

  // The sandbox credential (for /mcp and the sandbox-only peeks) goes first, so it is on
  // screen by the time scripts see the line they wait for: the base URL, on stderr.
  const credential = sandbox.credential.ensure();
  process.stderr.write(`facematch-mcp: sandbox credential (send as "Authorization: Bearer <credential>" to /mcp): ${credential}\n`);
  process.stderr.write(`facematch-mcp: listening on ${running.url}\n`);
  process.stderr.write(`facematch-mcp: sandbox ${describeLocation(args.location)}; serves every application in it (each request acts for the application of its x-api-key)\n`);
  log(`database ${sandbox.dbPath}; session links use ${sandbox.publicBaseUrl}${mcpHandler ? `; MCP (Streamable HTTP) at ${running.url}/mcp` : ''}`);

  const signal = await untilStopped();
  log(`stopping (${signal})`);
  await running.close();
  await mcpHandler?.close().catch((err: unknown) => log(`closing MCP sessions failed: ${String(err)}`));
  await sandbox.close();
  // onnxruntime's native threads must not keep the process alive after a clean close.
  setImmediate(() => process.exit(process.exitCode ?? 0)).unref();
  return 0;
};
