// Numbers JSON.parse would change. JSON numbers become 64-bit floats: integers beyond
// ±9007199254740991 are rounded (12345678901234567890 comes back as 12345678901234567000),
// 1e400 becomes Infinity (stored as null), 1e-400 becomes 0, and digits past 17 significant
// ones are dropped. Rather than change a caller's value silently, requests holding such a
// number are refused with a sentence that says why (HTTP bodies, MCP tool calls on stdio).

/** The first number token in valid JSON text whose value JSON.parse would change, or null.
 *  Other spellings of the same value (1.0, 1E2, 0.50) are exact. */
export function inexactNumber(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string natively: its end is the next quote not escaped by an odd run of backslashes.
      let q = text.indexOf('"', i + 1);
      while (q > 0 && isEscaped(text, q)) q = text.indexOf('"', q + 1);
      if (q < 0) return null;
      i = q;
      continue;
    }
    // Outside strings, a digit or minus can only start a number (true/false/null have none).
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    let end = i + 1;
    while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
    const token = text.slice(i, end);
    if (!keptExactly(token)) return token;
    i = end - 1;
  }
  return null;
}

function isEscaped(text: string, quote: number): boolean {
  let n = 0;
  for (let j = quote - 1; j >= 0 && text.charCodeAt(j) === 0x5c; j--) n++;
  return n % 2 === 1;
}

const isNumberChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;

/** The sentence for a refused number (quoted, shortened when long). */
export function inexactNumberSentence(token: string): string {
  const shown = token.length <= 40 ? token : `${token.slice(0, 24)}... (${token.length} characters)`;
  return (
    `the number ${shown} cannot be kept exactly: JSON numbers are stored as 64-bit floats, which change integers beyond ±9007199254740991, ` +
    'numbers beyond about 1.8e308 or below 5e-324, and digits past 17 significant ones. Send it as a string, e.g. "12345678901234567890".'
  );
}

function keptExactly(token: string): boolean {
  // Short plain integers are always exact: skip the decimal comparison for the common case.
  if (token.length <= 15 && /^-?[0-9]+$/.test(token)) return true;
  const value = Number(token);
  if (!Number.isFinite(value)) return false;
  const a = decimal(token);
  const b = decimal(String(value));
  return a.digits === b.digits && a.exponent === b.exponent;
}

/** A number's value as significant digits and a power of ten, sign ignored ("0.50" and "5e-1" agree). */
function decimal(text: string): { digits: string; exponent: number } {
  let t = text[0] === '-' ? text.slice(1) : text;
  let exponent = 0;
  const e = t.search(/[eE]/);
  if (e >= 0) {
    exponent = Number(t.slice(e + 1));
    t = t.slice(0, e);
  }
  const dot = t.indexOf('.');
  if (dot >= 0) {
    exponent -= t.length - dot - 1;
    t = t.slice(0, dot) + t.slice(dot + 1);
  }
  const lead = t.replace(/^0+/, '');
  if (!lead) return { digits: '0', exponent: 0 };
  const digits = lead.replace(/0+$/, '');
  return { digits, exponent: exponent + (lead.length - digits.length) };
}
