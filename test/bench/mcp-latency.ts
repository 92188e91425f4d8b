// MCP latency benchmark (not a test): cold initialize round trip, first face_match including
// the model load, warm face_match (median of 20), and the largest tool output in the scenario.
// Run: node dist/test/bench/mcp-latency.js   (needs ../shared/data/faces)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, childEnv, cliPath, connectStdio, startReceiver, tempDir } from '../helpers/mcp-harness.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Spawns the server, waits until it is listening on stdin, then times initialize alone. */
async function coldInitialize(dbPath: string): Promise<{ spawnToReadyMs: number; initializeMs: number; spawnToInitializedMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cliPath], { env: childEnv({ FACEMATCH_DB: dbPath }), stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('MCP server ready')) resolve();
    });
    child.once('exit', () => reject(new Error(err)));
  });
  const ready = performance.now();
  const answered = new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"id":1')) resolve();
    }),
  );
  const t1 = performance.now();
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n`);
  await answered;
  const t2 = performance.now();
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  return { spawnToReadyMs: ready - t0, initializeMs: t2 - t1, spawnToInitializedMs: t2 - t0 };
}

async function main(): Promise<void> {
  if (!hasFaces) {
    process.stderr.write(`skipped: ${noFacesReason}\n`);
    return;
  }
  const tmp = tempDir('fm-mcp-bench-');
  const pairs = readPairs('lfw-funneled-dev');
  const same = pairs.filter((p) => p.same);
  try {
    const cold: Array<Awaited<ReturnType<typeof coldInitialize>>> = [];
    for (let i = 0; i < 5; i++) cold.push(await coldInitialize(join(tmp.dir, `cold${i}.db`)));

    const t0 = performance.now();
    const conn = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'bench.db'), FACEMATCH_LOG: 'silent' } });
    const connectMs = performance.now() - t0;
    const sizes: Record<string, number> = {};
    let idleFirstMs = 0;
    const track = (name: string, bytes: number) => {
      sizes[name] = Math.max(sizes[name] ?? 0, bytes);
    };
    try {
      // What an agent sees: connect, read the tool list, call face_match a moment later; the
      // models load in the background after initialize.
      const idle = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'idle.db'), FACEMATCH_LOG: 'silent' } });
      await new Promise((r) => setTimeout(r, 1000));
      const ti = performance.now();
      const afterIdle = await call(idle.client, 'face_match', { user_image: same[0]!.a, ref_image: same[0]!.b });
      idleFirstMs = performance.now() - ti;
      if (afterIdle.result.isError) throw new Error(afterIdle.text);
      await idle.close();
      const t1 = performance.now();
      const first = await call(conn.client, 'face_match', { user_image: same[0]!.a, ref_image: same[0]!.b });
      const firstMs = performance.now() - t1;
      if (first.result.isError) throw new Error(first.text);
      track('face_match', first.bytes);
      const warm: number[] = [];
      for (let i = 1; i <= 20; i++) {
        const p = same[i]!;
        const t = performance.now();
        const r = await call(conn.client, 'face_match', { user_image: p.a, ref_image: p.b });
        warm.push(performance.now() - t);
        if (r.result.isError) throw new Error(r.text);
        track('face_match', r.bytes);
      }

      // The scenario, measuring every tool output.
      const receiver = await startReceiver();
      const run = async (name: string, args: Record<string, unknown>) => {
        const r = await call(conn.client, name, args);
        if (r.result.isError) throw new Error(`${name}: ${r.text}`);
        track(name, r.bytes);
        return r.result.structuredContent as Record<string, unknown>;
      };
      await run('provision_account', {});
      const wf = await run('create_workflow', { features: [{ feature: 'FACE_MATCH' }] });
      const dest = await run('create_webhook_destination', { url: receiver.url });
      const s = await run('create_session', { workflow_id: wf.workflow_id, vendor_data: 'bench' });
      await run('submit_session_images', { session_id: s.session_id, selfie: same[30]!.a, reference: same[30]!.b });
      await run('get_session_decision', { session_id: s.session_id });
      const hook = await receiver.waitFor((w) => w.rawBody.includes(String(s.session_id)) && w.rawBody.includes('Approved'));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(hook.headers)) if (typeof v === 'string' && /^x-/i.test(k)) headers[k] = v;
      await run('verify_webhook_signature', { raw_body: hook.rawBody, headers, secret: dest.secret_shared_key });
      await run('list_webhook_deliveries', { session_id: s.session_id, wait_ms: 3000 });
      await run('list_sessions', {});
      await run('list_workflows', {});
      await run('sandbox_status', {});
      await receiver.close();

      const largest = Object.entries(sizes).sort((a, b) => b[1] - a[1])[0]!;
      const report = {
        cold_initialize_ms: {
          initialize_round_trip_median: Math.round(median(cold.map((c) => c.initializeMs)) * 10) / 10,
          spawn_to_initialized_median: Math.round(median(cold.map((c) => c.spawnToInitializedMs))),
          runs: cold.length,
        },
        sdk_client_connect_ms: Math.round(connectMs),
        first_face_match_ms_including_model_load: Math.round(firstMs),
        first_face_match_ms_1s_after_connect: Math.round(idleFirstMs),
        warm_face_match_ms: { median: Math.round(median(warm) * 10) / 10, min: Math.round(Math.min(...warm)), max: Math.round(Math.max(...warm)), n: warm.length },
        largest_tool_output: { tool: largest[0], bytes: largest[1] },
        output_bytes_by_tool: sizes,
      };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } finally {
      await conn.close();
    }
  } finally {
    tmp.cleanup();
  }
}

// `node --test dist/test/` runs every file under test/: do nothing there.
if (!process.env.NODE_TEST_CONTEXT) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
