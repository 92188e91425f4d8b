// Signs a webhook exactly as the hosted (Python) service does: body sent = ASCII canonical
// dump; X-Signature over it, X-Signature-V2 over the ensure_ascii=False dump, and
// X-Signature-Simple over "{timestamp}:{session_id}:{status}:{webhook_type}".
import { createHmac } from 'node:crypto';
import { FacematchError } from '../errors.js';
import { canonicalNumberText, dumpPython, pythonFloatRepr, valueToTree } from './canonical.js';
import type { JsonNode } from './json-tree.js';

export const SIGNATURE_HEADERS = ['X-Signature', 'X-Signature-V2', 'X-Signature-Simple'] as const;
export type SignatureHeaderName = (typeof SIGNATURE_HEADERS)[number];

export const WEBHOOK_USER_AGENT = 'DiditWebhook/2.0';

export interface WebhookHeaders {
  'Content-Type': 'application/json';
  'User-Agent': string;
  'X-Signature': string;
  'X-Signature-V2': string;
  'X-Signature-Simple': string;
  'X-Timestamp': string;
  [name: string]: string;
}

export interface SignedWebhook {
  /** The exact bytes to POST (ASCII canonical JSON). */
  body: string;
  headers: WebhookHeaders;
  /** The ensure_ascii=False canonical text that X-Signature-V2 covers. */
  bodyV2: string;
  /** The "{timestamp}:{session_id}:{status}:{webhook_type}" text that X-Signature-Simple covers. */
  simpleMessage: string;
}

export interface SignOptions {
  /** Unix seconds for X-Timestamp when the payload has no `timestamp` field (default: now). */
  timestamp?: number;
}

/** Hex HMAC-SHA256 of a UTF-8 message. */
export function hmacSha256Hex(secret: string, message: string | Uint8Array): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

/**
 * The signature of one header kind over the text that kind covers (the ASCII body for
 * X-Signature, the V2 text for X-Signature-V2, the simple message for X-Signature-Simple).
 */
export function signatureFor(kind: SignatureHeaderName, text: string, secret: string): string {
  if (!SIGNATURE_HEADERS.includes(kind)) {
    throw new FacematchError('VALIDATION', `unknown signature header '${String(kind)}'; use one of ${SIGNATURE_HEADERS.join(', ')}.`);
  }
  return hmacSha256Hex(secret, text);
}

/** A top-level field of an object tree (the last one when repeated, as in a Python dict). */
export function topLevelField(root: JsonNode, key: string): JsonNode | undefined {
  if (root.kind !== 'object') return undefined;
  let found: JsonNode | undefined;
  for (const e of root.entries) if (e.key === key) found = e.value;
  return found;
}

/** Python's str() of a scalar field inside an f-string; undefined for objects and arrays. */
export function pythonStr(node: JsonNode | undefined): string | undefined {
  if (node === undefined) return 'None'; // payload.get(key) of a missing key
  switch (node.kind) {
    case 'null':
      return 'None';
    case 'bool':
      return node.value ? 'True' : 'False';
    case 'string':
      return node.value;
    case 'number':
      return canonicalNumberText(node.raw);
    default:
      return undefined;
  }
}

export const SIMPLE_FIELDS = ['timestamp', 'session_id', 'status', 'webhook_type'] as const;

/**
 * The X-Signature-Simple message of a payload tree. When the payload has no `timestamp`, the
 * X-Timestamp value stands in (`fallbackTimestamp`). Returns a problem sentence instead when a
 * field cannot be written (an object or array).
 */
export function simpleMessageOf(root: JsonNode, fallbackTimestamp?: string): { message: string } | { problem: string } {
  const parts: string[] = [];
  for (const key of SIMPLE_FIELDS) {
    const node = topLevelField(root, key);
    if (key === 'timestamp' && node === undefined && fallbackTimestamp !== undefined) {
      parts.push(fallbackTimestamp);
      continue;
    }
    const s = pythonStr(node);
    if (s === undefined) return { problem: `field '${key}' is an ${node?.kind}; X-Signature-Simple needs a scalar there.` };
    parts.push(s);
  }
  return { message: parts.join(':') };
}

/** Signs a parsed tree (used by signWebhook and by the CLI, whose trees keep big integers). */
export function signTree(root: JsonNode, secret: string, opts: SignOptions = {}): SignedWebhook {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new FacematchError('VALIDATION', 'the webhook secret is empty; pass the destination\'s secret_shared_key.');
  }
  if (root.kind !== 'object') {
    throw new FacematchError('VALIDATION', `a webhook payload must be a JSON object, not ${root.kind === 'array' ? 'an array' : `a ${root.kind}`}.`);
  }
  const body = dumpPython(root, { ensureAscii: true });
  const bodyV2 = dumpPython(root, { ensureAscii: false });

  const tsNode = topLevelField(root, 'timestamp');
  let timestamp: string;
  if (tsNode !== undefined) {
    const s = pythonStr(tsNode);
    const numeric = tsNode.kind === 'number' || (tsNode.kind === 'string' && /^\d+(\.\d+)?$/.test(tsNode.value));
    if (s === undefined || !numeric) {
      throw new FacematchError('VALIDATION', 'payload.timestamp must be a number of unix seconds.');
    }
    timestamp = s;
  } else {
    const t = opts.timestamp ?? Math.floor(Date.now() / 1000);
    if (!Number.isFinite(t)) throw new FacematchError('VALIDATION', 'opts.timestamp must be a finite number of unix seconds.');
    timestamp = Number.isInteger(t) ? BigInt(t).toString() : pythonFloatRepr(t);
  }

  const simple = simpleMessageOf(root, timestamp);
  if ('problem' in simple) throw new FacematchError('VALIDATION', `cannot sign: ${simple.problem}`);

  return {
    body,
    bodyV2,
    simpleMessage: simple.message,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': WEBHOOK_USER_AGENT,
      'X-Signature': hmacSha256Hex(secret, body),
      'X-Signature-V2': hmacSha256Hex(secret, bodyV2),
      'X-Signature-Simple': hmacSha256Hex(secret, simple.message),
      'X-Timestamp': timestamp,
    },
  };
}

/**
 * Signs a payload (a plain JS value; use bigint, or parseJsonLossless, for integers past 2^53)
 * exactly as the hosted service would, returning the body to send and its headers.
 */
export function signWebhook(payload: unknown, secret: string, opts: SignOptions = {}): SignedWebhook {
  return signTree(valueToTree(payload), secret, opts);
}
