// Streamable HTTP MCP at /mcp, mounted beside the HTTP twin by `serve`. Stateful: each client
// gets a session (mcp-session-id) with its own McpServer; all share one sandbox and engine.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Sandbox } from '../services/index.js';
import { log } from '../log.js';
import { hostProblem, originProblem } from '../http/origin.js';
import { bearerToken } from '../sandbox-credential.js';
import { McpRuntime } from './context.js';
import { createMcpServer } from './server.js';

/** Tool arguments may carry two base64 images of 5 MB each. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_SESSIONS = 64;
const IDLE_MS = 30 * 60_000;

export interface McpHttpHandler {
  /** Handles the request when its path is the MCP endpoint; resolves false otherwise. */
  (req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Closes every MCP session (call before closing the sandbox). */
  close(): Promise<void>;
  /** Number of open MCP sessions. */
  readonly sessionCount: number;
}

export interface McpHttpOptions {
  /** Default "/mcp". */
  path?: string;
  /** Where relative image paths resolve (default process.cwd()). */
  cwd?: string;
  /** Open sessions at most (default 64); past it new sessions are refused, never others evicted. */
  maxSessions?: number;
  /** A session unused this long is closed (default 30 minutes). */
  idleMs?: number;
}

interface Entry {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string, closeConnection = false): void {
  if (res.headersSent) return;
  // After refusing a body we did not read, the connection cannot be reused.
  res.writeHead(status, closeConnection ? { 'content-type': 'application/json', connection: 'close' } : { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createMcpHttpHandler(sandbox: Sandbox, opts: McpHttpOptions = {}): McpHttpHandler {
  const path = opts.path ?? '/mcp';
  const runtime = new McpRuntime({ sandbox, cwd: opts.cwd, httpBaseUrl: sandbox.publicBaseUrl });
  const sessions = new Map<string, Entry>();
  const maxSessions = Math.max(1, opts.maxSessions ?? MAX_SESSIONS);
  const idleMs = Math.max(1000, opts.idleMs ?? IDLE_MS);
  /** Initializations in progress (not yet in `sessions`). */
  let pending = 0;

  async function drop(id: string): Promise<void> {
    const entry = sessions.get(id);
    if (!entry) return;
    sessions.delete(id);
    await entry.server.close().catch(() => undefined);
  }

  /** Drops idle sessions. Never drops an active one to make room: a client opening sessions
   *  in a loop gets refused, and other clients keep theirs. */
  function sweep(): void {
    const now = Date.now();
    for (const [id, e] of sessions) if (now - e.lastSeen > idleMs) void drop(id);
  }

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path && url.pathname !== `${path}/`) return false;
    runtime.httpBaseUrl = sandbox.publicBaseUrl;

    // DNS-rebinding guard (serve checks this too, before any handler).
    const badRequest = hostProblem(req, sandbox.publicBaseUrl) ?? originProblem(req, sandbox.publicBaseUrl);
    if (badRequest) {
      jsonRpcError(res, 403, -32000, badRequest);
      return true;
    }
    // Any local process can reach the port: the sandbox credential says the caller may act for it.
    const token = bearerToken(req);
    if (!sandbox.credential.check(token)) {
      res.setHeader('www-authenticate', 'Bearer realm="facematch-mcp"');
      jsonRpcError(
        res,
        401,
        -32001,
        token
          ? 'Wrong sandbox credential. Use the one `facematch-mcp serve` printed at start-up (also in the file <db>-credential).'
          : 'Authorization required: send Authorization: Bearer <sandbox credential>; `facematch-mcp serve` prints it at start-up and `facematch-mcp init --http URL` writes it into the client config.',
      );
      return true;
    }

    try {
      const sessionHeader = req.headers['mcp-session-id'];
      const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
      let parsed: unknown;
      if (req.method === 'POST') {
        const raw = await readBody(req);
        if (raw === null) {
          jsonRpcError(res, 413, -32600, 'Request body over 16 MB; pass images as file paths instead of base64.', true);
          return true;
        }
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          jsonRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON.');
          return true;
        }
      } else if (req.method !== 'GET' && req.method !== 'DELETE') {
        res.setHeader('allow', 'GET, POST, DELETE');
        jsonRpcError(res, 405, -32000, `Method ${req.method} is not allowed on ${path}; use POST (and GET/DELETE with mcp-session-id).`);
        return true;
      }

      if (sessionId) {
        const entry = sessions.get(sessionId);
        if (!entry) {
          jsonRpcError(res, 404, -32001, 'Session not found: it expired or the server restarted; initialize a new session.');
          return true;
        }
        entry.lastSeen = Date.now();
        await entry.transport.handleRequest(req, res, parsed);
        return true;
      }

      const isInit = req.method === 'POST' && (Array.isArray(parsed) ? parsed.some((m) => isInitializeRequest(m)) : isInitializeRequest(parsed));
      if (!isInit) {
        jsonRpcError(res, 400, -32000, 'Bad request: send an initialize request first, then the mcp-session-id header it returns.');
        return true;
      }
      sweep();
      if (sessions.size + pending >= maxSessions) {
        res.setHeader('retry-after', String(Math.ceil(idleMs / 1000)));
        jsonRpcError(
          res,
          503,
          -32000,
          `Too many open MCP sessions (${maxSessions}). Close unused ones (HTTP DELETE with mcp-session-id) or wait: sessions idle for ${Math.round(idleMs / 60_000)} minutes expire.`,
        );
        return true;
      }
      const server = createMcpServer({ runtime });
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, { transport, server, lastSeen: Date.now() });
        },
        onsessionclosed: (id) => {
          sessions.delete(id);
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      pending++;
      try {
        await transport.handleRequest(req, res, parsed);
      } finally {
        pending--;
      }
      return true;
    } catch (err) {
      log(`MCP over HTTP failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      jsonRpcError(res, 500, -32603, 'Internal error in the MCP endpoint; see the server log.');
      return true;
    }
  };

  const close = async (): Promise<void> => {
    await Promise.all([...sessions.keys()].map((id) => drop(id)));
  };
  Object.defineProperty(handler, 'sessionCount', { get: () => sessions.size });
  return Object.assign(handler, { close }) as McpHttpHandler;
}
