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

export function errorReply(err: unknown, where: string): Reply {
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
