// What every service module shares: the open database, the clock, the base URL, the engine,
// plus small helpers (ids, times, input validation with field names).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { sniffFormat } from '../engine/image-format.js';
import { FacematchError, fieldsFromIssues } from '../errors.js';
import type { Db } from '../store/db.js';
import type { FaceMatcher } from './types.js';

export interface ServiceContext {
  db: Db;
  now: () => number;
  publicBaseUrl: () => string;
  engine: () => Promise<FaceMatcher>;
  /** Tells the local delivery worker that new outbox rows exist. */
  kickDelivery: () => void;
}

export const newId = (): string => randomUUID();

/** Random URL-safe token of `bytes` random bytes. */
export const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url');

export const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time comparison of two strings (different lengths compare unequal). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export const iso = (ms: number): string => new Date(ms).toISOString();

export function parseJsonColumn<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** Validates `input` with a zod schema; failures become VALIDATION errors naming each field. */
export function validate<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  if (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new FacematchError('VALIDATION', `The ${what} must be a JSON object.`, {
      fields: { non_field_errors: [`The ${what} must be a JSON object.`] },
    });
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = fieldsFromIssues(result.error.issues);
  const [firstKey, firstMessages] = Object.entries(fields)[0]!;
  const sentence = firstKey === 'non_field_errors' ? firstMessages[0]! : `${firstKey}: ${firstMessages[0]}`;
  throw new FacematchError('VALIDATION', `Invalid ${what}: ${sentence}`, { fields });
}

/** A VALIDATION error about one field. */
export function fieldError(field: string, message: string): FacematchError {
  return new FacematchError('VALIDATION', `${field}: ${message}`, { fields: { [field]: [message] } });
}

/** MIME type from the leading bytes (the file name is never trusted); the engine's sniffer decides. */
export function sniffImageType(bytes: Buffer): string | null {
  const format = sniffFormat(bytes);
  return format ? `image/${format}` : null;
}

const MAX_JSON_DEPTH = 32;
const MAX_JSON_BYTES = 64 * 1024;

/**
 * Why: metadata-like fields are stored and echoed in every webhook; a pathological value
 * (thousands of nesting levels, megabytes) would overflow JSON.stringify or bloat each
 * delivery. Returns a sentence describing the problem, or null when the value is fine.
 */
export function jsonShapeProblem(value: unknown, field: string): string | null {
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (v && typeof v === 'object') {
      if (d >= MAX_JSON_DEPTH) return `${field} is nested deeper than ${MAX_JSON_DEPTH} levels; flatten it.`;
      for (const child of Object.values(v)) stack.push({ v: child, d: d + 1 });
    }
  }
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) return `${field} is larger than ${MAX_JSON_BYTES / 1024} KB once encoded as JSON; keep it small (ids, not documents).`;
  return null;
}
