// Reads an image argument given as a file path, an http(s) URL or base64 (optionally a
// data: URL). Paths resolve against the server's working directory and must be regular
// files; everything is capped at 5 MB; URLs have a timeout and never follow other schemes.
import { isAbsolute, resolve } from 'node:path';
import type { Agent } from 'undici';
import { decodeBase64 as decodeBase64Text, looksLikeBase64 } from '../base64.js';
import { FacematchError } from '../errors.js';
import { sniffFormat } from '../engine/image-format.js';
import { guardedLookup, urlPolicyProblem } from '../net-policy.js';
import { isUnreadablePathError, readLocalFile } from '../safe-file.js';

export const MAX_INPUT_BYTES = 5 * 1024 * 1024;
const URL_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 3;

export const IMAGE_ARG_HELP =
  'A file path (absolute, or relative to the server working directory), an http(s) URL, or base64 image bytes (a data:image/...;base64, prefix is fine). JPEG, PNG, WebP or TIFF, at most 5 MB.';

/** A value as it may appear in a message: long paths or pasted blobs are cut so errors stay small. */
export function shown(value: string, max = 160): string {
  return value.length <= max ? value : `${value.slice(0, max - 40)}...${value.slice(-20)} (${value.length} characters)`;
}

export interface LoadedImage {
  bytes: Buffer;
  /** Where it came from, for messages (never the base64 itself). */
  source: string;
}

export interface LoadImageOptions {
  cwd: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** `label` names the argument in error messages, e.g. "user_image". */
export async function loadImageArg(value: string, label: string, opts: LoadImageOptions): Promise<LoadedImage> {
  const raw = value.trim();
  if (!raw) throw new FacematchError('IMAGE_EMPTY', `${label} is empty: pass a file path, an http(s) URL or base64 image bytes.`);
  if (/^data:/i.test(raw)) {
    const comma = raw.indexOf(',');
    if (comma < 0 || !/;base64$/i.test(raw.slice(0, comma))) {
      throw new FacematchError('VALIDATION', `${label} is a data: URL without ';base64,': pass base64-encoded image bytes.`);
    }
    return { bytes: decodeBase64(raw.slice(comma + 1), label), source: `${label} (base64)` };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return { bytes: await fetchImage(raw, label, opts), source: raw };
  if (scheme) {
    throw new FacematchError('VALIDATION', `${label} uses the '${scheme}:' scheme; only http(s) URLs, file paths and base64 are accepted.`);
  }
  // '.' is not a base64 character, so anything with a file extension is a path.
  const compact = raw.replace(/\s+/g, '');
  const couldBeBase64 = compact.length >= 64 && looksLikeBase64(compact);
  if (couldBeBase64 && compact.length > 4096) return { bytes: decodeBase64(compact, label), source: `${label} (base64)` };
  const path = isAbsolute(raw) ? raw : resolve(opts.cwd, raw);
  const notPathNorBase64 = (): FacematchError =>
    new FacematchError(
      'VALIDATION',
      `${label} is ${raw.length} characters that are neither an existing file path nor valid base64 (it starts "${raw.slice(0, 24)}"). Pass a file path, an http(s) URL, or the image bytes in base64 (A-Z a-z 0-9 + / or - _, optional = padding, optionally prefixed by data:image/jpeg;base64,).`,
    );
  // Paths this long do not exist (PATH_MAX); such a value is almost always pasted image data.
  if (raw.length > 4096) {
    if (couldBeBase64) return { bytes: decodeBase64(compact, label), source: `${label} (base64)` };
    throw notPathNorBase64();
  }
  let bytes: Buffer;
  try {
    // Regular files only, size-capped before reading, inside FACEMATCH_FILES_ROOT when set.
    bytes = await readLocalFile(path, { maxBytes: MAX_INPUT_BYTES, label });
  } catch (err) {
    if (!isUnreadablePathError(err)) throw err;
    if (couldBeBase64) return { bytes: decodeBase64(compact, label), source: `${label} (base64)` };
    if (raw.length > 1024) throw notPathNorBase64();
    throw new FacematchError('VALIDATION', `${(err as Error).message} Relative paths resolve against ${opts.cwd}; an http(s) URL or base64 bytes work too.`);
  }
  if (bytes.length === 0) throw new FacematchError('IMAGE_EMPTY', `${label}: ${shown(path)} is an empty file.`);
  return { bytes, source: path };
}

function decodeBase64(text: string, label: string): Buffer {
  const decoded = decodeBase64Text(text, MAX_INPUT_BYTES);
  if (decoded.ok) return decoded.bytes;
  if (decoded.problem === 'too_large') throw new FacematchError('IMAGE_TOO_LARGE', `${label}: the base64 image decodes to more than 5 MB.`);
  if (decoded.problem === 'empty') throw new FacematchError('IMAGE_EMPTY', `${label}: the base64 decodes to zero bytes.`);
  throw new FacematchError('VALIDATION', `${label} is neither an existing file path, an http(s) URL, nor valid base64.`);
}

async function fetchImage(url: string, label: string, opts: LoadImageOptions): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? URL_TIMEOUT_MS;
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const refused = urlPolicyProblem(current);
    if (refused) throw new FacematchError('VALIDATION', `${label}: ${shown(current)} is not fetched: ${refused}`);
    let res: Awaited<ReturnType<typeof import('undici').request>>;
    try {
      const { request } = await import('undici');
      res = await request(current, { method: 'GET', signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, headers: { accept: 'image/*' }, dispatcher: await guardedAgent() });
    } catch (err) {
      throw urlError(label, current, err, timeoutMs);
    }
    const { statusCode, headers, body } = res;
    if (statusCode >= 300 && statusCode < 400 && typeof headers.location === 'string') {
      body.resume();
      const next = new URL(headers.location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new FacematchError('VALIDATION', `${label}: ${shown(current)} redirects to a ${next.protocol} URL; only http(s) is followed.`);
      }
      current = next.toString();
      continue;
    }
    if (statusCode !== 200) {
      body.resume();
      throw urlError(label, current, null, timeoutMs);
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_INPUT_BYTES) {
      body.destroy();
      throw new FacematchError('IMAGE_TOO_LARGE', `${label}: ${shown(current)} is ${(declared / 1048576).toFixed(1)} MB; the limit is 5 MB.`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of body) {
        total += (chunk as Buffer).length;
        if (total > MAX_INPUT_BYTES) {
          body.destroy();
          throw new FacematchError('IMAGE_TOO_LARGE', `${label}: ${shown(current)} sent more than 5 MB; the limit is 5 MB.`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof FacematchError) throw err;
      throw urlError(label, current, err, timeoutMs);
    }
    const bytes = Buffer.concat(chunks);
    // Anything but an image gets the same answer as a refused connection, so a URL argument
    // cannot be used to learn which local ports answer.
    if (bytes.length === 0 || !sniffFormat(bytes)) throw urlError(label, current, null, timeoutMs);
    return bytes;
  }
  throw new FacematchError('VALIDATION', `${label}: ${shown(url)} redirected more than ${MAX_REDIRECTS} times; pass the final image URL.`);
}

/** One sentence for every way a URL fails (refused, reset, timeout, non-200, not an image). */
function urlError(label: string, url: string, err: unknown, timeoutMs: number): FacematchError {
  const e = err as { code?: string } | null;
  if (e?.code === 'EADDRBLOCKED') return new FacematchError('VALIDATION', `${label}: ${shown(url)} is not fetched: its host is a link-local or metadata address (set FACEMATCH_ALLOW_LINK_LOCAL=1 to allow it).`, { cause: err });
  return new FacematchError(
    'VALIDATION',
    `${label}: no image from ${shown(url)} (no answer within ${timeoutMs / 1000} s, a refused connection, an HTTP error or not an image). Download the image and pass its file path, or pass base64.`,
    err ? { cause: err } : {},
  );
}

let agent: Agent | null = null;
/** One connection pool for image URLs whose DNS lookups refuse link-local and metadata addresses.
 *  undici is imported on the first URL, not at start-up: most image arguments are files. */
async function guardedAgent(): Promise<Agent> {
  if (!agent) {
    const { Agent: UndiciAgent } = await import('undici');
    agent = new UndiciAgent({ connect: { lookup: guardedLookup } });
  }
  return agent;
}
