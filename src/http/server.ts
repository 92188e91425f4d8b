// The HTTP twin: plain node:http, one router, one error mapper. Every response is JSON (or the
// capture page's HTML), every client mistake is a 4xx with {"detail": ...}, and an unexpected
// error is a bare 500 with the stack on stderr only.
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { log } from '../log.js';
import { bearerToken } from '../sandbox-credential.js';
import type { Sandbox } from '../services/index.js';
import { declaredLength, formatBytes } from './body.js';
import { uploadTooLarge } from './multipart.js';
import { errorReply, HttpError } from './errors.js';
import { apiSegments, hostedOnlyArea, hostedOnlyDetail } from './hosted-only.js';
import { hostProblem, originProblem, repeatedHost } from './origin.js';
import { SlidingWindowLimiter, rateHeaders, scopeOf, type RateLimits } from './rate-limit.js';
import { detail, send, type Reply } from './reply.js';
import { pathSegments, Router, type Route, type RouteContext, type UploadLimits } from './router.js';
import { ALL_ROUTES } from './routes/index.js';

export type ExtraHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface HttpServerOptions {
  /** Requests per 60 s window per authenticated key (or client address); hosted: 600 GET, 300 write. */
  rateLimits?: Partial<RateLimits>;
  /** Runs first for every request; resolve true when it answered (the MCP endpoint at /mcp). */
  extraHandler?: ExtraHandler;
  /** Body caps; defaults: 5 MB per image, 11 MB per multipart request, 2 MB JSON. */
  limits?: Partial<UploadLimits>;
  /** Clock for the rate limiter (tests). */
  now?: () => number;
}

/** Sandbox-only endpoints that hand out secrets: they need the sandbox credential. */
const CREDENTIAL_PATHS = ['/sandbox/verification-code/'];

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxImageBytes: 5 * 1024 * 1024,
  maxMultipartBytes: 11 * 1024 * 1024,
  maxFieldBytes: 64 * 1024,
  maxJsonBytes: 2 * 1024 * 1024,
};

/** After an early refusal, how much of the unread body we swallow before cutting the socket. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Whose window a request counts against: the authenticated API key (or signed-in user's token) on
 * routes that need one (so a key padded with characters that authentication trims is still the
 * same key), and the client address everywhere else, including for credentials that do not
 * authenticate (a made-up key per request must not buy a fresh window).
 */
function rateIdentifier(req: IncomingMessage, route: Route, sandbox: Sandbox): string {
  const address = `ip:${req.socket.remoteAddress ?? 'unknown'}`;
  if (!route.authenticated) return address;
  const header = req.headers['x-api-key'];
  const key = Array.isArray(header) ? header[0] : header;
  const bearer = key ? undefined : bearerToken(req);
  try {
    if (key) {
      const app = sandbox.accounts.authenticate(key);
      return `key:${app.keyId ?? app.applicationId}`;
    }
    if (bearer) {
      sandbox.accounts.authenticateBearer(bearer, {});
      return `user:${createHash('sha256').update(bearer).digest('base64url')}`;
    }
  } catch {
    // Falls through to the address.
  }
  return address;
}

/**
 * The response was sent before the body was read (a cap was hit, or the route takes no body).
 * Swallow the rest so the client can read our answer, but only up to a limit: past it the
 * socket is cut, so an endless upload costs nothing.
 */
function drainUnread(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let seen = 0;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_TIMEOUT_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_LIMIT_BYTES) {
      clearTimeout(timer);
      req.socket.destroy();
    }
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}

function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  return { path, query };
}

export function createHttpServer(sandbox: Sandbox, opts: HttpServerOptions = {}): http.Server {
  const router = new Router(ALL_ROUTES);
  const limiter = new SlidingWindowLimiter(opts.rateLimits ?? {}, opts.now);
  const limits: UploadLimits = { ...DEFAULT_UPLOAD_LIMITS, ...opts.limits };
  const maxBody = Math.max(limits.maxMultipartBytes, limits.maxJsonBytes);

  /** Host, Origin and sandbox-credential checks, before any handler (including /mcp) runs. */
  function guard(req: IncomingMessage): Reply | null {
    const twoHosts = repeatedHost(req);
    if (twoHosts) return detail(400, twoHosts);
    const badHost = hostProblem(req, sandbox.publicBaseUrl);
    if (badHost) return detail(req.headers.host ? 403 : 400, badHost);
    const badOrigin = originProblem(req, sandbox.publicBaseUrl);
    if (badOrigin) return detail(403, badOrigin);
    const { path } = splitTarget(req.url ?? '/');
    if (CREDENTIAL_PATHS.some((p) => path === p || path === p.slice(0, -1)) && !sandbox.credential.check(bearerToken(req))) {
      return {
        status: 401,
        json: { detail: 'This sandbox-only endpoint needs the sandbox credential: send Authorization: Bearer <credential> (serve prints it at start-up; it is also in the file <db>-credential).' },
        headers: { 'WWW-Authenticate': 'Bearer realm="facematch-sandbox"' },
      };
    }
    return null;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<Reply> {
    const method = (req.method ?? 'GET').toUpperCase();
    const { path, query } = splitTarget(req.url ?? '/');
    const segments = pathSegments(path);
    const match = router.match(method, segments);
    if (match.kind === 'none') {
      const api = apiSegments(segments);
      const area = api ? hostedOnlyArea(api) : null;
      if (area) return detail(501, hostedOnlyDetail(path, area));
      return detail(404, `Not found: no endpoint at ${path.slice(0, 200)}`);
    }
    if (match.kind === 'method') {
      return { status: 405, json: { detail: `Method "${method}" not allowed on ${path.slice(0, 200)}; use ${match.allow.join(', ')}.` }, headers: { Allow: match.allow.join(', ') } };
    }
    if (match.route.rateLimited) {
      const decision = limiter.check(rateIdentifier(req, match.route, sandbox), scopeOf(method));
      for (const [name, value] of Object.entries(rateHeaders(decision))) res.setHeader(name, value);
      if (!decision.allowed) {
        return detail(429, `Request was throttled: at most ${decision.limit} ${scopeOf(method) === 'get' ? 'GET' : 'write'} requests per minute per key. Expected available in ${decision.retryAfterS} seconds.`);
      }
    }
    const ctx: RouteContext = { req, res, method, path, params: match.params, query, sandbox, limits };
    return await match.route.handler(ctx);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const where = `${req.method} ${(req.url ?? '').split('?', 1)[0]!.slice(0, 200)}`;
    const refused = guard(req);
    if (refused) {
      send(res, refused, req.method);
      if (!req.complete) res.once('finish', () => drainUnread(req));
      return;
    }
    try {
      if (opts.extraHandler && (await opts.extraHandler(req, res))) return;
    } catch (err) {
      if (!res.headersSent) send(res, errorReply(err, where), req.method);
      else res.destroy();
      return;
    }
    let reply: Reply;
    try {
      reply = await route(req, res);
    } catch (err) {
      reply = errorReply(err, where);
    }
    if (res.headersSent || res.writableEnded) return;
    try {
      send(res, reply, req.method);
    } catch (err) {
      log(`could not send the response to ${where}: ${err instanceof Error ? err.message : String(err)}`);
      res.destroy();
      return;
    }
    if (!req.complete) res.once('finish', () => drainUnread(req));
  }

  // requireHostHeader off: a missing Host gets our JSON 400 (from guard) instead of Node's empty one.
  const server = http.createServer({ requestTimeout: 120_000, headersTimeout: 30_000, requireHostHeader: false }, (req, res) => {
    void handle(req, res);
  });

  // Any Expect other than 100-continue: Node would answer an empty 417.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    send(res, detail(417, `Expectation '${String(req.headers.expect).slice(0, 100)}' is not supported; only Expect: 100-continue is.`), req.method);
  });

  // CONNECT (proxy tunnels) and protocol upgrades: Node would drop the socket without a word.
  const refuseRaw = (status: number, text: string, message: string) => (_req: IncomingMessage, socket: Socket): void => {
    const body = JSON.stringify({ detail: message });
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
  server.on('connect', refuseRaw(405, 'Method Not Allowed', 'CONNECT is not supported: this is an API server, not a proxy.'));
  server.on('upgrade', refuseRaw(400, 'Bad Request', 'Protocol upgrades (WebSocket) are not supported; use plain HTTP requests.'));

  // Expect: 100-continue (curl does this for bodies over 1 MB): refuse an oversized body before
  // the client sends a byte of it. /mcp decides for itself.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = declaredLength(req);
    const isMcp = (req.url ?? '').startsWith('/mcp');
    if (!isMcp && declared !== null && declared > maxBody) {
      const multipart = /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
      const refusal = multipart ? uploadTooLarge(limits.maxMultipartBytes, limits.maxImageBytes) : new HttpError(413, `request body is larger than the ${formatBytes(maxBody)} limit`);
      send(res, errorReply(refusal, 'expect-continue'), req.method);
      return;
    }
    res.writeContinue();
    void handle(req, res);
  });

  // Broken HTTP framing never reaches a handler: answer it in JSON too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, text] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : [400, 'Bad Request'];
    const body = JSON.stringify({ detail: status === 400 ? `malformed HTTP request (${err.code ?? 'parse error'})` : text });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  return server;
}

export interface StartOptions extends HttpServerOptions {
  sandbox: Sandbox;
  host?: string;
  port?: number;
  /** Point the sandbox's session and media URLs at this server (default true). */
  setPublicBaseUrl?: boolean;
}

export interface RunningServer {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

export function baseUrlOf(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/** Listens (port 0 = any free port), then resolves with the base URL. Does not own the sandbox. */
export async function startHttpServer(opts: StartOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = createHttpServer(opts.sandbox, opts);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(opts.port ?? 8787, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = baseUrlOf(host, port);
  if (opts.setPublicBaseUrl !== false) opts.sandbox.publicBaseUrl = url;
  let closing: Promise<void> | null = null;
  return {
    server,
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Give in-flight answers a moment, then cut whatever is left.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}
