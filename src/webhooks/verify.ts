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

const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;

const JS_REASON =
  'it matches JSON.stringify with JavaScript key sorting, not Python\'s json.dumps: the sender signed the wrong canonical form (integer-like keys first, UTF-16 key order, JavaScript number spelling)';
const FLOATS_REASON = 'it matches the body with whole-valued floats kept as floats (e.g. 87.0): the sender skipped turning them into ints (87) before signing';

/** The body as received and as the sender's Python would have rendered it. */
interface Body {
  bytes: Buffer;
  text: string | undefined;
  root: JsonNode | undefined;
  /** Why the body could not be parsed or re-dumped; undefined when it could. */
  problem: string | undefined;
  /** json.dumps with ensure_ascii=True (the X-Signature canonical form). */
  ascii: string | undefined;
  /** json.dumps with ensure_ascii=False (the X-Signature-V2 input). */
  v2: string | undefined;
  diffs: BodyDifferences;
  /** diffs.notes as one sentence. */
  notes: string;
  /** The bytes sent are already the canonical form. */
  canonical: boolean;
}

/** Everything the signature reasons draw on, computed once per request. */
interface Received {
  body: Body;
  secret: string;
  headerTs: { value?: string; problem?: string };
  simple: ReturnType<typeof simpleMessageOf> | undefined;
  simpleMessage: string | undefined;
  /** The message each signature header should cover. */
  primary: Record<SignatureHeaderName, Message | undefined>;
  /** The headers that verify against their primary message. */
  verified: Set<SignatureHeaderName>;
}

type Given = { expected: Buffer } | { problem: string };

/** Rejects unusable options, in a fixed order, and returns the tolerance and clock to use. */
function checkOptions(opts: VerifyOptions): { tolerance: number; now: number } {
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
  return { tolerance, now };
}

function rawBytes(rawBody: VerifyOptions['rawBody']): Buffer {
  if (typeof rawBody === 'string') return utf8(rawBody);
  if (rawBody instanceof Uint8Array) return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  throw new FacematchError('VALIDATION', 'rawBody must be the request body as a Buffer or string, before any JSON parsing.');
}

/** Reads the body the way the sender's Python would: UTF-8 text, then JSON with every token kept. */
function parseBody(bytes: Buffer): { text?: string; root?: JsonNode; problem?: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { problem: 'the body is not valid UTF-8' };
  }
  try {
    return { text, root: parseJsonTree(text) };
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    return { text, problem: `the body is not valid JSON (${err.message})` };
  }
}

/** The two canonical dumps of a parsed body, or why Python could not have produced them. */
function dumpBoth(root: JsonNode): { ascii?: string; v2?: string; problem?: string } {
  try {
    return { ascii: dumpPython(root, { ensureAscii: true }), v2: dumpPython(root, { ensureAscii: false }) };
  } catch (err) {
    if (!(err instanceof FacematchError)) throw err;
    return { problem: `the body cannot be re-dumped as Python would (${err.message.replace(/\.$/, '')})` };
  }
}

function readBody(bytes: Buffer): Body {
  const { text, root, problem } = parseBody(bytes);
  let dumps: { ascii?: string; v2?: string; problem?: string } = {};
  let diffs: BodyDifferences = { notes: [] };
  if (root !== undefined && text !== undefined) {
    dumps = dumpBoth(root);
    diffs = describeDifferences(text, root);
  }
  const { ascii, v2 } = dumps;
  return {
    bytes,
    text,
    root,
    problem: dumps.problem ?? problem,
    ascii,
    v2,
    diffs,
    notes: diffs.notes.join('; '),
    canonical: ascii !== undefined && text === ascii,
  };
}

/** The body's signed timestamp as text, else the X-Timestamp header's. */
function timestampText(req: Received): string | undefined {
  return signedTimestamp(req.body.root).text ?? req.headerTs.value;
}

/** Whether `expected` is the HMAC-SHA256 of `message` under `key` (constant-time). */
function signs(expected: Buffer, message: Message | undefined, key: string): boolean {
  return message !== undefined && timingSafeEqual(expected, digestOf(key, message));
}

/** Whether the digest verifies once the secret's surrounding whitespace is removed. */
function signsWithTrimmedSecret(expected: Buffer, message: Message | undefined, secret: string): boolean {
  const trimmed = secret.trim();
  return trimmed !== secret && trimmed.length > 0 && signs(expected, message, trimmed);
}

/** The reason of the first alternative the digest matches. */
function firstMatch(expected: Buffer, alternatives: Alternative[], secret: string): string | undefined {
  for (const alt of alternatives) {
    if (signs(expected, alt.message, secret)) return alt.reason;
  }
  return undefined;
}

/** One signature header's value, well-formed or not; undefined when absent. */
function readSignatureHeader(headers: HeaderBag, name: SignatureHeaderName): Given | undefined {
  const h = readHeader(headers, name);
  if (h.problem) return { problem: h.problem };
  if (h.value === undefined) return undefined;
  if (h.value === '') return { problem: 'header is empty' };
  if (!HEX_DIGEST.test(h.value)) {
    return { problem: `header is not a 64-character hex HMAC-SHA256 digest (got ${h.value.length} characters starting ${JSON.stringify(h.value.slice(0, 12))})` };
  }
  return { expected: Buffer.from(h.value, 'hex') };
}

/** Pass 1: which headers are present, well-formed, and verify as they should. */
function readSignatures(headers: HeaderBag, req: Received): Map<SignatureHeaderName, Given> {
  const given = new Map<SignatureHeaderName, Given>();
  for (const name of SIGNATURE_HEADERS) {
    const g = readSignatureHeader(headers, name);
    if (g === undefined) continue;
    given.set(name, g);
    if ('expected' in g && signs(g.expected, req.primary[name], req.secret)) req.verified.add(name);
  }
  return given;
}

function readReceived(headers: HeaderBag, secret: string, body: Body): Received {
  const headerTs = readHeader(headers, 'X-Timestamp');
  const simple = body.root !== undefined ? simpleMessageOf(body.root, signedTimestamp(body.root).text ?? headerTs.value) : undefined;
  const simpleMessage = simple && 'message' in simple ? simple.message : undefined;
  return {
    body,
    secret,
    headerTs,
    simple,
    simpleMessage,
    primary: { 'X-Signature': body.bytes, 'X-Signature-V2': body.v2, 'X-Signature-Simple': simpleMessage },
    verified: new Set(),
  };
}

/** Extra renderings of the body; only a failed signature pays for them. */
function extraRenderings(body: Body): { asciiFloats?: string; v2Floats?: string; js?: string } {
  const floatsKept = (ensureAscii: boolean): string | undefined =>
    body.root !== undefined && body.ascii !== undefined ? dumpPython(body.root, { ensureAscii, intifyWholeFloats: false }) : undefined;
  return {
    asciiFloats: floatsKept(true),
    v2Floats: floatsKept(false),
    js: body.text !== undefined ? javascriptStyle(body.text) : undefined,
  };
}

function v1Alternatives(body: Body, asciiFloats: string | undefined): Alternative[] {
  const { ascii, v2 } = body;
  const list: Alternative[] = [];
  if (ascii !== undefined && !body.canonical) {
    list.push({
      message: ascii,
      reason: `the body was re-serialised: parsed and written out again before verifying (JSON.stringify(req.body), json.dumps(await request.json()), a framework's JSON body parser), which changed its bytes (${body.notes || 'they differ from the canonical form'}); its Python canonical form matches the signature, so verify the raw request bytes before any JSON parsing`,
    });
  }
  if (v2 !== ascii) list.push({ message: v2, reason: 'non-ASCII escaped differently: it matches the ensure_ascii=False (V2) text, so the sender signed raw characters where the body sent has \\uXXXX escapes (or swapped V1 and V2)' });
  if (asciiFloats !== ascii) list.push({ message: asciiFloats, reason: FLOATS_REASON });
  return list;
}

function v2Alternatives(req: Received, asciiFloats: string | undefined, v2Floats: string | undefined): Alternative[] {
  const { ascii, v2, text, bytes } = req.body;
  const list: Alternative[] = [];
  if (ascii !== v2) {
    list.push({ message: ascii, reason: 'non-ASCII escaped differently: it matches the ASCII-escaped body (\\uXXXX), but V2 covers the text with non-ASCII characters written as themselves (ensure_ascii=False)' });
  }
  if (v2Floats !== v2) list.push({ message: v2Floats, reason: FLOATS_REASON });
  if (asciiFloats !== ascii && asciiFloats !== v2Floats) list.push({ message: asciiFloats, reason: FLOATS_REASON });
  if (text !== undefined && text !== v2 && text !== ascii) {
    list.push({ message: bytes, reason: 'it matches the raw body bytes, not their ensure_ascii=False canonical re-dump: the sender signed its own serialisation' });
  }
  if (v2 !== undefined) {
    const ts = timestampText(req);
    if (ts !== undefined) list.push({ message: `${ts}:${v2}`, reason: V2_TIMESTAMP_VARIANT_SENDER });
  }
  return list;
}

function simpleAlternatives(req: Received): Alternative[] {
  const bodyTs = signedTimestamp(req.body.root).text;
  const headerTs = req.headerTs.value;
  if (req.body.root === undefined || bodyTs === undefined || headerTs === undefined || headerTs === bodyTs) return [];
  // The message starts with the body's timestamp; swap in the header's.
  return [{
    message: req.simpleMessage === undefined ? undefined : headerTs + req.simpleMessage.slice(bodyTs.length),
    reason: `it matches the message built with the X-Timestamp header (${headerTs}) instead of the body's timestamp (${bodyTs}): one of them was changed after signing`,
  }];
}

/** What the sender may have signed instead, most specific first. */
function senderAlternatives(name: SignatureHeaderName, req: Received): Alternative[] {
  const { text, ascii, v2 } = req.body;
  const { asciiFloats, v2Floats, js } = extraRenderings(req.body);
  const list =
    name === 'X-Signature' ? v1Alternatives(req.body, asciiFloats)
    : name === 'X-Signature-V2' ? v2Alternatives(req, asciiFloats, v2Floats)
    : simpleAlternatives(req);
  if (name !== 'X-Signature-Simple' && js !== undefined && js !== text && js !== ascii && js !== v2) list.push({ message: js, reason: JS_REASON });
  for (const other of SIGNATURE_HEADERS) {
    if (other !== name && req.primary[other] !== undefined) list.push({ message: req.primary[other], reason: `the header holds the ${other} value (headers swapped)` });
  }
  return list;
}

function simpleFallback(req: Received): string {
  const { simple, simpleMessage } = req;
  if (simpleMessage === undefined) {
    return simple && 'problem' in simple ? `cannot rebuild the signed message: ${simple.problem}` : `cannot rebuild the signed message: ${req.body.problem ?? 'no body fields'}`;
  }
  const bodyOk = req.verified.has('X-Signature') || req.verified.has('X-Signature-V2');
  return bodyOk
    ? `HMAC-SHA256 of ${JSON.stringify(simpleMessage)} differs although the body signature verifies: the header was altered or built from other values`
    : `wrong secret, or timestamp, session_id, status or webhook_type changed after signing: HMAC-SHA256 of ${JSON.stringify(simpleMessage)} with this secret differs`;
}

function bodyFallback(name: 'X-Signature' | 'X-Signature-V2', req: Received): string {
  const { problem, diffs, notes, canonical } = req.body;
  if (problem !== undefined) {
    return name === 'X-Signature'
      ? `${problem}, so no re-serialisation could be tried: the body was changed or truncated after signing, or the secret is wrong`
      : `${problem}; X-Signature-V2 covers the parsed body re-dumped, so it cannot be checked`;
  }
  if (diffs.roundedInteger !== undefined) {
    // Every cause once: the notes already start with their own labels.
    return `${notes}; the original digits cannot be rebuilt, so verify the raw request bytes before any JSON.parse`;
  }
  if (!canonical && name === 'X-Signature') {
    return `the body is not in Python's canonical form (${notes}) and neither it nor its canonical re-dump matches: the content changed after signing, or the secret is wrong`;
  }
  if (req.verified.has('X-Signature-Simple')) {
    return 'the body differs from what was signed (the secret is right: X-Signature-Simple verifies, but it does not cover metadata, vendor_data or decision)';
  }
  const sibling: SignatureHeaderName = name === 'X-Signature' ? 'X-Signature-V2' : 'X-Signature';
  if (req.verified.has(sibling)) return `it does not match although ${sibling} verifies the same content: the ${name} header was altered`;
  return `wrong secret: the body ${canonical ? 'is in Python\'s canonical form' : 'parses'} but its HMAC-SHA256 with this secret differs (or the body was altered after signing)`;
}

/** Why a header failed when no known mistake matched it. */
function fallback(name: SignatureHeaderName, req: Received): string {
  return name === 'X-Signature-Simple' ? simpleFallback(req) : bodyFallback(name, req);
}

function okReason(name: SignatureHeaderName, req: Received): string {
  if (name === 'X-Signature') return 'matches the HMAC-SHA256 of the raw body bytes';
  if (name === 'X-Signature-V2') {
    const base = 'matches the HMAC-SHA256 of the body re-dumped as Python json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)';
    return req.body.canonical
      ? base
      : `${base}; note: this body is not the bytes that were sent: it was parsed and serialised again (JSON.stringify(req.body), json.dumps(await request.json()), a framework's JSON body parser), which changed it (${req.body.notes}); X-Signature, over the raw bytes, fails on it: verify the raw request body`;
  }
  return `matches the HMAC-SHA256 of ${JSON.stringify(req.simpleMessage)} (timestamp:session_id:status:webhook_type; metadata and vendor_data are not covered)`;
}

/** Pass 2: the check of one header given. */
function explainSignature(name: SignatureHeaderName, g: Given, req: Received): SignatureCheck {
  if ('problem' in g) return { ok: false, reason: g.problem };
  if (req.verified.has(name)) return { ok: true, reason: okReason(name, req) };
  let reason: string | undefined;
  if (signsWithTrimmedSecret(g.expected, req.primary[name], req.secret)) {
    reason = 'the secret has leading or trailing whitespace (a newline from a file or environment variable?); the signature verifies without it';
  }
  // Without a parsed body only X-Signature (over raw bytes) can be diagnosed further.
  const diagnosable = name === 'X-Signature' || req.body.problem === undefined;
  if (reason === undefined && diagnosable) reason = firstMatch(g.expected, senderAlternatives(name, req), req.secret);
  return { ok: false, reason: reason ?? fallback(name, req) };
}

/** What a receiver's own code may have computed instead, most specific first. */
function receiverMistakes(name: SignatureHeaderName, req: Received, ts: string | undefined): Alternative[] {
  const { text, ascii, v2, bytes } = req.body;
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
  if (name !== 'X-Signature-Simple' && js !== undefined && js !== text) list.push({ message: js, reason: `your receiver re-serialises the parsed body: ${JS_REASON.replace(/^it matches /, '')}` });
  return list;
}

/** Whether one value the receiver computed is right, and if not, which known mistake it matches. */
function explainReceiverValue(name: SignatureHeaderName, value: string, req: Received, ts: string | undefined): SignatureCheck {
  const hex = value.trim();
  if (!HEX_DIGEST.test(hex)) {
    return { ok: false, reason: `the receiver's value is not a 64-character hex HMAC-SHA256 digest (got ${hex.length} characters); compare hex digests` };
  }
  const got = Buffer.from(hex, 'hex');
  if (signs(got, req.primary[name], req.secret)) return { ok: true, reason: 'the receiver computes this signature correctly' };
  const why = signsWithTrimmedSecret(got, req.primary[name], req.secret)
    ? 'your receiver uses the secret without its surrounding whitespace, or the other way round: compare the secret byte for byte'
    : firstMatch(got, receiverMistakes(name, req, ts), req.secret);
  return { ok: false, reason: why ?? 'the receiver\'s value matches none of the usual mistakes; check that it uses this secret (the destination\'s secret_shared_key, not the API key) and the exact bytes received' };
}

function checkReceiver(computed: Partial<Record<SignatureHeaderName, string>>, req: Received): Partial<Record<SignatureHeaderName, SignatureCheck>> {
  const ts = timestampText(req);
  const receiver: Partial<Record<SignatureHeaderName, SignatureCheck>> = {};
  for (const name of SIGNATURE_HEADERS) {
    const value = computed[name];
    if (value !== undefined) receiver[name] = explainReceiverValue(name, value, req, ts);
  }
  return receiver;
}

/**
 * Checks every signature header present against the raw body. A body that JSON.parse would
 * handle fine can still fail here; the reasons say why (re-serialised, reordered keys,
 * reformatted numbers, escaping, wrong secret, stale timestamp).
 */
export function verifyWebhook(opts: VerifyOptions): VerifyResult {
  const { tolerance, now } = checkOptions(opts);
  const body = readBody(rawBytes(opts.rawBody));
  const req = readReceived(opts.headers, opts.secret, body);
  const given = readSignatures(opts.headers, req);

  const signatures: Partial<Record<SignatureHeaderName, SignatureCheck>> = {};
  for (const [name, g] of given) signatures[name] = explainSignature(name, g, req);

  const timestamp = checkTimestamp(body.root, req.headerTs, now, tolerance);
  const checks = Object.values(signatures);
  const result: VerifyResult = {
    valid: checks.length > 0 && checks.every((c) => c.ok) && timestamp.ok,
    signatures,
    timestamp,
  };
  if (checks.length === 0) result.reason = 'no X-Signature, X-Signature-V2 or X-Signature-Simple header was given';
  if (opts.receiverComputed) result.receiver = checkReceiver(opts.receiverComputed, req);
  return result;
}
