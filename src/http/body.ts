// Request bodies, read with hard size caps while they stream in: nothing larger than the cap
// is ever held in memory. A cap hit stops reading at once; the server then answers and closes
// the connection (see server.ts) instead of swallowing the rest of an oversized upload.
import type { IncomingMessage } from 'node:http';
import { inexactNumber, inexactNumberSentence } from '../json-numbers.js';
import { HttpError } from './errors.js';

export const DEFAULT_JSON_LIMIT = 2 * 1024 * 1024;

/** The media type without parameters, lower-cased ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** A Content-Type parameter (e.g. boundary, charset), unquoted; undefined when absent. */
export function mediaParam(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const re = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i');
  const m = re.exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

export function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** True when the request carries (or may carry) a body. */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const n = declaredLength(req);
  return n !== null && n > 0;
}

export function tooLarge(limit: number, what = 'request body'): HttpError {
  return new HttpError(413, `${what} is larger than the ${formatBytes(limit)} limit`);
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}

/**
 * Feeds each chunk of the body to `onChunk`. If `onChunk` throws (a cap was hit), reading stops
 * immediately and the promise rejects with that error; the socket is left for the server to
 * answer on and close.
 */
export function consume(req: IncomingMessage, onChunk: (chunk: Buffer) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      if (settled) return;
      try {
        onChunk(chunk);
      } catch (err) {
        fail(err);
      }
    };
    const onEnd = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => fail(new HttpError(400, `the request body could not be read: ${err.message}`));
    const onAborted = (): void => fail(new HttpError(400, 'the client closed the connection before the body was complete'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    req.resume();
  });
}

/** Reads the whole body, refusing (413) as soon as it passes `limit`. */
export async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== null && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  await consume(req, (chunk) => {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  });
  return Buffer.concat(chunks, size);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Deeper JSON than this is refused: nothing in the API nests past a few levels. */
export const MAX_JSON_DEPTH = 64;

/** The deepest [ / { nesting in JSON text, ignoring brackets inside strings. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}

/**
 * The JSON object in the body. An empty body is `{}` (the services then name the missing
 * fields); anything but a JSON object is a 400; a non-JSON content type is a 415; a number
 * JSON.parse would change (see inexactNumber) is a 400 that says so, never a silent change.
 */
export async function readJsonObject(req: IncomingMessage, limit = DEFAULT_JSON_LIMIT): Promise<Record<string, unknown>> {
  const contentType = req.headers['content-type'];
  const type = mediaType(contentType);
  if (!hasBody(req) && !type) return {};
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new HttpError(415, type ? `unsupported Content-Type '${type}': send the body as application/json` : 'missing Content-Type: send the body as application/json');
  }
  const charset = mediaParam(contentType, 'charset');
  if (charset && !/^utf-?8$/i.test(charset)) throw new HttpError(415, `unsupported charset '${charset}': send the JSON body as UTF-8`);
  const raw = await readRaw(req, limit);
  if (raw.length === 0) return {};
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new HttpError(400, 'malformed JSON: the body is not valid UTF-8');
  }
  if (!text.trim()) return {};
  // Deep nesting would blow the stack later (JSON.stringify, validation): refuse it here.
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new HttpError(400, `malformed JSON: nested deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `malformed JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'the JSON body must be an object, e.g. {"field": "value"}');
  }
  const changed = inexactNumber(text);
  if (changed !== null) throw new HttpError(400, inexactNumberSentence(changed));
  return value as Record<string, unknown>;
}
