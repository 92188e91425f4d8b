// Test helpers for the HTTP twin: a real server on 127.0.0.1 (port 0) over a real sandbox in
// a temp folder, and a small fetch wrapper that returns status, headers and parsed JSON.
import assert from 'node:assert/strict';
import { openSandbox, type Sandbox, type SandboxOptions } from '../../src/services/index.js';
import type { SessionCreated, SessionDecision } from '../../src/contract/index.js';
import { startHttpServer, type HttpServerOptions, type RunningServer } from '../../src/http/server.js';
import { tempDb } from './sandbox.js';

export interface Twin {
  url: string;
  sandbox: Sandbox;
  running: RunningServer;
  /** Provisions a verified account and returns its API key. */
  apiKey(email?: string): string;
  close(): Promise<void>;
}

export async function startTwin(opts: HttpServerOptions & { sandbox?: Partial<SandboxOptions> } = {}): Promise<Twin> {
  const tmp = tempDb();
  const sandbox = openSandbox({
    dbPath: tmp.db,
    webhookDelivery: { baseDelayMs: 20, maxAttempts: 4, timeoutMs: 2000, pollMs: 50 },
    ...opts.sandbox,
  });
  const running = await startHttpServer({ ...opts, sandbox, host: '127.0.0.1', port: 0 });
  return {
    url: running.url,
    sandbox,
    running,
    apiKey(email = `dev-${Math.random().toString(36).slice(2)}@example.com`) {
      return sandbox.accounts.provision({ email }, { localCli: true }).api_key;
    },
    async close() {
      await running.close();
      await sandbox.close();
      tmp.cleanup();
    },
  };
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body (null when the body is not JSON); tests cast it to the SPEC type. */
  json: unknown;
}

/** The shape of every error answer. */
export interface ErrorBody {
  detail: string;
  [field: string]: unknown;
}

export function errorBody(r: CallResult): ErrorBody {
  const body = r.json as ErrorBody | null;
  if (!body || typeof body.detail !== 'string') throw new Error(`expected {"detail": ...} JSON, got ${r.status} ${r.text.slice(0, 200)}`);
  return body;
}

export interface CallOptions {
  key?: string;
  json?: unknown;
  body?: string | Buffer | FormData;
  headers?: Record<string, string>;
}

export async function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== undefined) headers['x-api-key'] = opts.key;
  let body: string | Buffer | FormData | undefined = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A multipart form with image buffers under the given field names, plus text fields. */
export function form(files: Record<string, Buffer>, fields: Record<string, string> = {}): FormData {
  const fd = new FormData();
  for (const [name, bytes] of Object.entries(files)) fd.append(name, new Blob([bytes]), `${name}.jpg`);
  for (const [name, value] of Object.entries(fields)) fd.append(name, value);
  return fd;
}

/** POST /v3/session/ on the twin for `workflowId`; asserts 201. */
export async function createSession(base: string, key: string, workflowId: string, body: Record<string, unknown> = {}): Promise<SessionCreated> {
  const r = await call(base, 'POST', '/v3/session/', { key, json: { workflow_id: workflowId, ...body } });
  assert.equal(r.status, 201, r.text);
  return r.json as SessionCreated;
}

/** GET /v3/session/{id}/decision/ on the twin; asserts 200. */
export async function sessionDecision(base: string, key: string, sessionId: string): Promise<SessionDecision> {
  const r = await call(base, 'GET', `/v3/session/${sessionId}/decision/`, { key });
  assert.equal(r.status, 200, r.text);
  return r.json as SessionDecision;
}
