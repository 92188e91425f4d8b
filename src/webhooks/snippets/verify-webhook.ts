// Webhook verifier for Didit-style deliveries (X-Signature, X-Signature-V2, X-Signature-Simple).
// Self-contained: Node's standard library only, no dependency on facematch-mcp. Copy it into
// your app. Pass the raw request body (the exact bytes received, before any JSON parsing).
//
//   const result = verifyWebhook(rawBody, headers, process.env.FACEMATCH_WEBHOOK_SECRET ?? '');
//   if (!result.valid) return res.status(401).end(result.reason);
//
// X-Signature    = HMAC-SHA256(secret, raw body bytes)
// X-Signature-V2 = HMAC-SHA256(secret, the body re-dumped as Python's
//                  json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False),
//                  after whole-valued floats became ints), which survives middleware that
//                  re-encodes the body
// X-Signature-Simple = HMAC-SHA256(secret, "{timestamp}:{session_id}:{status}:{webhook_type}");
//                  it does not cover the decision or metadata, so it is accepted only with
//                  opts.allowSimple.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureName = 'X-Signature' | 'X-Signature-V2' | 'X-Signature-Simple';

export interface VerifyWebhookResult {
  /** A signature matched and the signed timestamp is within the tolerance. */
  valid: boolean;
  /** Which signature matched (the first of X-Signature, X-Signature-V2, X-Signature-Simple). */
  matched: SignatureName | null;
  /** Why not, when valid is false. */
  reason: string | null;
  /** The signed unix timestamp, when one was found. */
  timestamp: number | null;
}

export interface VerifyWebhookOptions {
  /** Unix seconds to judge the timestamp against (default: now). */
  now?: number;
  /** Maximum age or clock skew of the signed timestamp in seconds (default 300). */
  toleranceSeconds?: number;
  /** Also accept X-Signature-Simple alone (it leaves the body's details unsigned). Default false. */
  allowSimple?: boolean;
}

type Node =
  | { kind: 'object'; entries: Array<[string, Node]> }
  | { kind: 'array'; items: Node[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; raw: string }
  | { kind: 'literal'; raw: 'true' | 'false' | 'null' };

/** A JSON reader that keeps every number's text (JSON.parse would round big integers). */
function parseJson(text: string): Node {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at character ${i}`);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const value = (depth: number): Node => {
    if (depth > 256) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: Array<[string, Node]> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        entries.push([key, value(depth + 1)]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return { kind: 'object', entries };
        } else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: Node[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return { kind: 'array', items };
        } else fail('expected "," or "]"');
      }
    }
    if (c === '"') return { kind: 'string', value: str() };
    for (const raw of ['true', 'false', 'null'] as const) {
      if (text.startsWith(raw, i)) {
        i += raw.length;
        return { kind: 'literal', raw };
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 1100));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    return { kind: 'number', raw: m[0] };
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const root = value(0);
  ws();
  if (i !== text.length) fail('unexpected text after the JSON value');
  return root;
}

/** Python's repr() of a finite, non-whole float: shortest round-trip digits, Python's exponent rules. */
function pythonFloat(x: number): string {
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${int}.${frac || '0'}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** A number token as the sender's Python writes it after turning whole floats into ints. */
function pythonNumber(raw: string): string {
  if (!/[.eE]/.test(raw)) return BigInt(raw).toString();
  const x = Number(raw);
  if (!Number.isFinite(x)) throw new SyntaxError(`number ${raw} is out of range`);
  return Number.isInteger(x) ? BigInt(x).toString() : pythonFloat(x);
}

function byCodePoint(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let k = 0; k < x.length && k < y.length; k++) {
    const d = x[k]!.codePointAt(0)! - y[k]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False). */
function canonicalV2(node: Node): string {
  switch (node.kind) {
    case 'object': {
      const last = new Map<string, Node>();
      for (const [k, v] of node.entries) last.set(k, v);
      const keys = [...last.keys()].sort(byCodePoint);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalV2(last.get(k)!)}`).join(',')}}`;
    }
    case 'array':
      return `[${node.items.map(canonicalV2).join(',')}]`;
    case 'string':
      // Same escapes as Python with ensure_ascii=False: quote, backslash, control characters.
      return JSON.stringify(node.value);
    case 'number':
      return pythonNumber(node.raw);
    case 'literal':
      return node.raw;
  }
}

/** Python's str() of a top-level scalar, as the simple signature's f-string writes it. */
function pythonStr(node: Node | undefined): string {
  if (node === undefined) return '';
  if (node.kind === 'string') return node.value;
  if (node.kind === 'number') return /[.eE]/.test(node.raw) ? pythonFloat(Number(node.raw)) : BigInt(node.raw).toString();
  if (node.kind === 'literal') return node.raw === 'true' ? 'True' : node.raw === 'false' ? 'False' : 'None';
  return '';
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name.toLowerCase() && v !== undefined) return (Array.isArray(v) ? v[0] : v)?.trim();
  }
  return undefined;
}

function sameHmac(secret: string, message: Buffer | string, hex: string | undefined): boolean {
  if (!hex || !/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(message).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

export function verifyWebhook(
  rawBody: Buffer | string,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  opts: VerifyWebhookOptions = {},
): VerifyWebhookResult {
  const no = (reason: string, timestamp: number | null = null): VerifyWebhookResult => ({ valid: false, matched: null, reason, timestamp });
  if (!secret) return no('no secret configured: set the destination\'s secret_shared_key');
  const bytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  if (!Buffer.isBuffer(bytes)) return no('rawBody must be the raw request body (Buffer or string), not parsed JSON');
  const sig = header(headers, 'X-Signature');
  const sigV2 = header(headers, 'X-Signature-V2');
  const sigSimple = header(headers, 'X-Signature-Simple');
  if (!sig && !sigV2 && !sigSimple) return no('no X-Signature, X-Signature-V2 or X-Signature-Simple header');

  let root: Node | undefined;
  try {
    root = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    root = undefined;
  }
  const field = (key: string): Node | undefined => {
    if (root?.kind !== 'object') return undefined;
    let found: Node | undefined;
    for (const [k, v] of root.entries) if (k === key) found = v;
    return found;
  };
  const tsNode = field('timestamp');
  const tsText = tsNode ? pythonStr(tsNode) : header(headers, 'X-Timestamp');
  const timestamp = tsText !== undefined && /^\d+(\.\d+)?$/.test(tsText) ? Number(tsText) : null;

  let matched: SignatureName | null = null;
  if (sameHmac(secret, bytes, sig)) matched = 'X-Signature';
  else if (root && sigV2) {
    try {
      if (sameHmac(secret, canonicalV2(root), sigV2)) matched = 'X-Signature-V2';
    } catch {
      /* a number out of range: V2 cannot be rebuilt */
    }
  }
  if (!matched && opts.allowSimple && root && sigSimple) {
    const message = ['timestamp', 'session_id', 'status', 'webhook_type'].map((k) => (k === 'timestamp' ? (tsText ?? '') : pythonStr(field(k)))).join(':');
    if (sameHmac(secret, message, sigSimple)) matched = 'X-Signature-Simple';
  }
  if (!matched) {
    if (!root) return no('signature mismatch and the body is not valid JSON: it was changed or truncated, or the secret is wrong', timestamp);
    return no(
      sig || sigV2
        ? 'signature mismatch: wrong secret, or the body was changed after signing (verify the raw bytes, before any JSON parsing)'
        : 'only X-Signature-Simple was sent; pass { allowSimple: true } to accept it',
      timestamp,
    );
  }
  if (timestamp === null) return no('no usable timestamp in the body or the X-Timestamp header', null);
  const now = opts.now ?? Date.now() / 1000;
  const tolerance = opts.toleranceSeconds ?? 300;
  if (Math.abs(now - timestamp) > tolerance) {
    return no(`timestamp ${timestamp} is ${Math.round(now - timestamp)} s from now, outside the ${tolerance} s tolerance (replayed or delayed)`, timestamp);
  }
  return { valid: true, matched, reason: null, timestamp };
}
