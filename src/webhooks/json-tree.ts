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
  const reader = new TreeReader(text);
  // Python accepts a UTF-8 BOM on bytes input; it is not part of the JSON value.
  if (text.charCodeAt(0) === 0xfeff) reader.pos = 1;
  reader.skipWs();
  if (reader.pos >= text.length) reader.fail('empty body: expected a JSON value');
  const root = reader.readValue(0);
  reader.skipWs();
  if (reader.pos < text.length) reader.fail('extra data after the JSON value');
  return root;
}

const SIMPLE_ESCAPES: ReadonlyMap<string | undefined, string> = new Map([['"', '"'], ['\\', '\\'], ['/', '/'], ['b', '\b'], ['f', '\f'], ['n', '\n'], ['r', '\r'], ['t', '\t']]);

/** One pass over the text, `pos` the UTF-16 index of the next character to read. */
class TreeReader {
  pos = 0;
  constructor(private readonly text: string) {}

  /** Python's way of naming a place in the text. */
  private where(at: number): string {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    return `line ${line} column ${col} (char ${at})`;
  }

  fail(what: string, at = this.pos): never {
    throw new JsonSyntaxError(`${what} at ${this.where(at)}`, at);
  }

  skipWs(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else return;
    }
  }

  /** The character the backslash escape at `pos` stands for. Moves `pos` past the four digits of
   *  a \uXXXX escape; the caller steps over the backslash and its letter. */
  private readEscape(): string {
    const e = this.text[this.pos + 1];
    const simple = SIMPLE_ESCAPES.get(e);
    if (simple !== undefined) return simple;
    if (e !== 'u') this.fail('invalid escape in string');
    const hex = this.text.slice(this.pos + 2, this.pos + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\uXXXX escape');
    // Surrogate pairs written as two escapes join into one code point, as in Python.
    this.pos += 4;
    return String.fromCharCode(parseInt(hex, 16));
  }

  private readString(): { value: string; raw: string } {
    const { text } = this;
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    let chunk = this.pos;
    for (;;) {
      if (this.pos >= text.length) this.fail('unterminated string starting', start);
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += text.slice(chunk, this.pos);
        this.pos++;
        return { value: out, raw: text.slice(start, this.pos) };
      }
      if (c < 0x20) this.fail(`unescaped control character U+${c.toString(16).padStart(4, '0').toUpperCase()} in string`);
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += text.slice(chunk, this.pos);
      out += this.readEscape();
      this.pos += 2;
      chunk = this.pos;
    }
  }

  /** The items of an array or object from its opening bracket to its closing one. */
  private readList<T>(close: ']' | '}', readItem: () => T): T[] {
    const { text } = this;
    this.pos++;
    const items: T[] = [];
    this.skipWs();
    if (text[this.pos] === close) {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(readItem());
      this.skipWs();
      if (text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (text[this.pos] === close) {
        this.pos++;
        return items;
      }
      this.fail(close === '}' ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
    }
  }

  private readEntry(depth: number): JsonEntry {
    this.skipWs();
    if (this.text[this.pos] !== '"') this.fail('expected a property name in double quotes');
    const { value: key, raw: rawKey } = this.readString();
    this.skipWs();
    if (this.text[this.pos] !== ':') this.fail("expected ':' after property name");
    this.pos++;
    return { key, rawKey, value: this.readValue(depth + 1) };
  }

  /** null, true, false or a number, as written. */
  private readScalar(): JsonNode {
    const { text, pos } = this;
    if (text.startsWith('null', pos)) {
      this.pos += 4;
      return { kind: 'null' };
    }
    if (text.startsWith('true', pos)) {
      this.pos += 4;
      return { kind: 'bool', value: true };
    }
    if (text.startsWith('false', pos)) {
      this.pos += 5;
      return { kind: 'bool', value: false };
    }
    if (text.startsWith('NaN', pos) || text.startsWith('Infinity', pos) || text.startsWith('-Infinity', pos)) {
      this.fail('NaN and Infinity are not allowed in a webhook body');
    }
    NUMBER_RE.lastIndex = pos;
    const m = NUMBER_RE.exec(text);
    if (m) {
      this.pos += m[0].length;
      return { kind: 'number', raw: m[0] };
    }
    if (pos >= text.length) this.fail('unexpected end of input');
    return this.fail('expected a JSON value');
  }

  readValue(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    this.skipWs();
    const c = this.text[this.pos];
    if (c === '{') return { kind: 'object', entries: this.readList('}', () => this.readEntry(depth)) };
    if (c === '[') return { kind: 'array', items: this.readList(']', () => this.readValue(depth + 1)) };
    if (c === '"') {
      const { value, raw } = this.readString();
      return { kind: 'string', value, raw };
    }
    return this.readScalar();
  }
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
