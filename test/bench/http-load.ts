// Load benchmark of the HTTP twin on loopback (not a test: run it on purpose).
//   node dist/test/bench/http-load.js [--duration 30] [--connections 8] [--webhooks 40]
//     [--only mixed] [--mixed-duration 60] [--mixed-clients 32] [--profile DIR]
// Starts `facematch-mcp serve` as a child process on a temp DB (rate limits raised so the
// limiter is not what is measured), gets an API key through the public account flow, then:
//   1. POST /v3/face-match/ with real photo pairs, N concurrent clients for D seconds;
//   2. POST /v3/session/ for D/3 seconds (session creation rate);
//   3. webhook delivery latency: simulate an outcome, time until the loopback receiver has it;
//   4. mixed load: --mixed-clients (32) clients for --mixed-duration (60) s, a quarter each on
//      face match, session create, decision GET and destination list, with p50/p99 per route,
//      errors, 429s (engine queue full), server RSS and the CPU model. The target:
//      p99 of the non-face routes under 50 ms while face matches saturate the CPU.
// Prints one JSON line on stdout; progress goes to stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Agent } from 'undici';
import { packageRoot } from '../../src/paths.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';

interface Args {
  /** --only mixed: just the mixed scenario (the latency target above). */
  only: 'all' | 'mixed';
  /** --profile DIR: the server runs with --cpu-prof, its profile written to DIR at exit. */
  profile: string | null;
  duration: number;
  connections: number;
  webhooks: number;
  'mixed-duration': number;
  'mixed-clients': number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { only: 'all', profile: null, duration: 30, connections: 8, webhooks: 40, 'mixed-duration': 60, 'mixed-clients': 32 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--profile') {
      args.profile = argv[++i] ?? '';
      if (!args.profile) throw new Error('usage: --profile DIR');
      continue;
    }
    if (argv[i] === '--only') {
      if (argv[++i] !== 'mixed') throw new Error(`usage: --only mixed (got '${argv[i]}')`);
      args.only = 'mixed';
      continue;
    }
    const name = argv[i]!.replace(/^--/, '') as Exclude<keyof Args, 'only' | 'profile'>;
    const value = Number(argv[++i]);
    if (!(name in args) || !Number.isFinite(value) || value <= 0) {
      throw new Error(`usage: http-load [--only mixed] [--profile DIR] [--duration S] [--connections N] [--webhooks N] [--mixed-duration S] [--mixed-clients N] (bad '${argv[i - 1]}')`);
    }
    args[name] = Math.min(value, name === 'duration' || name === 'mixed-duration' ? 300 : 256);
  }
  return args;
}

const progress = (msg: string): void => void process.stderr.write(`http-load: ${msg}\n`);

async function startServer(dbPath: string, profileDir: string | null): Promise<{ child: ChildProcess; url: string; credential: string; stderr: () => string }> {
  const cli = join(packageRoot, 'dist', 'src', 'cli.js');
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(process.execPath, [...prof, cli, 'serve', '--port', '0', '--db', dbPath, '--no-mcp', '--rate-limit-get', '100000000', '--rate-limit-write', '100000000'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${err}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${err}`)));
  });
  // The sandbox credential (needed for the verification-code peek) is printed before the URL.
  const credential = /sandbox credential[^\n]*: (fmsb_\S+)/.exec(err)?.[1] ?? '';
  return { child, url, credential, stderr: () => err };
}

async function json(base: string, method: string, path: string, body: unknown, key?: string, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}), ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

/** An API key through the public account flow (register, read the code, verify). */
async function apiKey(base: string, credential: string): Promise<string> {
  const email = 'bench@example.com';
  await json(base, 'POST', '/auth/v2/programmatic/register/', { email, password: 'Bench!pass9' });
  const code = (await json(base, 'GET', `/sandbox/verification-code/?email=${encodeURIComponent(email)}`, undefined, undefined, { authorization: `Bearer ${credential}` })).code as string;
  const verified = await json(base, 'POST', '/auth/v2/programmatic/verify-email/', { email, code });
  return (verified.application as { api_key: string }).api_key;
}

function multipart(boundary: string, files: Record<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, bytes] of Object.entries(files)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`), bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (n: number | null, digits = 1): number | null => (n === null ? null : Number(n.toFixed(digits)));

function peakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!hasFaces) throw new Error(noFacesReason);
  const dir = mkdtempSync(join(tmpdir(), 'fm-http-load-'));
  const server = await startServer(join(dir, 'bench.db'), args.profile);
  const receiverHits = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { session_id?: string; status?: string };
        const tag = `${body.session_id}:${body.status}`;
        if (!receiverHits.has(tag)) receiverHits.set(tag, at);
        waiters.get(tag)?.();
      } catch {
        /* not ours */
      }
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  try {
    const base = server.url;
    progress(`server ${base}; ${args.connections} connections, ${args.duration} s`);
    const key = await apiKey(base, server.credential);

    // 1. Standalone face match with a rotation of real pairs (same and different people).
    const pairs = readPairs('lfw-funneled-dev');
    const chosen = [...pairs.filter((p) => p.same).slice(0, 8), ...pairs.filter((p) => !p.same).slice(0, 8)];
    const boundary = 'fmLoadBoundary';
    const bodies = chosen.map((p) => multipart(boundary, { user_image: readFileSync(p.a), ref_image: readFileSync(p.b) }));
    const headers = { 'x-api-key': key, 'content-type': `multipart/form-data; boundary=${boundary}` };
    const warm = await fetch(`${base}/v3/face-match/`, { method: 'POST', headers, body: bodies[0] });
    if (warm.status !== 200) throw new Error(`warm-up face match failed: ${warm.status} ${await warm.text()}`);
    const wf = await json(base, 'POST', '/v3/workflows/', { workflow_label: 'load', features: [{ feature: 'FACE_MATCH' }] }, key);
    const sessionBody = JSON.stringify({ workflow_id: wf.workflow_id, metadata: { bench: true } });
    await json(base, 'POST', '/v3/webhook/destinations/', { label: 'load', url: receiverUrl, subscribed_events: ['status.updated'] }, key);
    const separate = args.only === 'mixed' ? null : await (async () => {
      let next = 0;
      progress('face-match load...');
      const fm = await autocannon({
        url: `${base}/v3/face-match/`,
        connections: args.connections,
        duration: args.duration,
        timeout: 60,
        requests: [
          {
            method: 'POST',
            headers,
            setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
          },
        ],
      });

      // 2. Session creation.
      progress('session creation load...');
      const sessionDuration = Math.max(3, Math.round(args.duration / 3));
      const sc = await autocannon({
        url: `${base}/v3/session/`,
        connections: args.connections,
        duration: sessionDuration,
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: sessionBody,
      });

      // 3. Webhook delivery latency, one event at a time on an otherwise idle server.
      progress(`webhook latency over ${args.webhooks} events...`);
      const latencies: number[] = [];
      for (let i = 0; i < args.webhooks; i++) {
        const s = await json(base, 'POST', '/v3/session/', { workflow_id: wf.workflow_id, vendor_data: `wh-${i}` }, key);
        const id = s.session_id as string;
        const tag = `${id}:Approved`;
        const arrived = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`webhook for ${id} not received in 20 s`)), 20_000);
          waiters.set(tag, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        const t0 = performance.now();
        await json(base, 'POST', `/sandbox/session/${id}/simulate/`, { outcome: 'Approved' }, key);
        if (!receiverHits.has(tag)) await arrived;
        latencies.push(receiverHits.get(tag)! - t0);
        waiters.delete(tag);
      }
      latencies.sort((a, b) => a - b);

      return {
        face_match: {
          duration_s: fm.duration,
          requests: fm.requests.total,
          requests_per_s: round(fm.requests.average, 2),
          latency_p50_ms: fm.latency.p50,
          latency_p99_ms: fm.latency.p99,
          latency_max_ms: fm.latency.max,
          errors: fm.errors + fm.timeouts + fm.non2xx,
          status_codes: Object.fromEntries(Object.entries(fm.statusCodeStats).map(([k, v]) => [k, v.count])),
        },
        session_create: {
          duration_s: sc.duration,
          requests: sc.requests.total,
          requests_per_s: round(sc.requests.average, 1),
          latency_p50_ms: sc.latency.p50,
          latency_p99_ms: sc.latency.p99,
          errors: sc.errors + sc.timeouts + sc.non2xx,
        },
        webhook_delivery: {
          events: latencies.length,
          latency_p50_ms: round(percentile(latencies, 50)),
          latency_p95_ms: round(percentile(latencies, 95)),
          latency_max_ms: round(latencies[latencies.length - 1] ?? null),
          measured: 'from sending the simulate request to the receiver having the status.updated body',
        },
      };
    })();

    // 4. Mixed load: face work beside routes that need no engine.
    const sampleSession = (await json(base, 'POST', '/v3/session/', { workflow_id: wf.workflow_id, vendor_data: 'mixed' }, key)).session_id as string;
    progress(`mixed load: ${args['mixed-clients']} clients for ${args['mixed-duration']} s...`);
    const mixed = await mixedLoad(base, args['mixed-clients'], args['mixed-duration'] * 1000, server.child.pid, [
      { name: 'face_match', method: 'POST', path: '/v3/face-match/', headers, body: (i) => bodies[i % bodies.length]! },
      { name: 'session_create', method: 'POST', path: '/v3/session/', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: () => sessionBody },
      { name: 'decision_get', method: 'GET', path: `/v3/session/${sampleSession}/decision/`, headers: { 'x-api-key': key } },
      { name: 'destination_list', method: 'GET', path: '/v3/webhook/destinations/', headers: { 'x-api-key': key } },
    ]);

    const result = {
      bench: 'http-load',
      node: process.version,
      cpus: cpus().length,
      connections: args.connections,
      ...(separate ?? { only: 'mixed' }),
      mixed,
      cpu_model: cpus()[0]?.model ?? null,
      server_peak_rss_mb: peakRssMb(server.child.pid),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    receiver.close();
    server.child.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.child.kill('SIGKILL');
        resolve();
      }, 10_000);
      server.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

interface MixedRoute {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: (i: number) => string | Buffer;
}

function currentRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** `clients` loops, client i always on route i % routes.length, each sending its next request
 *  when the last one is answered, until `durationMs` passes. */
async function mixedLoad(base: string, clients: number, durationMs: number, pid: number | undefined, routes: MixedRoute[]) {
  const stats = routes.map(() => ({ latencies: [] as number[], errors: 0, throttled: 0, statuses: {} as Record<string, number>, maxRetryAfterS: 0 }));
  const rss: number[] = [];
  const sampler = setInterval(() => {
    const r = currentRssMb(pid);
    if (r !== null) rss.push(r);
  }, 500);
  const end = performance.now() + durationMs;
  let seq = 0;
  // undici's request API on keep-alive connections: far less client CPU per request than fetch,
  // which matters when the load generator shares the machine's cores with the server.
  const agent = new Agent({ connections: clients, pipelining: 1 });
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const ri = c % routes.length;
      const route = routes[ri]!;
      const st = stats[ri]!;
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const res = await agent.request({ origin: base, path: route.path, method: route.method, headers: route.headers, body: route.body?.(seq++), headersTimeout: 120_000, bodyTimeout: 120_000 });
          await res.body.arrayBuffer();
          st.latencies.push(performance.now() - t0);
          const status = res.statusCode;
          st.statuses[status] = (st.statuses[status] ?? 0) + 1;
          if (status === 429) {
            st.throttled++;
            const ra = Number(res.headers['retry-after']);
            if (Number.isFinite(ra)) st.maxRetryAfterS = Math.max(st.maxRetryAfterS, ra);
            await new Promise((r) => setTimeout(r, Math.min(1000, (Number.isFinite(ra) ? ra : 1) * 1000)));
          } else if (status >= 300) st.errors++;
        } catch {
          st.errors++;
        }
      }
    }),
  );
  clearInterval(sampler);
  await agent.close();
  const seconds = durationMs / 1000;
  return {
    clients,
    duration_s: seconds,
    routes: Object.fromEntries(
      routes.map((r, i) => {
        const st = stats[i]!;
        const sorted = st.latencies.sort((a, b) => a - b);
        return [
          r.name,
          {
            clients: Math.ceil((clients - i) / routes.length),
            requests: sorted.length,
            requests_per_s: round(sorted.length / seconds, 2),
            latency_p50_ms: round(percentile(sorted, 50)),
            latency_p99_ms: round(percentile(sorted, 99)),
            latency_max_ms: round(sorted[sorted.length - 1] ?? null),
            errors: st.errors,
            throttled_429: st.throttled,
            max_retry_after_s: st.maxRetryAfterS || null,
            status_codes: st.statuses,
          },
        ];
      }),
    ),
    server_rss_mb: { max: rss.length ? Math.max(...rss) : null, last: rss[rss.length - 1] ?? null },
  };
}

// `node --test dist/test/` treats every .js under a test/ folder as a test file; a 45-second
// load run must not start by accident there.
if (process.env.NODE_TEST_CONTEXT) {
  process.stderr.write('http-load: benchmark, not a test; run it directly: node dist/test/bench/http-load.js\n');
} else {
  void run();
}

function run(): Promise<void> {
  return main().catch((err: unknown) => {
    process.stderr.write(`http-load: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
