// Verifies a received webhook from its raw body bytes (never JSON.parse + JSON.stringify) and,
// when a signature fails, tries the usual alternatives to name the most likely cause.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FacematchError } from '../errors.js';
import { canonicalNumberText, dumpPython } from './canonical.js';
import { describeDifferences, V2_TIMESTAMP_VARIANT_RECEIVER, V2_TIMESTAMP_VARIANT_SENDER, type BodyDifferences } from './diagnose.js';
import { JsonSyntaxError, parseJsonTree, type JsonNode } from './json-tree.js';
import { SIGNATURE_HEADERS, simpleMessageOf, topLevelField, type SignatureHeaderName } from './sign.js';

export interface SignatureCheck {
  ok: boolean;
  reason: string;
}

export interface TimestampCheck {
  ok: boolean;
  /** now - signed timestamp, in seconds; null when there is no usable timestamp. */
  age_s: number | null;
  reason?: string;
}

export interface VerifyResult {
  /** Every signature header given verifies (at least one given) and the timestamp is fresh. */
  valid: boolean;
  /** One entry per signature header present in the request. */
  signatures: Partial<Record<SignatureHeaderName, SignatureCheck>>;
  timestamp: TimestampCheck;
  /** Set when the result is invalid for a reason outside the entries above. */
  reason?: string;
  /** Only with `receiverComputed`: whether each value the receiver computed is right, and if not, which known mistake it matches. */
  receiver?: Partial<Record<SignatureHeaderName, SignatureCheck>>;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** The request body exactly as received (a string is taken as its UTF-8 bytes). */
  rawBody: Buffer | Uint8Array | string;
  /** Request headers; names are matched case-insensitively. */
  headers: HeaderBag;
  secret: string;
  /** Unix seconds; default now. */
  now?: number;
  /** Maximum age (and clock skew) of the signed timestamp, default 300 s. */
  toleranceSeconds?: number;
  /** Hex digests the receiver's own code computed for this request, to diagnose the receiver (not the sender). */
  receiverComputed?: Partial<Record<SignatureHeaderName, string>>;
}

type Message = string | Buffer;

interface Alternative {
  message: Message | undefined;
  reason: string;
}

/** Looks a header up case-insensitively; repeated values must agree. */
function readHeader(headers: HeaderBag, name: string): { value?: string; problem?: string } {
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower || v === undefined) continue;
    // Headers typed loosely at runtime (numbers from hand-built objects) are read as text.
    if (Array.isArray(v)) values.push(...v.map(String));
    else values.push(String(v));
  }
  if (values.length === 0) return {};
  const distinct = [...new Set(values.map((v) => v.trim()))];
  if (distinct.length > 1) return { problem: `header sent ${values.length} times with different values` };
  return { value: distinct[0]! };
}

function digestOf(secret: string, message: Message): Buffer {
  return createHmac('sha256', secret).update(message).digest();
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** JSON.stringify after sorting keys the JavaScript way: the usual wrong "canonical" form. */
function javascriptStyle(text: string): string | undefined {
  const sortJs = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortJs);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = sortJs((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  try {
    return JSON.stringify(sortJs(JSON.parse(text)));
  } catch {
    return undefined;
  }
}

function signedTimestamp(root: JsonNode | undefined): { value?: number; text?: string; problem?: string } {
  const node = root ? topLevelField(root, 'timestamp') : undefined;
  if (node === undefined) return {};
  if (node.kind === 'number') {
    try {
      const text = canonicalNumberText(node.raw);
      return { value: Number(text), text };
    } catch {
      return { problem: 'the body\'s "timestamp" is out of range' };
    }
  }
  if (node.kind === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(node.value)) return { value: Number(node.value), text: node.value };
  return { problem: 'the body\'s "timestamp" is not a number of unix seconds' };
}

function checkTimestamp(
  root: JsonNode | undefined,
  headerTs: { value?: string; problem?: string },
  now: number,
  tolerance: number,
): TimestampCheck {
  const body = signedTimestamp(root);
  if (body.problem) return { ok: false, age_s: null, reason: body.problem };
  let ts = body.value;
  let note = '';
  if (headerTs.problem) note = `; X-Timestamp ${headerTs.problem}`;
  else if (headerTs.value !== undefined) {
    const h = /^\d+(\.\d+)?$/.test(headerTs.value) ? Number(headerTs.value) : NaN;
    if (ts === undefined) {
      if (Number.isNaN(h)) return { ok: false, age_s: null, reason: `X-Timestamp ${JSON.stringify(headerTs.value)} is not a number of unix seconds` };
      ts = h;
    } else if (h !== ts) {
      note = `; the X-Timestamp header (${headerTs.value}) differs from the body's signed timestamp (${body.text}), which was used`;
    }
  }
  if (ts === undefined) {
    return { ok: false, age_s: null, reason: 'no timestamp: the body has no "timestamp" field and there is no X-Timestamp header' };
  }
  const age = Math.round((now - ts) * 1000) / 1000;
  if (age > tolerance) {
    return { ok: false, age_s: age, reason: `stale timestamp: signed ${age} s ago, more than the ${tolerance} s tolerance (a replay or a long-delayed delivery)${note}` };
  }
  if (age < -tolerance) {
    return { ok: false, age_s: age, reason: `timestamp is ${-age} s in the future, beyond the ${tolerance} s tolerance (clock skew?)${note}` };
  }
  return note ? { ok: true, age_s: age, reason: `fresh${note}` } : { ok: true, age_s: age };
}

/**
 * Checks every signature header present against the raw body. A body that JSON.parse would
 * handle fine can still fail here; the reasons say why (re-serialised, reordered keys,
 * reformatted numbers, escaping, wrong secret, stale timestamp).
 */
export function verifyWebhook(opts: VerifyOptions): VerifyResult {
  const { headers, secret } = opts;
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new FacematchError('VALIDATION', 'the webhook secret is empty; pass the destination\'s secret_shared_key.');
  }
  if (headers === null || typeof headers !== 'object') {
    throw new FacematchError('VALIDATION', 'headers must be an object of header names to values.');
  }
  const tolerance = opts.toleranceSeconds ?? 300;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new FacematchError('VALIDATION', 'toleranceSeconds must be a number of seconds >= 0.');
  }
  const now = opts.now ?? Date.now() / 1000;
  if (!Number.isFinite(now)) throw new FacematchError('VALIDATION', 'now must be unix seconds.');
  let bytes: Buffer;
  if (typeof opts.rawBody === 'string') bytes = utf8(opts.rawBody);
  else if (opts.rawBody instanceof Uint8Array) bytes = Buffer.from(opts.rawBody.buffer, opts.rawBody.byteOffset, opts.rawBody.byteLength);
  else throw new FacematchError('VALIDATION', 'rawBody must be the request body as a Buffer or string, before any JSON parsing.');

  // Read the body the way the sender's Python would: UTF-8 text, then JSON with every token kept.
  let text: string | undefined;
  let root: JsonNode | undefined;
  let parseProblem: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    parseProblem = 'the body is not valid UTF-8';
  }
  if (text !== undefined) {
    try {
      root = parseJsonTree(text);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      parseProblem = `the body is not valid JSON (${err.message})`;
    }
  }
  let ascii: string | undefined;
  let v2: string | undefined;
  let diffs: BodyDifferences = { notes: [] };
  if (root !== undefined && text !== undefined) {
    try {
      ascii = dumpPython(root, { ensureAscii: true });
      v2 = dumpPython(root, { ensureAscii: false });
    } catch (err) {
      if (!(err instanceof FacematchError)) throw err;
      parseProblem = `the body cannot be re-dumped as Python would (${err.message.replace(/\.$/, '')})`;
      ascii = v2 = undefined;
    }
    diffs = describeDifferences(text, root);
  }
  const canonical = ascii !== undefined && text === ascii;
  const headerTs = readHeader(headers, 'X-Timestamp');
  const simple = root !== undefined ? simpleMessageOf(root, signedTimestamp(root).text ?? headerTs.value) : undefined;
  const simpleMessage = simple && 'message' in simple ? simple.message : undefined;

  const primary: Record<SignatureHeaderName, Message | undefined> = {
    'X-Signature': bytes,
    'X-Signature-V2': v2,
    'X-Signature-Simple': simpleMessage,
  };

  // Pass 1: which headers are present, well-formed, and verify as they should.
  type Given = { expected: Buffer } | { problem: string };
  const given = new Map<SignatureHeaderName, Given>();
  const verified = new Set<SignatureHeaderName>();
  const matches = (expected: Buffer, message: Message | undefined, key = secret): boolean =>
    message !== undefined && timingSafeEqual(expected, digestOf(key, message));
  for (const name of SIGNATURE_HEADERS) {
    const h = readHeader(headers, name);
    if (h.problem) given.set(name, { problem: h.problem });
    else if (h.value === undefined) continue;
    else if (h.value === '') given.set(name, { problem: 'header is empty' });
    else if (!/^[0-9a-fA-F]{64}$/.test(h.value)) {
      given.set(name, { problem: `header is not a 64-character hex HMAC-SHA256 digest (got ${h.value.length} characters starting ${JSON.stringify(h.value.slice(0, 12))})` });
    } else {
      const expected = Buffer.from(h.value, 'hex');
      given.set(name, { expected });
      if (matches(expected, primary[name])) verified.add(name);
    }
  }

  const notes = diffs.notes.join('; ');
  const swapped = (other: SignatureHeaderName): string => `the header holds the ${other} value (headers swapped)`;
  const jsReason =
    'it matches JSON.stringify with JavaScript key sorting, not Python\'s json.dumps: the sender signed the wrong canonical form (integer-like keys first, UTF-16 key order, JavaScript number spelling)';
  const floatsReason = 'it matches the body with whole-valued floats kept as floats (e.g. 87.0): the sender skipped turning them into ints (87) before signing';

  // Only a failed signature pays for these extra renderings.
  const alternativesFor = (name: SignatureHeaderName): Alternative[] => {
    const floatsKept = (ensureAscii: boolean): string | undefined =>
      root !== undefined && ascii !== undefined ? dumpPython(root, { ensureAscii, intifyWholeFloats: false }) : undefined;
    const asciiFloats = floatsKept(true);
    const v2Floats = floatsKept(false);
    const js = text !== undefined ? javascriptStyle(text) : undefined;
    const byBody: Alternative[] = [];
    if (name === 'X-Signature') {
      if (ascii !== undefined && !canonical) {
        byBody.push({
          message: ascii,
          reason: `the body was re-serialised: parsed and written out again before verifying (JSON.stringify(req.body), json.dumps(await request.json()), a framework's JSON body parser), which changed its bytes (${notes || 'they differ from the canonical form'}); its Python canonical form matches the signature, so verify the raw request bytes before any JSON parsing`,
        });
      }
      if (v2 !== ascii) byBody.push({ message: v2, reason: 'non-ASCII escaped differently: it matches the ensure_ascii=False (V2) text, so the sender signed raw characters where the body sent has \\uXXXX escapes (or swapped V1 and V2)' });
      if (asciiFloats !== ascii) byBody.push({ message: asciiFloats, reason: floatsReason });
    } else if (name === 'X-Signature-V2') {
      if (ascii !== v2) {
        byBody.push({ message: ascii, reason: 'non-ASCII escaped differently: it matches the ASCII-escaped body (\\uXXXX), but V2 covers the text with non-ASCII characters written as themselves (ensure_ascii=False)' });
      }
      if (v2Floats !== v2) byBody.push({ message: v2Floats, reason: floatsReason });
      if (asciiFloats !== ascii && asciiFloats !== v2Floats) byBody.push({ message: asciiFloats, reason: floatsReason });
      if (text !== undefined && text !== v2 && text !== ascii) {
        byBody.push({ message: bytes, reason: 'it matches the raw body bytes, not their ensure_ascii=False canonical re-dump: the sender signed its own serialisation' });
      }
      if (v2 !== undefined) {
        const ts = signedTimestamp(root).text ?? headerTs.value;
        if (ts !== undefined) byBody.push({ message: `${ts}:${v2}`, reason: V2_TIMESTAMP_VARIANT_SENDER });
      }
    } else {
      const bodyTs = signedTimestamp(root).text;
      if (root !== undefined && bodyTs !== undefined && headerTs.value !== undefined && headerTs.value !== bodyTs) {
        // The message starts with the body's timestamp; swap in the header's.
        byBody.push({
          message: simpleMessage === undefined ? undefined : headerTs.value + simpleMessage.slice(bodyTs.length),
          reason: `it matches the message built with the X-Timestamp header (${headerTs.value}) instead of the body's timestamp (${bodyTs}): one of them was changed after signing`,
        });
      }
    }
    if (name !== 'X-Signature-Simple' && js !== undefined && js !== text && js !== ascii && js !== v2) byBody.push({ message: js, reason: jsReason });
    for (const other of SIGNATURE_HEADERS) {
      if (other !== name && primary[other] !== undefined) byBody.push({ message: primary[other], reason: swapped(other) });
    }
    return byBody;
  };

  const fallback = (name: SignatureHeaderName): string => {
    if (name === 'X-Signature-Simple') {
      if (simpleMessage === undefined) {
        return simple && 'problem' in simple ? `cannot rebuild the signed message: ${simple.problem}` : `cannot rebuild the signed message: ${parseProblem ?? 'no body fields'}`;
      }
      const bodyOk = verified.has('X-Signature') || verified.has('X-Signature-V2');
      return bodyOk
        ? `HMAC-SHA256 of ${JSON.stringify(simpleMessage)} differs although the body signature verifies: the header was altered or built from other values`
        : `wrong secret, or timestamp, session_id, status or webhook_type changed after signing: HMAC-SHA256 of ${JSON.stringify(simpleMessage)} with this secret differs`;
    }
    if (parseProblem !== undefined) {
      return name === 'X-Signature'
        ? `${parseProblem}, so no re-serialisation could be tried: the body was changed or truncated after signing, or the secret is wrong`
        : `${parseProblem}; X-Signature-V2 covers the parsed body re-dumped, so it cannot be checked`;
    }
    if (diffs.roundedInteger !== undefined) {
      // Every cause once: the notes already start with their own labels.
      return `${notes}; the original digits cannot be rebuilt, so verify the raw request bytes before any JSON.parse`;
    }
    if (!canonical && name === 'X-Signature') {
      return `the body is not in Python's canonical form (${notes}) and neither it nor its canonical re-dump matches: the content changed after signing, or the secret is wrong`;
    }
    if (verified.has('X-Signature-Simple')) {
      return 'the body differs from what was signed (the secret is right: X-Signature-Simple verifies, but it does not cover metadata, vendor_data or decision)';
    }
    const sibling: SignatureHeaderName = name === 'X-Signature' ? 'X-Signature-V2' : 'X-Signature';
    if (verified.has(sibling)) return `it does not match although ${sibling} verifies the same content: the ${name} header was altered`;
    return `wrong secret: the body ${canonical ? 'is in Python\'s canonical form' : 'parses'} but its HMAC-SHA256 with this secret differs (or the body was altered after signing)`;
  };

  const okReason = (name: SignatureHeaderName): string => {
    if (name === 'X-Signature') return 'matches the HMAC-SHA256 of the raw body bytes';
    if (name === 'X-Signature-V2') {
      const base = 'matches the HMAC-SHA256 of the body re-dumped as Python json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)';
      return canonical
        ? base
        : `${base}; note: this body is not the bytes that were sent: it was parsed and serialised again (JSON.stringify(req.body), json.dumps(await request.json()), a framework's JSON body parser), which changed it (${notes}); X-Signature, over the raw bytes, fails on it: verify the raw request body`;
    }
    return `matches the HMAC-SHA256 of ${JSON.stringify(simpleMessage)} (timestamp:session_id:status:webhook_type; metadata and vendor_data are not covered)`;
  };

  // Pass 2: a reason for every header given.
  const signatures: Partial<Record<SignatureHeaderName, SignatureCheck>> = {};
  const trimmed = secret.trim();
  for (const [name, g] of given) {
    if ('problem' in g) {
      signatures[name] = { ok: false, reason: g.problem };
      continue;
    }
    if (verified.has(name)) {
      signatures[name] = { ok: true, reason: okReason(name) };
      continue;
    }
    let reason: string | undefined;
    if (trimmed !== secret && trimmed.length > 0 && matches(g.expected, primary[name], trimmed)) {
      reason = 'the secret has leading or trailing whitespace (a newline from a file or environment variable?); the signature verifies without it';
    }
    // Without a parsed body only X-Signature (over raw bytes) can be diagnosed further.
    const diagnosable = name === 'X-Signature' || parseProblem === undefined;
    for (const alt of reason === undefined && diagnosable ? alternativesFor(name) : []) {
      if (matches(g.expected, alt.message)) {
        reason = alt.reason;
        break;
      }
    }
    signatures[name] = { ok: false, reason: reason ?? fallback(name) };
  }

  const timestamp = checkTimestamp(root, headerTs, now, tolerance);
  const checks = Object.values(signatures);
  const result: VerifyResult = {
    valid: checks.length > 0 && checks.every((c) => c.ok) && timestamp.ok,
    signatures,
    timestamp,
  };
  if (checks.length === 0) result.reason = 'no X-Signature, X-Signature-V2 or X-Signature-Simple header was given';
  if (opts.receiverComputed) {
    const ts = signedTimestamp(root).text ?? headerTs.value;
    const receiverMistakes = (name: SignatureHeaderName): Alternative[] => {
      const list: Alternative[] = [];
      const js = text !== undefined ? javascriptStyle(text) : undefined;
      if (name === 'X-Signature-V2') {
        if (v2 !== undefined && ts !== undefined) list.push({ message: `${ts}:${v2}`, reason: V2_TIMESTAMP_VARIANT_RECEIVER });
        if (ascii !== undefined && ascii !== v2) list.push({ message: ascii, reason: 'your receiver signs the ASCII-escaped text (\\uXXXX); X-Signature-V2 covers the dump with ensure_ascii=False (non-ASCII characters as themselves)' });
        if (text !== undefined && text !== v2) list.push({ message: bytes, reason: 'your receiver signs the raw body bytes; X-Signature-V2 covers the body re-dumped with ensure_ascii=False (use X-Signature for the raw bytes)' });
      }
      if (name === 'X-Signature') {
        if (ts !== undefined) list.push({ message: Buffer.concat([utf8(`${ts}:`), bytes]), reason: 'your receiver prefixes "{timestamp}:" to the body; X-Signature covers the raw body bytes alone' });
        if (v2 !== undefined && v2 !== text) list.push({ message: v2, reason: 'your receiver signs the ensure_ascii=False text (the X-Signature-V2 input); X-Signature covers the raw body bytes as received' });
      }
      if (name !== 'X-Signature-Simple' && js !== undefined && js !== text) list.push({ message: js, reason: `your receiver re-serialises the parsed body: ${jsReason.replace(/^it matches /, '')}` });
      return list;
    };
    const receiver: Partial<Record<SignatureHeaderName, SignatureCheck>> = {};
    for (const name of SIGNATURE_HEADERS) {
      const value = opts.receiverComputed[name];
      if (value === undefined) continue;
      const hex = value.trim();
      if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
        receiver[name] = { ok: false, reason: `the receiver's value is not a 64-character hex HMAC-SHA256 digest (got ${hex.length} characters); compare hex digests` };
        continue;
      }
      const got = Buffer.from(hex, 'hex');
      if (matches(got, primary[name])) {
        receiver[name] = { ok: true, reason: 'the receiver computes this signature correctly' };
        continue;
      }
      let why: string | undefined;
      if (trimmed !== secret && trimmed.length > 0 && matches(got, primary[name], trimmed)) why = 'your receiver uses the secret without its surrounding whitespace, or the other way round: compare the secret byte for byte';
      for (const alt of why === undefined ? receiverMistakes(name) : []) {
        if (matches(got, alt.message)) {
          why = alt.reason;
          break;
        }
      }
      receiver[name] = { ok: false, reason: why ?? 'the receiver\'s value matches none of the usual mistakes; check that it uses this secret (the destination\'s secret_shared_key, not the API key) and the exact bytes received' };
    }
    result.receiver = receiver;
  }
  return result;
}
