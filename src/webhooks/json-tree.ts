// A lossless JSON reader for webhook bodies. JSON.parse rounds integers past 2^53, forgets how
// each number was written and (for integer-like keys) the order keys arrived in; a verifier
// needs all three to rebuild the exact text Python's json module would produce and to say
// what changed when it does not match. The grammar is what Python's json.loads accepts
// (strict mode), minus NaN/Infinity, which no canonical webhook body can contain.

export type JsonNode =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  /** `raw` is the token as written, quotes included (kept to diagnose escaping changes). */
  | { readonly kind: 'string'; readonly value: string; readonly raw: string }
  /** `raw` is the number token as written, e.g. "1e-05", "87.0", "12345678901234567890". */
  | { readonly kind: 'number'; readonly raw: string }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  /** Entries in arrival order; duplicates kept here, the last one wins when canonicalised. */
  | { readonly kind: 'object'; readonly entries: readonly JsonEntry[] };

export interface JsonEntry {
  readonly key: string;
  readonly rawKey: string;
  readonly value: JsonNode;
}

/** Thrown for text that is not JSON; `offset` is the UTF-16 index where reading stopped. */
export class JsonSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.offset = offset;
  }
}

// Python's recursion limit stops json.loads near this depth too; deeper bodies are hostile.
const MAX_DEPTH = 900;

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

/** Parses JSON text into a tree that keeps every token's original spelling. */
export function parseJsonTree(text: string): JsonNode {
  let pos = 0;
  // Python accepts a UTF-8 BOM on bytes input; it is not part of the JSON value.
  if (text.charCodeAt(0) === 0xfeff) pos = 1;

  const where = (at: number): string => {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    return `line ${line} column ${col} (char ${at})`;
  };
  const fail = (what: string, at = pos): never => {
    throw new JsonSyntaxError(`${what} at ${where(at)}`, at);
  };
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else return;
    }
  };

  const readString = (): { value: string; raw: string } => {
    const start = pos;
    pos++; // opening quote
    let out = '';
    let chunk = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string starting', start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunk, pos);
        pos++;
        return { value: out, raw: text.slice(start, pos) };
      }
      if (c < 0x20) fail(`unescaped control character U+${c.toString(16).padStart(4, '0').toUpperCase()} in string`);
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(chunk, pos);
      const e = text[pos + 1];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\uXXXX escape');
          // Surrogate pairs written as two escapes join into one code point, as in Python.
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          fail('invalid escape in string');
      }
      pos += 2;
      chunk = pos;
    }
  };

  const readValue = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    skipWs();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: JsonEntry[] = [];
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', entries };
      }
      for (;;) {
        skipWs();
        if (text[pos] !== '"') fail('expected a property name in double quotes');
        const { value: key, raw: rawKey } = readString();
        skipWs();
        if (text[pos] !== ':') fail("expected ':' after property name");
        pos++;
        const value = readValue(depth + 1);
        entries.push({ key, rawKey, value });
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return { kind: 'object', entries };
        }
        fail("expected ',' or '}' in object");
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      skipWs();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(readValue(depth + 1));
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return { kind: 'array', items };
        }
        fail("expected ',' or ']' in array");
      }
    }
    if (c === '"') {
      const { value, raw } = readString();
      return { kind: 'string', value, raw };
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return { kind: 'null' };
    }
    if (text.startsWith('true', pos)) {
      pos += 4;
      return { kind: 'bool', value: true };
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return { kind: 'bool', value: false };
    }
    if (text.startsWith('NaN', pos) || text.startsWith('Infinity', pos) || text.startsWith('-Infinity', pos)) {
      fail('NaN and Infinity are not allowed in a webhook body');
    }
    NUMBER_RE.lastIndex = pos;
    const m = NUMBER_RE.exec(text);
    if (m) {
      pos += m[0].length;
      return { kind: 'number', raw: m[0] };
    }
    if (pos >= text.length) fail('unexpected end of input');
    return fail('expected a JSON value');
  };

  skipWs();
  if (pos >= text.length) fail('empty body: expected a JSON value');
  const root = readValue(0);
  skipWs();
  if (pos < text.length) fail('extra data after the JSON value');
  return root;
}

/** True when a number token is a float for Python (has a fraction or an exponent). */
export function isFloatToken(raw: string): boolean {
  return /[.eE]/.test(raw);
}

/**
 * JSON text to plain JS values without losing integers: integers outside the safe range become
 * bigint, everything else as JSON.parse would give it. Objects have a null prototype so a key
 * like "__proto__" stays an ordinary key. The result can be passed to signWebhook.
 */
export function parseJsonLossless(text: string): unknown {
  return treeToValue(parseJsonTree(text));
}

export function treeToValue(node: JsonNode): unknown {
  switch (node.kind) {
    case 'null':
      return null;
    case 'bool':
      return node.value;
    case 'string':
      return node.value;
    case 'number': {
      if (isFloatToken(node.raw)) return Number(node.raw);
      const n = Number(node.raw);
      return Number.isSafeInteger(n) ? n : BigInt(node.raw);
    }
    case 'array':
      return node.items.map(treeToValue);
    case 'object': {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const e of node.entries) out[e.key] = treeToValue(e.value);
      return out;
    }
  }
}
