// Maps anything a handler throws to an HTTP reply. Caller-fixable problems (FacematchError)
// keep their message and field errors; anything else is a bug: a bare 500 for the client and
// the stack on stderr.
import { ZodError } from 'zod';
import { fieldsFromIssues, isFacematchError } from '../errors.js';
import { log } from '../log.js';
import type { Reply } from './reply.js';

/** Raised by the transport itself (bad framing, wrong content type, body too large). */
export class HttpError extends Error {
  readonly status: number;
  readonly fields: Record<string, string[]> | undefined;
  readonly headers: Record<string, string> | undefined;
  constructor(status: number, message: string, options: { fields?: Record<string, string[]>; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.fields = options.fields;
    this.headers = options.headers;
  }
}

function body(message: string, fields: Record<string, string[]> | undefined): Record<string, unknown> {
  // Field errors sit beside `detail` (DRF style); `detail` always wins a name clash.
  return { ...(fields ?? {}), detail: message };
}

/** The engine's bounded queue is full: `{ code: 'ENGINE_BUSY', retryAfterSeconds }` (any error
 *  or plain object of that shape). Waiting would grow without bound, so the client retries. */
export function engineBusy(err: unknown): { message: string; retryAfterSeconds: number } | null {
  if (err === null || typeof err !== 'object' || (err as { code?: unknown }).code !== 'ENGINE_BUSY') return null;
  const raw = Number((err as { retryAfterSeconds?: unknown }).retryAfterSeconds);
  const retryAfterSeconds = Number.isFinite(raw) && raw > 0 ? Math.min(3600, Math.ceil(raw)) : 1;
  const text = (err as { message?: unknown }).message;
  return { message: typeof text === 'string' && text ? text : 'The face engine is busy', retryAfterSeconds };
}

export function errorReply(err: unknown, where: string): Reply {
  const busy = engineBusy(err);
  if (busy) {
    return {
      status: 429,
      json: { detail: `${busy.message.replace(/[.\s]+$/, '')}: too many face matches are queued. Retry in ${busy.retryAfterSeconds} s.` },
      headers: { 'Retry-After': String(busy.retryAfterSeconds) },
    };
  }
  if (err instanceof HttpError) return { status: err.status, json: body(err.message, err.fields), headers: err.headers };
  if (isFacematchError(err)) return { status: err.status, json: body(err.message, err.fields) };
  if (err instanceof ZodError) {
    // Services are meant to wrap these; if one slips through it is still the caller's input.
    const fields = fieldsFromIssues(err.issues);
    const names = Object.keys(fields).join(', ');
    return { status: 400, json: body(`invalid value for ${names}`, fields) };
  }
  log(`internal error in ${where}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return { status: 500, json: { detail: 'internal error' } };
}
