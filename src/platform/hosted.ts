// The hosted implementation: the platform's real /v3 paths over undici, with the API key in
// x-api-key. Lists are paged with limit/offset (the platform answers {count, next, previous,
// results}); HTTP errors become the same coded errors the local services throw, with advice
// that fits the hosted platform.
// undici is imported on the first hosted call, not when this module loads: the MCP server
// imports it at start-up for its error types and most sessions never call the hosted platform.
import type { FormData } from 'undici';
import { FacematchError, type ErrorCode } from '../errors.js';
import { withEventIds } from './deliveries.js';
import type { FaceSearchResult, SessionCreated, SessionDecision, SessionSummary, WebhookDestination, WebhookDestinationCreated, Workflow } from '../contract/index.js';
import type {
  ActingFor,
  DeliveryEntry,
  DestinationInput,
  DestinationPatch,
  FaceMatchInput,
  FaceMatchOutcome,
  FaceSearchInput,
  Page,
  PageQuery,
  Platform,
  PlatformStatus,
  ResendInput,
  ResendResult,
  ReviewInput,
  ReviewResult,
  SessionInput,
  SessionListQuery,
  WorkflowInput,
} from './types.js';

const TIMEOUT_MS = 60_000;
/** A destination list longer than this many pages is not followed further. */
const MAX_PAGES = 50;
const POLL_MS = 250;

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'VALIDATION',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'IMAGE_TOO_LARGE',
  422: 'VALIDATION',
  429: 'RATE_LIMITED',
};

/** What to do next, for an agent talking to the hosted platform (never a sandbox-only tool). */
function hostedAdvice(status: number, retryAfter: string | null): string {
  if (status === 401) return 'The hosted platform refused FACEMATCH_API_KEY: check that it is a current API key of the application (no stray spaces, not revoked), then restart the MCP server with it.';
  if (status === 403) return 'The key was sent but lacks permission for this call (a scoped key?), or no key reached the platform: check FACEMATCH_API_KEY and its scopes.';
  if (status === 404) return 'Nothing with that id exists in the key\'s application: list what exists first (list_workflows, list_sessions, list_webhook_destinations).';
  if (status === 429) return `Rate limited by the hosted platform: wait ${retryAfter ? `${retryAfter} s` : 'a few seconds'} and retry.`;
  if (status >= 500) return 'The hosted platform failed on its side; retry in a moment.';
  return 'Fix the request as the platform says and call the tool again.';
}

/** Errors from the hosted client carry their own advice (errors.ts adds no sandbox hint). */
export class HostedError extends FacematchError {
  readonly hosted = true;
}

export function isHostedError(err: unknown): err is HostedError {
  return err instanceof HostedError;
}

interface Envelope<T> {
  count?: number;
  next?: string | null;
  results?: T[];
}

export interface HostedPlatformOptions {
  baseUrl: string;
  apiKey: string;
  /** FACEMATCH_APP: the application id the key belongs to, when the user names it. */
  applicationId?: string | null;
}

export class HostedPlatform implements Platform {
  readonly kind = 'hosted' as const;
  readonly baseUrl: string;
  readonly label: string;
  private readonly apiKey: string;
  private readonly applicationId: string | null;

  constructor(opts: HostedPlatformOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.apiKey = opts.apiKey;
    this.applicationId = opts.applicationId ?? null;
    this.label = `hosted platform ${this.baseUrl}`;
  }

  /** The key as status output shows it: its last four characters, as consoles do. */
  redactedKey(): string {
    return this.apiKey.length >= 16 ? `…${this.apiKey.slice(-4)}` : '(a short key; not shown)';
  }

  actingFor(): ActingFor {
    return { application_id: this.applicationId, name: null, chosen_by: `FACEMATCH_API_KEY ${this.redactedKey()}` };
  }

  /** Every hosted call acts for the key's application. */
  actedForApplication(): boolean {
    return true;
  }

  async status(): Promise<PlatformStatus> {
    return { kind: 'hosted', base_url: this.baseUrl, acting_for: this.actingFor(), db_path: null, capture_base_url: null, live_serve_url: null, last_serve: null, counts: null };
  }

  // ---- workflows ----------------------------------------------------------------------------

  async createWorkflow(input: WorkflowInput): Promise<Workflow> {
    return (await this.json('POST', '/v3/workflows/', input)) as Workflow;
  }

  async listWorkflows(query: PageQuery): Promise<Page<Workflow>> {
    return this.page<Workflow>('/v3/workflows/', query, {});
  }

  // ---- sessions -----------------------------------------------------------------------------

  async createSession(input: SessionInput): Promise<SessionCreated> {
    return (await this.json('POST', '/v3/session/', input)) as SessionCreated;
  }

  async listSessions(query: SessionListQuery): Promise<Page<SessionSummary>> {
    const { limit, offset, ...filters } = query;
    return this.page<SessionSummary>('/v3/sessions/', { limit, offset }, filters);
  }

  async getDecision(sessionId: string): Promise<SessionDecision> {
    return (await this.json('GET', `/v3/session/${seg(sessionId)}/decision/`)) as SessionDecision;
  }

  async reviewSession(sessionId: string, input: ReviewInput): Promise<ReviewResult> {
    const res = (await this.json('PATCH', `/v3/session/${seg(sessionId)}/update-status/`, input)) as { session_id?: string; status?: string } | null;
    // The platform answers with the session id only: read the status back.
    const status = typeof res?.status === 'string' ? res.status : (await this.getDecision(sessionId)).status;
    return { session_id: res?.session_id ?? sessionId, status };
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.json('DELETE', `/v3/session/${seg(sessionId)}/delete/`);
  }

  // ---- webhook destinations -----------------------------------------------------------------

  async createDestination(input: DestinationInput): Promise<WebhookDestinationCreated> {
    return (await this.json('POST', '/v3/webhook/destinations/', input)) as WebhookDestinationCreated;
  }

  async listDestinations(): Promise<WebhookDestination[]> {
    return this.all<WebhookDestination>('/v3/webhook/destinations/');
  }

  async getDestination(uuid: string): Promise<WebhookDestination> {
    return (await this.json('GET', `/v3/webhook/destinations/${seg(uuid)}/`)) as WebhookDestination;
  }

  async updateDestination(uuid: string, patch: DestinationPatch): Promise<WebhookDestination> {
    return (await this.json('PATCH', `/v3/webhook/destinations/${seg(uuid)}/`, patch)) as WebhookDestination;
  }

  async deleteDestination(uuid: string): Promise<void> {
    await this.json('DELETE', `/v3/webhook/destinations/${seg(uuid)}/`);
  }

  // ---- delivery log -------------------------------------------------------------------------

  async listDeliveries(sessionId: string, opts: { waitMs: number }): Promise<DeliveryEntry[]> {
    const path = `/v3/session/${seg(sessionId)}/webhooks/`;
    const until = Date.now() + opts.waitMs;
    for (;;) {
      const raw = await this.json('GET', path);
      const list = withEventIds((Array.isArray(raw) ? raw : ((raw as Envelope<DeliveryEntry>)?.results ?? [])) as Array<Record<string, unknown>>);
      // The platform has no "pending" view: wait until something was attempted, or time is up.
      if (list.length || Date.now() >= until) return list;
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, until - Date.now()))));
    }
  }

  async resendWebhook(input: ResendInput): Promise<ResendResult> {
    const log = await this.listDeliveries(input.session_id, { waitMs: 0 });
    // Newest first: the first match is the latest delivery of that event.
    const entry = input.event_id ? log.find((d) => d.event_id === input.event_id) : log[0];
    if (!entry) {
      throw new HostedError(
        'NOT_FOUND',
        input.event_id
          ? `Session ${input.session_id} has no delivery of event ${input.event_id} on the hosted platform; use an event_id from list_webhook_deliveries for that session.`
          : `Session ${input.session_id} has no webhook delivery to resend on the hosted platform yet (no destination subscribed, or nothing happened yet).`,
      );
    }
    const uuid = typeof entry.uuid === 'string' ? entry.uuid : null;
    if (!uuid) throw new HostedError('VALIDATION', 'The platform\'s delivery log entry has no uuid, so it cannot be resent by the API.');
    // The resend path has no trailing slash on the platform.
    await this.json('POST', `/v3/session/${seg(input.session_id)}/webhook/${seg(uuid)}/resend`);
    return { event_id: entry.event_id ?? uuid, queued: 1 };
  }

  // ---- standalone face match ----------------------------------------------------------------

  async faceMatch(input: FaceMatchInput): Promise<FaceMatchOutcome> {
    const form = new (await import('undici')).FormData();
    form.set('user_image', new Blob([new Uint8Array(input.userImage)]), 'user_image');
    form.set('ref_image', new Blob([new Uint8Array(input.refImage)]), 'ref_image');
    form.set('face_match_score_decline_threshold', String(input.declineThreshold));
    form.set('rotate_image', String(input.rotateImage));
    form.set('save_api_request', 'false');
    const res = (await this.send('POST', '/v3/face-match/', form)) as Omit<FaceMatchOutcome, 'engine' | 'alignedFaces'>;
    return { request_id: res.request_id, face_match: res.face_match, created_at: res.created_at, engine: null, alignedFaces: null };
  }

  async faceSearch(input: FaceSearchInput): Promise<FaceSearchResult> {
    const form = new (await import('undici')).FormData();
    form.set('user_image', new Blob([new Uint8Array(input.userImage)]), 'user_image');
    form.set('search_type', input.searchType);
    form.set('rotate_image', String(input.rotateImage));
    // A lookup from an agent: nothing kept, nothing enrolled.
    form.set('save_api_request', 'false');
    if (input.vendorData) form.set('vendor_data', input.vendorData);
    return (await this.send('POST', '/v3/face-search/', form)) as FaceSearchResult;
  }

  // ---- HTTP plumbing ------------------------------------------------------------------------

  /** One page of a list; accepts the platform's envelope or a bare array (older twins). */
  private async page<T>(path: string, q: PageQuery, filters: Record<string, string | undefined>): Promise<Page<T>> {
    const qs = new URLSearchParams({ limit: String(q.limit), offset: String(q.offset) });
    for (const [k, v] of Object.entries(filters)) if (v !== undefined) qs.set(k, v);
    const raw = await this.json('GET', `${path}?${qs}`);
    if (Array.isArray(raw)) {
      const results = (raw as T[]).slice(q.offset, q.offset + q.limit);
      return { count: raw.length, next_offset: q.offset + results.length < raw.length ? q.offset + results.length : null, results };
    }
    const env = raw as Envelope<T>;
    const results = env.results ?? [];
    const count = typeof env.count === 'number' ? env.count : results.length;
    const more = env.next !== undefined ? env.next !== null : q.offset + results.length < count;
    return { count, next_offset: more && results.length ? q.offset + results.length : null, results };
  }

  /** Every item of a list, following `next` links on the same origin. */
  private async all<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | null = path;
    for (let i = 0; next && i < MAX_PAGES; i++) {
      const raw = await this.json('GET', next);
      if (Array.isArray(raw)) return [...out, ...(raw as T[])];
      const env = raw as Envelope<T>;
      out.push(...(env.results ?? []));
      next = env.next ? this.sameOriginPath(env.next) : null;
    }
    return out;
  }

  /** A `next` link as a path on our base URL; links elsewhere are not followed (the key would go with them). */
  private sameOriginPath(link: string): string | null {
    try {
      const base = new URL(this.baseUrl);
      const url = new URL(link, base);
      if (url.origin !== base.origin) return null;
      const prefix = base.pathname.replace(/\/+$/, '');
      return `${url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname}${url.search}`;
    } catch {
      return null;
    }
  }

  private json(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { 'content-type': 'application/json' });
  }

  private async send(method: string, path: string, body?: string | FormData, headers: Record<string, string> = {}): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    let res: Awaited<ReturnType<typeof import('undici').fetch>>;
    try {
      const { fetch } = await import('undici');
      res = await fetch(url, {
        method,
        body,
        headers: { accept: 'application/json', 'x-api-key': this.apiKey, ...headers },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const e = err as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> }; message?: string; name?: string };
      const why = e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.cause?.message ?? e.message ?? 'network error');
      throw new HostedError('VALIDATION', `The hosted platform at ${this.baseUrl} could not be reached (${why}); check FACEMATCH_API_BASE and the network, or unset FACEMATCH_API_BASE and FACEMATCH_API_KEY to use the local sandbox.`, { cause: err });
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (res.ok) {
      if (parsed === null && text) throw new HostedError('VALIDATION', `${method} ${url} answered ${res.status} with a non-JSON body; is FACEMATCH_API_BASE the API's base URL (ending before /v3)?`);
      return parsed;
    }
    const obj = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    const detail = typeof obj?.detail === 'string' ? obj.detail : text.slice(0, 200) || res.statusText;
    const code = CODE_BY_STATUS[res.status] ?? 'VALIDATION';
    const where = path.split('?')[0];
    throw new HostedError(code, `The hosted platform answered ${res.status} to ${method} ${where}: ${detail.replace(/[.\s]+$/, '')}. ${hostedAdvice(res.status, res.headers.get('retry-after'))}`, {
      fields: obj ? fieldErrors(obj) : undefined,
    });
  }
}

function seg(id: string): string {
  return encodeURIComponent(id);
}

function fieldErrors(body: Record<string, unknown>): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k !== 'detail' && Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v as string[];
  }
  return Object.keys(out).length ? out : undefined;
}
