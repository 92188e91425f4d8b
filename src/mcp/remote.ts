// Client for the hosted platform (or any twin of it): with FACEMATCH_API_BASE and
// FACEMATCH_API_KEY set, the account-free tools call these paths instead of local services,
// with the same inputs and outputs. HTTP errors come back as FacematchError with the
// server's own `detail` sentence.
import { fetch, FormData } from 'undici';
import { FacematchError, type ErrorCode } from '../errors.js';
import { log } from '../log.js';

const TIMEOUT_MS = 60_000;

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'IMAGE_TOO_LARGE',
  422: 'VALIDATION',
  429: 'RATE_LIMITED',
};

export interface RemoteFaceMatchInput {
  userImage: Buffer;
  refImage: Buffer;
  fields: Record<string, string>;
}

export class RemoteClient {
  readonly baseUrl: string;
  private readonly apiKey: string;

  constructor(baseUrl: string, apiKey: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.apiKey = apiKey;
  }

  /** For status output: the key is never shown. */
  describe(): { base_url: string; api_key: string } {
    return { base_url: this.baseUrl, api_key: `${this.apiKey.slice(0, 6)}…[redacted]` };
  }

  createWorkflow(input: unknown): Promise<unknown> {
    return this.json('POST', '/v3/workflows/', input);
  }

  listWorkflows(): Promise<unknown> {
    return this.json('GET', '/v3/workflows/');
  }

  createSession(input: unknown): Promise<unknown> {
    return this.json('POST', '/v3/session/', input);
  }

  listSessions(query: Record<string, string | number | undefined>): Promise<unknown> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return this.json('GET', `/v3/session/${q ? `?${q}` : ''}`);
  }

  decision(sessionId: string): Promise<unknown> {
    return this.json('GET', `/v3/session/${encodeURIComponent(sessionId)}/decision/`);
  }

  faceMatch(input: RemoteFaceMatchInput): Promise<unknown> {
    const form = new FormData();
    form.set('user_image', new Blob([new Uint8Array(input.userImage)]), 'user_image');
    form.set('ref_image', new Blob([new Uint8Array(input.refImage)]), 'ref_image');
    for (const [k, v] of Object.entries(input.fields)) form.set(k, v);
    return this.send('POST', '/v3/face-match/', form);
  }

  private json(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { 'content-type': 'application/json' });
  }

  private async send(method: string, path: string, body?: string | FormData, headers: Record<string, string> = {}): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(url, {
        method,
        body,
        headers: { accept: 'application/json', 'x-api-key': this.apiKey, ...headers },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const e = err as { cause?: { code?: string }; message?: string; name?: string };
      const why = e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : e.cause?.code ?? e.message ?? 'network error';
      throw new FacematchError('VALIDATION', `The remote platform at ${this.baseUrl} could not be reached (${why}); check FACEMATCH_API_BASE or unset it to use the local sandbox.`, { cause: err });
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (res.ok) {
      if (parsed === null && text) throw new FacematchError('VALIDATION', `${method} ${url} answered ${res.status} with a non-JSON body; is FACEMATCH_API_BASE the API's base URL?`);
      return parsed;
    }
    const detail = parsed && typeof parsed === 'object' && typeof (parsed as { detail?: unknown }).detail === 'string' ? (parsed as { detail: string }).detail : text.slice(0, 200) || res.statusText;
    const fields = parsed && typeof parsed === 'object' ? fieldErrors(parsed as Record<string, unknown>) : undefined;
    const code = CODE_BY_STATUS[res.status] ?? 'VALIDATION';
    const keyHint = res.status === 401 || res.status === 403 ? ' Check FACEMATCH_API_KEY.' : '';
    throw new FacematchError(code, `remote ${method} ${path} -> ${res.status}: ${detail}${keyHint}`, { fields });
  }
}

function fieldErrors(body: Record<string, unknown>): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k !== 'detail' && Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v as string[];
  }
  return Object.keys(out).length ? out : undefined;
}

/** A client when both FACEMATCH_API_BASE and FACEMATCH_API_KEY are set, else null. */
export function remoteFromEnv(env: NodeJS.ProcessEnv = process.env): RemoteClient | null {
  const base = env.FACEMATCH_API_BASE?.trim();
  const key = env.FACEMATCH_API_KEY?.trim();
  if (!base || !key) {
    // Why: with only one of the two set, an agent would believe it talks to the real platform.
    if (base || key) log(`remote mode is off: set both FACEMATCH_API_BASE and FACEMATCH_API_KEY (only ${base ? 'FACEMATCH_API_BASE' : 'FACEMATCH_API_KEY'} is set); using the local sandbox.`);
    return null;
  }
  if (!/^https?:\/\//i.test(base)) throw new FacematchError('VALIDATION', `FACEMATCH_API_BASE must be an http(s) URL, got '${base}'.`);
  return new RemoteClient(base, key);
}
