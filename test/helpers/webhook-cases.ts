// Shared inputs for the webhook tests: the signature vectors made with Python's json module
// (../shared/webhook-signature-vectors.json) and a seeded generator of tricky JSON bodies.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../../src/paths.js';

export const vectorsPath: string = process.env.FACEMATCH_WEBHOOK_VECTORS
  ? resolve(process.env.FACEMATCH_WEBHOOK_VECTORS)
  : resolve(packageRoot, '..', 'shared', 'webhook-signature-vectors.json');

export const hasVectors: boolean = existsSync(vectorsPath);
export const noVectorsReason = `signature vectors not found at ${vectorsPath}: set FACEMATCH_WEBHOOK_VECTORS or put ../shared beside the repo`;
// Why: CI provides ../shared; a skip there would hide the byte-for-byte signature check.
if (!hasVectors && process.env.CI) throw new Error(`CI is set but ${noVectorsReason}`);

export interface VectorCase {
  body: string;
  body_v2: string;
  simple_message: string;
  signatures: Record<'X-Signature' | 'X-Signature-V2' | 'X-Signature-Simple', string>;
}

export interface Vectors {
  secret: string;
  cases: Record<string, VectorCase>;
}

export function loadVectors(): Vectors {
  return JSON.parse(readFileSync(vectorsPath, 'utf8')) as Vectors;
}

export { rng } from './rng.js';

const TRICKY_KEYS = ['10', '2', '1', '20', 'a', 'A', 'é', '\u{1F600}', '\u{10FFFF}', '\uffff', '\ue000', '\ud7ff', '\x7f', 'k\u2028', '', '__proto__', 'z', 'Z', '-1', '01'];
const CHARS = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\b', '\f', '\r', '\x00', '\x01', '\x1f', '\x7f', '\x80', 'é', 'ü', '\u2028', '\u2029', '東', '\ufeff', '\uffff', '\u{1F600}', '\u{10FFFF}', '~'];
const NUMBER_TEXTS = [
  '0', '-0', '-0.0', '0.0', '1', '-1', '87.0', '87.5', '1e-7', '1E-7', '1e-05', '0.00001', '0.0001', '1e-4', '2.5e-5',
  '1e16', '1e+16', '1e15', '9007199254740993', '-9007199254740993', '12345678901234567890', '123456789012345678901234567890',
  '1e22', '1.5e300', '5e-324', '1e-400', '0.1', '100.000', '1790000000', '3.14159', '-2.5E+3', '1.7976931348623157e308',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function randomDouble(r: () => number): number {
  for (;;) {
    const buf = new DataView(new ArrayBuffer(8));
    buf.setUint32(0, Math.floor(r() * 2 ** 32));
    buf.setUint32(4, Math.floor(r() * 2 ** 32));
    const x = buf.getFloat64(0);
    if (Number.isFinite(x)) return x;
  }
}

/** A JSON string token for `s`, with escapes chosen at random (all valid JSON). */
function stringToken(r: () => number, s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp < 0x20 || r() < 0.25) {
      for (let i = 0; i < ch.length; i++) {
        const hex = ch.charCodeAt(i).toString(16).padStart(4, '0');
        out += `\\u${r() < 0.5 ? hex : hex.toUpperCase()}`;
      }
    } else if (ch === '/' && r() < 0.5) out += '\\/';
    else out += ch;
  }
  return `${out}"`;
}

function randomString(r: () => number, max = 8): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += pick(r, CHARS);
  return s;
}

function numberToken(r: () => number): string {
  const k = r();
  if (k < 0.5) return pick(r, NUMBER_TEXTS);
  const x = randomDouble(r);
  const v = k < 0.7 ? x : k < 0.85 ? x * 1e-300 : Math.round(r() * 1e6) / 1e6;
  return r() < 0.5 ? String(v) : v.toExponential();
}

function ws(r: () => number): string {
  return r() < 0.8 ? '' : pick(r, [' ', '\n', '\t', '\r\n', '  ']);
}

/** Random JSON text with tricky keys, numbers and strings, random whitespace and key order. */
export function trickyBody(r: () => number, depth = 0): string {
  const entries: string[] = [];
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const key = r() < 0.6 ? pick(r, TRICKY_KEYS) : randomString(r, 5);
    entries.push(`${ws(r)}${stringToken(r, key)}${ws(r)}:${ws(r)}${trickyValue(r, depth + 1)}${ws(r)}`);
  }
  return `{${entries.join(',')}}`;
}

function trickyValue(r: () => number, depth: number): string {
  const k = r();
  if (k < 0.35) return numberToken(r);
  if (k < 0.65) return stringToken(r, randomString(r));
  if (k < 0.72) return pick(r, ['null', 'true', 'false']);
  if (depth > 3) return numberToken(r);
  if (k < 0.86) return trickyBody(r, depth);
  const items: string[] = [];
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) items.push(`${ws(r)}${trickyValue(r, depth + 1)}${ws(r)}`);
  return `[${items.join(',')}]`;
}

/** Whether python3 is there to act as the oracle. */
export const python: string | undefined = (() => {
  const r = spawnSync('python3', ['-c', 'import json, hmac, hashlib'], { encoding: 'utf8' });
  return r.status === 0 ? 'python3' : undefined;
})();

const PY_CANON = `
import json, sys
def intify(o):
    if isinstance(o, dict): return {k: intify(v) for k, v in o.items()}
    if isinstance(o, list): return [intify(v) for v in o]
    if isinstance(o, float) and o.is_integer(): return int(o)
    return o
out = []
for text in json.load(sys.stdin):
    p = intify(json.loads(text))
    out.append([json.dumps(p, sort_keys=True, separators=(",", ":")),
                json.dumps(p, sort_keys=True, separators=(",", ":"), ensure_ascii=False)])
sys.stdout.write(json.dumps(out))
`;

/** Python's [ascii, v2] canonical dumps of each JSON text (after the whole-float step). */
export function pythonCanonical(texts: string[]): Array<[string, string]> {
  const r = spawnSync(python ?? 'python3', ['-c', PY_CANON], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<[string, string]>;
}

/** Python's repr() of each double, given as exact-round-trip JS texts. */
export function pythonRepr(xs: number[]): string[] {
  const code = 'import json,sys; print(json.dumps([repr(float(t)) for t in json.load(sys.stdin)]))';
  const r = spawnSync(python ?? 'python3', ['-c', code], { input: JSON.stringify(xs.map((x) => (Object.is(x, -0) ? '-0.0' : String(x)))), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}
