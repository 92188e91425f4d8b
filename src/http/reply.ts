// What a route handler returns, and the one place that writes it to the socket. Keeping the
// writing here means every response gets the same security headers and JSON encoding.
import type { ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as is (HTML, JS, CSS, image bytes) with `contentType`. */
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, json: value, headers };
}

export function detail(status: number, message: string, extra?: Record<string, unknown>): Reply {
  return { status, json: { detail: message, ...extra } };
}

/** Writes a reply, merging any headers already set on `res` (rate-limit headers). */
export function send(res: ServerResponse, reply: Reply, method?: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  let payload: string | Buffer;
  let contentType: string;
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    contentType = 'application/json';
  } else {
    payload = reply.body ?? '';
    contentType = reply.contentType ?? 'text/plain; charset=utf-8';
  }
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  res.statusCode = reply.status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', String(bytes.length));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (method === 'HEAD' || reply.status === 204 || reply.status === 304) res.end();
  else res.end(bytes);
}
