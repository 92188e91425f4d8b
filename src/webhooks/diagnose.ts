// Explains how a received body differs from the canonical text Python would have sent, so a
// failed signature can be blamed on the most likely cause instead of "invalid signature".
import { canonicalEntries, canonicalNumberText, compareCodePoints, quotePython } from './canonical.js';
import { FacematchError } from '../errors.js';
import { isFloatToken, type JsonNode } from './json-tree.js';

export interface BodyDifferences {
  /** One sentence per kind of difference, most telling first; empty when the body is canonical. */
  readonly notes: string[];
  /** An integer past 2^53 spelled like JavaScript prints a double: digits were probably lost. */
  readonly roundedInteger?: string;
}

const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

function clip(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Compares the received text with its canonical form token by token. */
export function describeDifferences(text: string, root: JsonNode): BodyDifferences {
  let keyNote: string | undefined;
  let duplicateKey: string | undefined;
  let numberExample: string | undefined;
  let roundedInteger: string | undefined;
  let rawNonAscii: string | undefined;
  let rawDel = false;
  let escapeExample: string | undefined;
  const compact: string[] = [];

  const checkString = (raw: string, value: string): void => {
    const canonical = quotePython(value, true);
    if (raw === canonical) return;
    if (/[^\x00-\x7f]/.test(raw)) rawNonAscii ??= clip(raw);
    else if (raw.includes('\x7f')) rawDel = true;
    else escapeExample ??= `${clip(raw)} where Python writes ${clip(canonical)}`;
  };

  const walk = (n: JsonNode): void => {
    switch (n.kind) {
      case 'null':
        compact.push('null');
        return;
      case 'bool':
        compact.push(String(n.value));
        return;
      case 'string':
        compact.push(n.raw);
        checkString(n.raw, n.value);
        return;
      case 'number': {
        compact.push(n.raw);
        let canonical: string;
        try {
          canonical = canonicalNumberText(n.raw);
        } catch {
          numberExample ??= `${n.raw} (out of double range)`;
          return;
        }
        if (canonical !== n.raw) numberExample ??= `${clip(n.raw)} where Python writes ${clip(canonical)}`;
        // Python sends whole numbers as exact int digits. Past 2^53, digits spelled the way
        // JavaScript prints a double (12345678901234567000, 1.2345678901234568e+29) were rounded.
        const x = Number(n.raw);
        const jsSpelling = isFloatToken(n.raw) ? Number.isInteger(x) : String(x) === n.raw;
        if (roundedInteger === undefined && jsSpelling && Math.abs(x) >= 2 ** 53) roundedInteger = n.raw;
        return;
      }
      case 'array':
        compact.push('[');
        n.items.forEach((item, i) => {
          if (i > 0) compact.push(',');
          walk(item);
        });
        compact.push(']');
        return;
      case 'object': {
        compact.push('{');
        const seen = new Set<string>();
        n.entries.forEach((e, i) => {
          if (i > 0) compact.push(',');
          compact.push(e.rawKey, ':');
          checkString(e.rawKey, e.key);
          if (seen.has(e.key)) duplicateKey ??= e.key;
          seen.add(e.key);
          walk(e.value);
        });
        compact.push('}');
        if (keyNote === undefined) {
          const got = n.entries.map((e) => e.key);
          const want = canonicalEntries(n.entries).map(([k]) => k);
          if (got.length === want.length && got.some((k, i) => k !== want[i])) keyNote = explainOrder(got);
        }
        return;
      }
    }
  };
  walk(root);

  const notes: string[] = [];
  if (roundedInteger !== undefined) {
    notes.push(`numbers reformatted: ${clip(roundedInteger)} is an integer past 2^53 printed the way JavaScript prints a rounded double (JSON.parse loses such digits)`);
  } else if (numberExample !== undefined) {
    notes.push(`numbers reformatted: ${numberExample}`);
  }
  if (keyNote !== undefined) notes.push(keyNote);
  if (duplicateKey !== undefined) notes.push(`key ${JSON.stringify(clip(duplicateKey))} appears more than once`);
  if (rawNonAscii !== undefined) notes.push(`non-ASCII escaped differently: written as raw UTF-8 (e.g. ${rawNonAscii}) where Python's body escapes it as \\uXXXX`);
  if (rawDel) notes.push('DEL (U+007F) written raw where Python escapes it as \\u007f');
  if (escapeExample !== undefined) notes.push(`string escapes spelled differently: ${escapeExample}`);

  const joined = compact.join('');
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body !== text) notes.push('a byte-order mark was added in front');
  if (body !== joined) {
    if (body.trimEnd() === joined) notes.push('a trailing newline or spaces were added');
    else notes.push('whitespace was added between tokens (pretty-printed)');
  }
  return roundedInteger === undefined ? { notes } : { notes, roundedInteger };
}

function explainOrder(keys: string[]): string {
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      const a = keys[i]!;
      const b = keys[j]!;
      if (compareCodePoints(a, b) <= 0) continue;
      if (INDEX_KEY.test(a) && (!INDEX_KEY.test(b) || a.length < b.length)) {
        return `keys reordered: integer-like keys first, as JavaScript objects order them (${JSON.stringify(clip(a))} before ${JSON.stringify(clip(b))}; Python sorts by code point)`;
      }
      if (a < b) {
        return `keys reordered: sorted by UTF-16 unit as JavaScript does (${JSON.stringify(clip(a))} before ${JSON.stringify(clip(b))}; Python sorts by code point, so characters above U+FFFF come after U+E000-U+FFFF)`;
      }
    }
  }
  return 'keys reordered: not in the code-point order of Python\'s sort_keys=True';
}

/**
 * X-Signature-V2 has two descriptions in the vendor's public material: the plugin fixtures
 * (made with the server's own helpers) sign the ensure_ascii=False dump alone; one agent skill
 * file signs "{timestamp}:{canonical}". The sandbox follows the fixtures (docs/webhooks.md);
 * these sentences name the other variant when a sender or a receiver uses it.
 */
export const V2_TIMESTAMP_VARIANT_SENDER =
  'it matches "{timestamp}:{canonical}" (the variant one vendor skill file describes): the sender prefixed the timestamp, but X-Signature-V2 covers the ensure_ascii=False canonical text alone (the vendor\'s plugin fixtures, made with the server\'s own helpers, and this sandbox)';

export const V2_TIMESTAMP_VARIANT_RECEIVER =
  'your receiver computes HMAC of "{timestamp}:{canonical}" (the variant one vendor skill file describes); X-Signature-V2 covers the ensure_ascii=False canonical text alone, without the timestamp prefix: drop the "{timestamp}:" part';

/** What the doctor needs from a recorded delivery attempt (the security helper's records). */
export interface RecordedRequest {
  id: number;
  created_at: string;
  request: { headers: Record<string, string>; body: string } | null;
}

/**
 * The verify input for a recorded attempt: its exact body and headers, judged at the time it
 * was sent. Throws a sentence when the attempt predates request recording.
 */
export function replayInput(record: RecordedRequest): { rawBody: string; headers: Record<string, string>; now: number } {
  if (!record.request) {
    throw new FacematchError('VALIDATION', `delivery attempt ${record.id} was recorded before the sandbox kept request bodies; trigger a new delivery and use its id.`);
  }
  return { rawBody: record.request.body, headers: record.request.headers, now: Math.floor(Date.parse(record.created_at) / 1000) };
}
