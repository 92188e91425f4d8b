// Python-exact canonical JSON: the text the hosted service (Python) signs, i.e.
//   json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True|False)
// after every whole-valued float in the payload was turned into an int. JSON.stringify
// differs from it in key order, number spelling, big integers and escaping (see SPEC "The trap").
import { FacematchError } from '../errors.js';
import { isFloatToken, type JsonEntry, type JsonNode } from './json-tree.js';

export interface DumpOptions {
  /** true: Python's default, non-ASCII and DEL written as \uXXXX (the body sent, X-Signature).
   *  false: non-ASCII written as itself (the X-Signature-V2 text). */
  readonly ensureAscii: boolean;
  /** The hosted service turns whole-valued floats (87.0) into ints (87) before dumping.
   *  Off only to diagnose senders that skipped that step. Default true. */
  readonly intifyWholeFloats?: boolean;
}

/** Orders strings by Unicode code point, as Python sorts str (JS sorts by UTF-16 unit). */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    // Equal code points have equal widths, so one index serves both strings.
    i += x > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  if (i < b.length) return -1;
  return 0;
}

/**
 * Python's repr() of a finite float: the shortest digits that round-trip (same digits as JS),
 * in fixed notation when the decimal exponent is in [-4, 16), else `d.ddde±XX`.
 * Whole values keep ".0" (87.0), and -0.0 keeps its sign, exactly as repr does.
 */
export function pythonFloatRepr(x: number): string {
  if (!Number.isFinite(x)) {
    throw new FacematchError('VALIDATION', `cannot sign ${String(x)}: NaN and Infinity are not valid JSON numbers.`);
  }
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const s = String(Math.abs(x));
  let digits: string;
  let decpt: number; // value = 0.DIGITS x 10^decpt
  const e = s.indexOf('e');
  if (e >= 0) {
    const mant = s.slice(0, e);
    digits = mant.replace('.', '');
    decpt = Number(s.slice(e + 1)) + 1;
  } else {
    const dot = s.indexOf('.');
    const intPart = dot >= 0 ? s.slice(0, dot) : s;
    const frac = dot >= 0 ? s.slice(dot + 1) : '';
    if (intPart === '0') {
      const nz = frac.search(/[1-9]/);
      if (nz < 0) return `${sign}0.0`;
      digits = frac.slice(nz);
      decpt = -nz;
    } else {
      digits = intPart + frac;
      decpt = intPart.length;
    }
  }
  digits = digits.replace(/0+$/, '') || '0';

  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const exp = decpt - 1;
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * The canonical spelling of one JSON number token, as Python would re-dump json.loads(token):
 * integer tokens keep every digit ("-0" -> "0"); float tokens become a double, then an int
 * when whole-valued (87.0 -> 87, -0.0 -> 0, 1e22 -> 10000000000000000000000), else repr.
 */
export function canonicalNumberText(raw: string, intifyWholeFloats = true): string {
  if (!isFloatToken(raw)) return BigInt(raw).toString();
  const x = Number(raw);
  if (!Number.isFinite(x)) {
    throw new FacematchError('VALIDATION', `number ${raw} is too large for a double; Python would send it as Infinity, which is not JSON.`);
  }
  if (intifyWholeFloats && Number.isInteger(x)) return BigInt(x).toString();
  return pythonFloatRepr(x);
}

const SHORT_ESCAPES: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };

function hex4(c: number): string {
  return `\\u${c.toString(16).padStart(4, '0')}`;
}

/** A JSON string literal as Python's json encoder writes it. */
export function quotePython(s: string, ensureAscii: boolean): string {
  // Fast path: nothing to escape in either mode.
  if (/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (c < 0x20) out += hex4(c);
    // ASCII mode escapes DEL and every UTF-16 unit above it, so characters above U+FFFF come
    // out as a surrogate pair of escapes, lone surrogates as themselves, like Python.
    else if (ensureAscii && c >= 0x7f) out += hex4(c);
    else out += s[i];
  }
  return `${out}"`;
}

/** Last value wins for a repeated key (a Python dict), then keys in code point order. */
export function canonicalEntries(entries: readonly JsonEntry[]): Array<[string, JsonNode]> {
  const byKey = new Map<string, JsonNode>();
  for (const e of entries) byKey.set(e.key, e.value);
  return [...byKey.entries()].sort((a, b) => compareCodePoints(a[0], b[0]));
}

/** Canonical text of a parsed tree. */
export function dumpPython(node: JsonNode, opts: DumpOptions): string {
  const intify = opts.intifyWholeFloats ?? true;
  const parts: string[] = [];
  const walk = (n: JsonNode): void => {
    switch (n.kind) {
      case 'null':
        parts.push('null');
        return;
      case 'bool':
        parts.push(n.value ? 'true' : 'false');
        return;
      case 'string':
        parts.push(quotePython(n.value, opts.ensureAscii));
        return;
      case 'number':
        parts.push(canonicalNumberText(n.raw, intify));
        return;
      case 'array':
        parts.push('[');
        n.items.forEach((item, i) => {
          if (i > 0) parts.push(',');
          walk(item);
        });
        parts.push(']');
        return;
      case 'object':
        parts.push('{');
        canonicalEntries(n.entries).forEach(([k, v], i) => {
          if (i > 0) parts.push(',');
          parts.push(quotePython(k, opts.ensureAscii), ':');
          walk(v);
        });
        parts.push('}');
        return;
    }
  };
  walk(node);
  return parts.join('');
}

function isBinaryLike(v: object): boolean {
  return v instanceof Map || v instanceof Set || ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

/**
 * A JS value as the tree Python would have: numbers that are whole become ints (exact digits via
 * bigint), other numbers keep their double; bigint is an int of any size. `undefined` object
 * properties are left out (as JSON.stringify does); anything with no JSON form is an error.
 */
export function valueToTree(value: unknown): JsonNode {
  const stack = new Set<object>();
  const conv = (v: unknown, path: string): JsonNode => {
    if (v === null) return { kind: 'null' };
    switch (typeof v) {
      case 'boolean':
        return { kind: 'bool', value: v };
      case 'string':
        return { kind: 'string', value: v, raw: JSON.stringify(v) };
      case 'bigint':
        return { kind: 'number', raw: v.toString() };
      case 'number':
        if (!Number.isFinite(v)) {
          throw new FacematchError('VALIDATION', `${path} is ${String(v)}; NaN and Infinity have no JSON form, so the payload cannot be signed.`);
        }
        return { kind: 'number', raw: Number.isInteger(v) ? BigInt(v).toString() : pythonFloatRepr(v) };
      case 'object': {
        const obj = v as object;
        const withToJson = obj as { toJSON?: unknown };
        if (typeof withToJson.toJSON === 'function') return conv((withToJson.toJSON as () => unknown).call(obj), path);
        if (isBinaryLike(obj)) {
          throw new FacematchError('VALIDATION', `${path} is a ${obj.constructor.name}, which has no JSON form; convert it to an array or object first.`);
        }
        if (stack.has(obj)) throw new FacematchError('VALIDATION', `${path} refers back to itself; a webhook payload must be a tree.`);
        stack.add(obj);
        try {
          if (Array.isArray(obj)) {
            return {
              kind: 'array',
              items: obj.map((item: unknown, i) => {
                if (item === undefined) throw new FacematchError('VALIDATION', `${path}[${i}] is undefined, which has no JSON form.`);
                return conv(item, `${path}[${i}]`);
              }),
            };
          }
          const entries: JsonEntry[] = [];
          for (const key of Object.keys(obj)) {
            const item = (obj as Record<string, unknown>)[key];
            if (item === undefined) continue;
            entries.push({ key, rawKey: JSON.stringify(key), value: conv(item, `${path}.${key}`) });
          }
          return { kind: 'object', entries };
        } finally {
          stack.delete(obj);
        }
      }
      default:
        throw new FacematchError('VALIDATION', `${path} is a ${typeof v}, which has no JSON form.`);
    }
  };
  return conv(value, 'payload');
}

/**
 * Python's canonical dump of a JS value, after the whole-valued-float-to-int step:
 * canonicalJson({b: 1e-5, a: 87.0}, {ensureAscii: true}) === '{"a":87,"b":1e-05}'.
 */
export function canonicalJson(value: unknown, opts: DumpOptions): string {
  return dumpPython(valueToTree(value), opts);
}
