// How much one tenant's failing webhook destinations cost the other tenants (not a test: run
// it on purpose).
//   node dist/test/bench/failing-destinations.js [--destinations 500] [--sessions 10] [--seconds 45] [--delete-seconds 120]
// A real sandbox and HTTP server in this process, with the real delivery worker (default
// timeouts and retries). Tenant A gets --destinations destinations on a closed local port
// (written straight into the database, past the per-application cap, so the claim's cost is
// what is measured) and creates --sessions sessions: destinations x sessions deliveries that
// all fail and retry. Meanwhile tenant B lists its workflows every 10 ms; then every
// destination of A is deleted over HTTP. Prints one JSON line: B's latency p50/p99/max, the
// delivery attempts made, and how many deletes were done in how long.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startHttpServer } from '../../src/http/server.js';
import { openSandbox } from '../../src/services/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10 : 0;
};

async function main(): Promise<void> {
  const destinations = arg('destinations', 500);
  const sessions = arg('sessions', 10);
  const seconds = arg('seconds', 45);
  const dir = mkdtempSync(join(tmpdir(), 'fm-bench-dest-'));
  const sandbox = openSandbox({ dbPath: join(dir, 'sandbox.db') });
  const server = await startHttpServer({ sandbox, host: '127.0.0.1', port: 0, rateLimits: { get: 1e9, write: 1e9 } });
  try {
    const keyA = sandbox.accounts.provision({ email: 'noisy@example.com' }, { localCli: true }).api_key;
    const keyB = sandbox.accounts.provision({ email: 'quiet@example.com' }, { localCli: true }).api_key;
    const appA = sandbox.accounts.authenticate(keyA).applicationId;

    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const insert = sandbox.db.prepare(
      `INSERT INTO webhook_destinations (id, application_id, label, url, subscribed_events, enabled, webhook_version, secret, created_at)
       VALUES (?, ?, ?, ?, '["status.updated"]', 1, 'v3', ?, ?)`,
    );
    const ids: string[] = [];
    sandbox.db.transaction(() => {
      for (let i = 0; i < destinations; i++) {
        const id = randomUUID();
        ids.push(id);
        insert.run(id, appA, `closed-${i}`, `http://127.0.0.1:${closedPort}/hook/${i}`, randomBytes(32).toString('base64url'), Date.now());
      }
    })();

    const call = async (key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(server.url + path, {
        method,
        // A fresh connection each time: a stalled server may drop an idle kept-alive one.
        headers: { 'x-api-key': key, connection: 'close', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    };

    // B's latency before the load, for comparison.
    const idle: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await call(keyB, 'GET', '/v3/workflows/');
      idle.push(performance.now() - t);
    }

    const wf = (await call(keyA, 'POST', '/v3/workflows/', { features: [{ feature: 'FACE_MATCH' }] })).json as { workflow_id: string };
    for (let i = 0; i < sessions; i++) await call(keyA, 'POST', '/v3/session/', { workflow_id: wf.workflow_id });
    const queued = (sandbox.db.prepare("SELECT COUNT(*) AS n FROM webhook_outbox WHERE state = 'pending'").get() as { n: number }).n;
    process.stderr.write(`${destinations} destinations, ${queued} pending deliveries; measuring for ${seconds} s\n`);

    const loaded: number[] = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const t = performance.now();
      await call(keyB, 'GET', '/v3/workflows/');
      loaded.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
    const attempts = (sandbox.db.prepare('SELECT COUNT(*) AS n FROM webhook_attempts').get() as { n: number }).n;

    process.stderr.write(`other tenant while loaded: p50 ${pct(loaded, 50)} ms, p99 ${pct(loaded, 99)} ms, max ${pct(loaded, 100)} ms over ${loaded.length} requests; ${attempts} delivery attempts\n`);

    // Deleting A's destinations, for at most --delete-seconds (then the count done is reported).
    const deleteBudgetMs = arg('delete-seconds', 120) * 1000;
    const t0 = performance.now();
    let deleted = 0;
    for (const id of ids) {
      if (performance.now() - t0 > deleteBudgetMs) break;
      const r = await call(keyA, 'DELETE', `/v3/webhook/destinations/${id}/`);
      if (r.status !== 204 && r.status !== 200) throw new Error(`delete answered ${r.status}`);
      deleted++;
    }
    const deleteMs = performance.now() - t0;

    process.stdout.write(
      `${JSON.stringify({
        cpu: cpus()[0]?.model,
        destinations,
        sessions,
        deliveries: queued,
        seconds,
        other_tenant_ms_idle: { p50: pct(idle, 50), p99: pct(idle, 99), max: pct(idle, 100) },
        other_tenant_ms_loaded: { requests: loaded.length, p50: pct(loaded, 50), p99: pct(loaded, 99), max: pct(loaded, 100) },
        delivery_attempts: attempts,
        destinations_deleted: deleted,
        delete_ms: Math.round(deleteMs),
      })}\n`,
    );
  } finally {
    await server.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
