// Small readers for query strings and multipart text fields, each naming the field it rejects.
import { HttpError } from './errors.js';

function fieldError(field: string, message: string): HttpError {
  return new HttpError(400, `${field}: ${message}`, { fields: { [field]: [message] } });
}

/** An optional non-negative integer query parameter. */
export function queryInt(query: URLSearchParams, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d{1,15}$/.test(raw)) throw fieldError(name, `must be an integer, got '${raw.slice(0, 40)}'`);
  const n = Number(raw);
  if (opts.min !== undefined && n < opts.min) throw fieldError(name, `must be at least ${opts.min}`);
  if (opts.max !== undefined && n > opts.max) throw fieldError(name, `must be at most ${opts.max}`);
  return n;
}

export function queryString(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  return raw === null || raw === '' ? undefined : raw;
}

export function requireQuery(query: URLSearchParams, name: string): string {
  const raw = queryString(query, name);
  if (raw === undefined) throw fieldError(name, 'this query parameter is required');
  return raw;
}
