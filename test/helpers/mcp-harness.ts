// Shared plumbing for the MCP tests: a real server subprocess (stdio or `serve` + Streamable
// HTTP) driven by the SDK's own Client, a real local webhook receiver, temp dirs.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { packageRoot } from '../../src/paths.js';

export const cliPath = join(packageRoot, 'dist', 'src', 'cli.js');

export function tempDir(prefix = 'fm-mcp-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Variables that change which platform, application or tools a server uses: never inherited. */
const CHOICE_VARS = /^FACEMATCH_(API_|APP$|TOOLS$)/;

/** Environment for a child: no inherited hosted-mode, application or tool choice unless given. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !CHOICE_VARS.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export interface Connected {
  client: Client;
  stderr(): string;
  close(): Promise<void>;
}

export async function connectStdio(opts: { env: Record<string, string>; cwd?: string; args?: string[] }): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, ...(opts.args ?? [])],
    env: childEnv(opts.env),
    cwd: opts.cwd,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const client = new Client({ name: 'facematch-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}

export interface ServeProcess {
  url: string;
  /** The sandbox credential serve printed (Authorization: Bearer ... for /mcp). */
  credential: string;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `facematch-mcp serve --port 0` and waits for its "listening on" line. */
export async function startServe(env: Record<string, string>, args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 60 s: ${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${err}`));
    });
  });
  const credential = /sandbox credential[^\n]*: (fmsb_\S+)/.exec(err)?.[1] ?? '';
  return {
    url,
    credential,
    child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function connectHttp(url: string, credential: string): Promise<Connected> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${credential}` } } });
  const client = new Client({ name: 'facematch-test-http', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => '',
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

export interface CallOutcome {
  result: CallToolResult;
  text: string;
  bytes: number;
  progress: Progress[];
}

export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallOutcome> {
  const progress: Progress[] = [];
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    onprogress: (p) => progress.push(p),
    timeout: 120_000,
    resetTimeoutOnProgress: true,
  })) as CallToolResult;
  const text = result.content
    .filter((c) => c.type === 'text')
    .map((c) => (c as { text: string }).text)
    .join('\n');
  return { result, text, bytes: Buffer.byteLength(JSON.stringify(result)), progress };
}

/** Calls a tool that must succeed; returns its structuredContent. */
export async function ok<T extends object = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T & { __outcome: CallOutcome }> {
  const outcome = await call(client, name, args);
  assert.notEqual(outcome.result.isError, true, `${name} failed: ${outcome.text}`);
  assert.ok(outcome.result.structuredContent, `${name} returned no structuredContent`);
  // Non-enumerable, so the structured content still serialises as the server sent it.
  const structured = { ...(outcome.result.structuredContent as T) };
  Object.defineProperty(structured, '__outcome', { value: outcome, enumerable: false });
  return structured as T & { __outcome: CallOutcome };
}

/** Calls a tool that must fail with isError; returns the error text. */
export async function fails(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const outcome = await call(client, name, args);
  assert.equal(outcome.result.isError, true, `${name}(${JSON.stringify(args).slice(0, 200)}) should fail but returned: ${outcome.text.slice(0, 300)}`);
  assert.ok(outcome.text.length > 20, `${name}: error text too short: ${outcome.text}`);
  assert.doesNotMatch(outcome.text, /\n\s+at .+:\d+:\d+/, `${name}: error text contains a stack trace`);
  return outcome.text;
}

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  rawBody: string;
}

/** A real webhook receiver on 127.0.0.1 that records requests and answers 200. */
export async function startReceiver(): Promise<{ url: string; received: ReceivedWebhook[]; waitFor(pred: (w: ReceivedWebhook) => boolean, ms?: number): Promise<ReceivedWebhook>; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return {
    url,
    received,
    async waitFor(pred, ms = 20_000) {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const hit = received.find(pred);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no matching webhook within ${ms} ms; received ${received.length}: ${received.map((r) => r.rawBody.slice(0, 120)).join(' | ')}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A tool's behaviour hints as a client reads them: listed values over MCP's defaults. */
export function effectiveHints(tool: { annotations?: Record<string, unknown> }): { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean } {
  const a = tool.annotations ?? {};
  const pick = (k: string, dflt: boolean) => (typeof a[k] === 'boolean' ? (a[k] as boolean) : dflt);
  const readOnly = pick('readOnlyHint', false);
  // For a read-only tool the spec gives destructive/idempotent no meaning; such a tool changes nothing.
  return { readOnlyHint: readOnly, destructiveHint: readOnly ? false : pick('destructiveHint', true), idempotentHint: readOnly ? true : pick('idempotentHint', false), openWorldHint: pick('openWorldHint', true) };
}
