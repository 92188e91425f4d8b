// A small path router: literal segments and `:param` segments, trailing slash optional,
// 404 for unknown paths and 405 (with Allow) for known paths with another method. Path
// segments are percent-decoded and checked once here, so handlers never see "..", NUL or "/".
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken } from '../sandbox-credential.js';
import type { AppContext, Sandbox } from '../services/index.js';
import { HttpError } from './errors.js';
import { FacematchError } from '../errors.js';
import { sandboxOwner } from '../paths.js';
import type { Reply } from './reply.js';

export interface UploadLimits {
  /** Per image while streaming (SPEC: 5 MB). */
  maxImageBytes: number;
  /** Whole multipart request. */
  maxMultipartBytes: number;
  /** Each text field of a multipart request. */
  maxFieldBytes: number;
  /** JSON bodies. */
  maxJsonBytes: number;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  sandbox: Sandbox;
  limits: UploadLimits;
}

export interface AuthedContext extends RouteContext {
  app: AppContext;
}

export type Handler<C extends RouteContext = RouteContext> = (ctx: C) => Promise<Reply> | Reply;

export interface Route {
  method: string;
  pattern: string;
  /** Counted by the per-key rate limiter (the hosted API exempts session-page traffic). */
  rateLimited: boolean;
  /** Needs x-api-key: the limiter then counts it per authenticated key. */
  authenticated?: boolean;
  handler: Handler;
  segments: string[];
}

function splitPattern(pattern: string): string[] {
  return pattern.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
}

function header(ctx: RouteContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined || one.trim() === '' ? undefined : one.trim();
}

/**
 * The caller of a /v3 route, as the platform accepts it: `x-api-key` (an application's key), or
 * `Authorization: Bearer <access token>` (a signed-in user, as the console and the vendor's MCP
 * server call) with the organization in `X-Didit-Organization-Id` or the console path. No
 * credentials: 403; wrong, revoked or expired ones: 401.
 */
export function authenticateRequest(ctx: RouteContext): AppContext {
  const key = header(ctx, 'x-api-key');
  const bearer = bearerToken(ctx.req);
  if (ctx.params.org !== undefined) {
    // Console routes act as a user; the platform refuses application keys there.
    if (bearer === undefined) {
      throw new HttpError(
        403,
        key === undefined
          ? 'Authentication credentials were not provided: console routes need Authorization: Bearer <access_token>.'
          : 'Console routes (/v3/organization/{org}/application/{app}/...) take a user\'s Bearer access token, not an API key; use the /v3/... route with x-api-key instead.',
      );
    }
    return ctx.sandbox.accounts.authenticateBearer(bearer, { organizationId: ctx.params.org, applicationId: ctx.params.app });
  }
  if (key !== undefined || bearer === undefined) {
    try {
      return ctx.sandbox.accounts.authenticate(key);
    } catch (err) {
      throw wrongSandboxHint(err, ctx.sandbox.dbPath);
    }
  }
  // The vendor's clients name the organization in a header; the application is the
  // organization's own (the console routes name it in the path).
  return ctx.sandbox.accounts.authenticateBearer(bearer, { organizationId: header(ctx, 'x-didit-organization-id') });
}

/**
 * An unknown key is most often one from another project's sandbox (each project has its own) or
 * from the hosted platform: say which sandbox answered and how to get a key for it.
 */
function wrongSandboxHint(err: unknown, dbPath: string): unknown {
  if (!(err instanceof FacematchError) || err.code !== 'UNAUTHORIZED' || err.message !== 'Invalid API key.') return err;
  const owner = sandboxOwner(dbPath);
  const where = owner.startsWith('the project folder ') ? ` in ${owner.slice('the project folder '.length)}` : ` with --db ${dbPath}`;
  return new FacematchError(
    'UNAUTHORIZED',
    `Invalid API key. This is the facematch-mcp sandbox of ${owner}; keys from another project's sandbox or from the hosted platform are not valid here. ` +
      `Get a key for this one: run 'npx facematch-mcp provision --email you@example.com'${where}, or send the request to the serve of the project the key came from.`,
  );
}

/** A route that needs credentials: an API key or a user's Bearer token (see authenticateRequest). */
export function keyRoute(method: string, pattern: string, handler: Handler<AuthedContext>): Route {
  return {
    method,
    pattern,
    rateLimited: true,
    authenticated: true,
    segments: splitPattern(pattern),
    handler: (ctx) => handler({ ...ctx, app: authenticateRequest(ctx) }),
  };
}

export function openRoute(method: string, pattern: string, handler: Handler, opts: { rateLimited?: boolean } = {}): Route {
  return { method, pattern, rateLimited: opts.rateLimited ?? true, segments: splitPattern(pattern), handler };
}

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method'; allow: string[] }
  | { kind: 'none' };

const MAX_SEGMENT = 512;

/** Splits and decodes a raw request path; 400 for encodings that could escape a segment. */
export function pathSegments(rawPath: string): string[] {
  if (!rawPath.startsWith('/')) throw new HttpError(400, 'the request target must be an absolute path');
  const parts = rawPath.split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // trailing slash is optional
  if (parts.length === 1 && parts[0] === '') return [];
  return parts.map((raw) => {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'malformed percent-encoding in the URL path');
    }
    if (seg === '.' || seg === '..') throw new HttpError(400, "the URL path must not contain '.' or '..' segments");
    if (/[\u0000-\u001f\u007f/\\]/.test(seg)) throw new HttpError(400, 'the URL path contains a control character, an encoded slash or a backslash');
    if (seg.length > MAX_SEGMENT) throw new HttpError(414, 'a URL path segment is too long');
    return seg;
  });
}

export class Router {
  constructor(private readonly routes: Route[]) {}

  match(method: string, segments: string[]): Match {
    const allow = new Set<string>();
    const lookup = method === 'HEAD' ? 'GET' : method;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === lookup) return { kind: 'found', route, params };
      allow.add(route.method);
    }
    if (allow.size) {
      if (allow.has('GET')) allow.add('HEAD');
      return { kind: 'method', allow: [...allow].sort() };
    }
    return { kind: 'none' };
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = actual[i]!;
    if (p.startsWith(':')) {
      if (!a) return null;
      params[p.slice(1)] = a;
    } else if (p !== a) {
      return null;
    }
  }
  return params;
}
