// The face search part of `bench`: the exact scan's p50 / p99 (the store's onnxruntime scan and
// the plain JS loop) and the process RSS at 1k, 10k, 100k and 1M synthetic unit embeddings, and through a
// real sandbox file: the cost of adding one face (insert + the next search's append) and of
// the first search after open (the index load).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EMBED_DIM } from '../engine/embed.js';
import { openSandbox } from '../services/index.js';
import { OrtScanner, scanJs } from '../services/face-scan.js';
import { cosineForScore } from '../engine/score.js';
import { SEARCH_BANDS } from '../services/face-search.js';

function unitVectors(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const out = new Float32Array(n * EMBED_DIM);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < EMBED_DIM; k++) s += (out[i * EMBED_DIM + k] = rnd()) ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < EMBED_DIM; k++) out[i * EMBED_DIM + k]! *= inv;
  }
  return out;
}

const pct = (xs: number[], q: number): number => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const r2 = (x: number): number => Math.round(x * 100) / 100;

export interface SearchBenchRow {
  faces: number;
  /** The face store's scan (one onnxruntime MatMul, one thread). */
  p50_ms: number;
  p99_ms: number;
  /** The plain JS loop, for the choice between them. */
  js_p50_ms: number;
  js_p99_ms: number;
  rss_mb: number;
  index_mb: number;
}

async function timed(reps: number, fn: (i: number) => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

export async function searchBench(sizes: number[], runs: number): Promise<{ rows: SearchBenchRow[]; store: Record<string, number> }> {
  const floor = cosineForScore(SEARCH_BANDS.floor);
  const rows: SearchBenchRow[] = [];
  const queries = unitVectors(8, 99);
  const ortScan = new OrtScanner();
  for (const n of sizes) {
    let vecs: Float32Array | null = unitVectors(n, n);
    const v = vecs;
    const q = (i: number) => queries.subarray((i % 8) * EMBED_DIM, ((i % 8) + 1) * EMBED_DIM);
    const reps = Math.max(5, Math.min(runs, Math.round(2e7 / n)));
    await timed(3, (i) => ortScan.scan(v, n, q(i), floor, 200));
    const ortTimes = await timed(reps, (i) => ortScan.scan(v, n, q(i), floor, 200));
    await timed(3, (i) => scanJs(v, n, q(i), floor, 200));
    const jsTimes = await timed(reps, (i) => scanJs(v, n, q(i), floor, 200));
    rows.push({
      faces: n,
      p50_ms: r2(pct(ortTimes, 0.5)),
      p99_ms: r2(pct(ortTimes, 0.99)),
      js_p50_ms: r2(pct(jsTimes, 0.5)),
      js_p99_ms: r2(pct(jsTimes, 0.99)),
      rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
      index_mb: Math.round(v.byteLength / 2 ** 20),
    });
    vecs = null;
  }
  // Through the store: a sandbox file with 10k faces of one application.
  const dir = mkdtempSync(join(tmpdir(), 'facematch-bench-'));
  const store: Record<string, number> = {};
  try {
    const sandbox = openSandbox({ dbPath: join(dir, 'bench.db'), deliverWebhooks: false });
    const app = sandbox.accounts.provision({ email: 'bench@example.com' }, { localCli: true });
    const appId = app.application_id;
    const n = 10_000;
    const vecs = unitVectors(n + 200, 7);
    const t0 = performance.now();
    sandbox.syntheticFaces.bulkInsert(appId, 's', vecs, n, EMBED_DIM);
    store.bulk_insert_10k_ms = Math.round(performance.now() - t0);
    const q = vecs.subarray(0, EMBED_DIM);
    const faces = sandbox.faces;
    let t = performance.now();
    await faces.search(appId, q, { floor, limit: 200 });
    store.first_search_10k_ms = r2(performance.now() - t);
    const adds: number[] = [];
    for (let i = 0; i < 100; i++) {
      t = performance.now();
      sandbox.syntheticFaces.addOne(appId, `x${i}`, vecs.subarray((n + i) * EMBED_DIM, (n + i + 1) * EMBED_DIM));
      const insertMs = performance.now() - t;
      await faces.search(appId, q, { floor, limit: 200 });
      adds.push(insertMs);
    }
    adds.sort((a, b) => a - b);
    store.add_face_p50_ms = r2(pct(adds, 0.5));
    const searches: number[] = [];
    for (let i = 0; i < 30; i++) {
      t = performance.now();
      await faces.search(appId, q, { floor, limit: 200 });
      searches.push(performance.now() - t);
    }
    searches.sort((a, b) => a - b);
    store.search_10k_p50_ms = r2(pct(searches, 0.5));
    // Deleting one face makes the next search reload the index from the file.
    sandbox.syntheticFaces.remove('x0');
    t = performance.now();
    await faces.search(appId, q, { floor, limit: 200 });
    store.search_after_delete_10k_ms = r2(performance.now() - t);
    await sandbox.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, store };
}
