// Test helpers for the sandbox services: temp DB files, a real webhook receiver on 127.0.0.1,
// and a provisioned application.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openSandbox, type AppContext, type Sandbox, type SandboxOptions } from '../../src/services/index.js';

export interface TempDir {
  dir: string;
  db: string;
  cleanup(): void;
}

export function tempDb(name = 'sandbox.db'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), 'fm-services-'));
  return { dir, db: join(dir, 'nested', name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens a sandbox with fast webhook retries for tests. */
export function testSandbox(dbPath: string, extra: Partial<SandboxOptions> = {}): Sandbox {
  return openSandbox({
    dbPath,
    publicBaseUrl: 'http://127.0.0.1:9',
    webhookDelivery: { baseDelayMs: 20, maxAttempts: 6, timeoutMs: 2000, pollMs: 50 },
    ...extra,
  });
}

export function provisionApp(sandbox: Sandbox, email = 'dev@example.com'): { app: AppContext; apiKey: string } {
  // The trusted local path (as `facematch-mcp provision`): tests reuse addresses freely.
  const p = sandbox.accounts.provision({ email }, { localCli: true });
  return { app: sandbox.accounts.authenticate(p.api_key), apiKey: p.api_key };
}

export interface Received {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  json: Record<string, unknown>;
  path: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status codes to answer in order; when used up, `fallback` (default 200). */
  responses: number[];
  fallback: number;
  /** When true, requests are read but never answered. */
  stall: boolean;
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  let server: Server;
  const r: Receiver = {
    url: '',
    received,
    responses: [],
    fallback: 200,
    stall: false,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        // Each delivery wakes every waiter once; one still short of its count waits for the next.
        const check = (): void => {
          if (received.length >= count) {
            clearTimeout(timer);
            resolve(received.slice());
          } else waiters.push(check);
        };
        const timer = setTimeout(() => reject(new Error(`receiver got ${received.length} of ${count} webhooks in ${timeoutMs} ms`)), timeoutMs);
        check();
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
      } catch {
        /* keep {} */
      }
      received.push({ headers: req.headers, rawBody, json, path: req.url ?? '' });
      for (const w of waiters.splice(0)) w();
      if (r.stall) return;
      res.statusCode = r.responses.shift() ?? r.fallback;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return r;
}
