// Decoding of base64 image payloads, shared by the session API (portrait_image) and the MCP
// image arguments so both accept the same text: standard or URL-safe alphabet, whitespace
// ignored, an optional data:...;base64, prefix. Callers word the errors for their audience.

const BASE64_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;

export type Base64Result = { ok: true; bytes: Buffer } | { ok: false; problem: 'invalid' | 'empty' | 'too_large' };

/** Whether `text` (whitespace removed) is made only of base64 characters. */
export function looksLikeBase64(text: string): boolean {
  return BASE64_RE.test(text.replace(/\s+/g, ''));
}

/** Decodes `text`, refusing anything over `maxBytes` before decoding it in full. */
export function decodeBase64(text: string, maxBytes: number): Base64Result {
  const clean = text.replace(/^data:[a-z/+.-]+;base64,/i, '').replace(/\s+/g, '');
  if (!clean) return { ok: false, problem: 'empty' };
  if (!BASE64_RE.test(clean)) return { ok: false, problem: 'invalid' };
  if (clean.length > Math.ceil((maxBytes * 4) / 3) + 4) return { ok: false, problem: 'too_large' };
  // Node's base64 decoder reads both the standard and the URL-safe alphabet.
  const bytes = Buffer.from(clean, 'base64');
  if (bytes.length === 0) return { ok: false, problem: 'empty' };
  if (bytes.length > maxBytes) return { ok: false, problem: 'too_large' };
  return { ok: true, bytes };
}
