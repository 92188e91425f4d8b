// Calibrates the cosine -> 0..100 score map on the labelled face sets and writes
// src/engine/calibration.ts. Run after a pipeline change:
//   npx tsc -p tsconfig.json && node dist/test/eval/calibrate.js [--write]
// Impostors: every cross-identity pair of images within each set (millions of pairs, so
// the 1e-5 tail is measured, not extrapolated). Genuine: the sets' same-person pairs.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { EnginePool } from '../../src/engine/pool.js';
import { facesDir, hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { packageRoot } from '../../src/paths.js';

const SETS = ['lfw-original-dev', 'lfw-funneled-dev', 'celeb5-crops', 'tv-grayscale-crops'];

function listImages(set: string): Array<{ path: string; id: string }> {
  const root = join(facesDir, set, 'images');
  return readdirSync(root).flatMap((id) => readdirSync(join(root, id)).map((f) => ({ path: join(root, id, f), id })));
}

/** Cosine at which a fraction `far` of `sortedDesc` lies strictly above. */
function cosAtFar(sortedDesc: Float32Array, far: number): number {
  const k = Math.floor(far * sortedDesc.length);
  return sortedDesc[Math.min(k, sortedDesc.length - 1)]!;
}

async function main(): Promise<void> {
  const write = process.argv.includes('--write');
  const from = process.argv.indexOf('--from');
  if (from > 0) {
    // Rewrite calibration.ts from a saved JSON line of an earlier run.
    writeCalibration(JSON.parse(readFileSync(process.argv[from + 1]!, 'utf8')) as Record<string, unknown> & { table: unknown[] });
    return;
  }
  if (!hasFaces) throw new Error(noFacesReason);
  const pool = new EnginePool(availableParallelism());
  await pool.load();
  const impostorChunks: Float32Array[] = [];
  const perSet: Record<string, { images: number; no_face: number; impostor_pairs: number; far_1e3: number; far_1e4: number; far_1e5: number }> = {};
  const genuineLfw: number[] = [];
  const genuineAll: number[] = [];
  for (const set of SETS) {
    const imgs = listImages(set);
    const emb = new Map<string, Float32Array>();
    let next = 0;
    await Promise.all(
      Array.from({ length: pool.size * 2 }, async () => {
        while (next < imgs.length) {
          const im = imgs[next++]!;
          const r = await pool.embedFile(im.path);
          if (r.embedding) emb.set(im.path, r.embedding);
        }
      }),
    );
    const ok = imgs.filter((i) => emb.has(i.path));
    const n = ok.length;
    const vecs = ok.map((i) => emb.get(i.path)!);
    let count = 0;
    const buf = new Float32Array((n * (n - 1)) / 2);
    for (let i = 0; i < n; i++) {
      const a = vecs[i]!;
      for (let j = i + 1; j < n; j++) {
        if (ok[i]!.id === ok[j]!.id) continue;
        const b = vecs[j]!;
        let s = 0;
        for (let k = 0; k < 512; k++) s += a[k]! * b[k]!;
        buf[count++] = s;
      }
    }
    const imp = buf.slice(0, count).sort().reverse();
    impostorChunks.push(imp);
    perSet[set] = { images: imgs.length, no_face: imgs.length - n, impostor_pairs: count, far_1e3: cosAtFar(imp, 1e-3), far_1e4: cosAtFar(imp, 1e-4), far_1e5: cosAtFar(imp, 1e-5) };
    for (const p of readPairs(set)) {
      if (!p.same) continue;
      const a = emb.get(p.a);
      const b = emb.get(p.b);
      const s = a && b ? a.reduce((t, v, k) => t + v * b[k]!, 0) : -1;
      genuineAll.push(s);
      if (set === 'lfw-original-dev') genuineLfw.push(s);
    }
    process.stderr.write(`calibrate: ${set}: ${JSON.stringify(perSet[set])}\n`);
  }
  await pool.close();
  const total = impostorChunks.reduce((t, c) => t + c.length, 0);
  const all = new Float32Array(total);
  let o = 0;
  for (const c of impostorChunks) {
    all.set(c, o);
    o += c.length;
  }
  all.sort().reverse();
  genuineLfw.sort((a, b) => a - b);
  const pooled = { far_1e2: cosAtFar(all, 1e-2), far_1e3: cosAtFar(all, 1e-3), far_1e4: cosAtFar(all, 1e-4), far_1e5: cosAtFar(all, 1e-5) };
  // Knots: the worst (highest) tail cosine of the pooled pairs and of every set large
  // enough to measure that tail (>= 10 impostors above it), plus a margin for unseen data.
  const FAR = { far_1e3: 1e-3, far_1e4: 1e-4, far_1e5: 1e-5 } as const;
  const worst = (k: keyof typeof FAR): number => Math.max(pooled[k], ...Object.values(perSet).filter((s) => s.impostor_pairs * FAR[k] >= 10).map((s) => s[k]));
  const MARGIN = 0.02;
  const c30 = worst('far_1e3') + MARGIN;
  const c50 = Math.max(worst('far_1e4') + MARGIN, c30 + 0.02);
  const c70 = Math.max(worst('far_1e5') + MARGIN, c50 + 0.02);
  // 85 at the 25th percentile of same-person LFW pairs, so their median lands above 85.
  const c85 = Math.max(genuineLfw[Math.floor(genuineLfw.length * 0.25)]!, c70 + 0.03);
  const c20 = Math.min(pooled.far_1e2, c30 - 0.02);
  const knots: Array<[number, number]> = [[-1, 0], [r4(c20), 20], [r4(c30), 30], [r4(c50), 50], [r4(c70), 70], [r4(c85), 85], [1, 100]];
  const score = (c: number): number => {
    for (let i = 1; i < knots.length; i++) {
      const [c1, s1] = knots[i]!;
      if (c <= c1) {
        const [c0, s0] = knots[i - 1]!;
        return s0 + ((c - c0) / (c1 - c0)) * (s1 - s0);
      }
    }
    return 100;
  };
  const table = [20, 30, 40, 50, 60, 70, 80, 90].map((t) => {
    let fa = 0;
    for (let i = 0; i < all.length && score(all[i]!) > t; i++) fa++;
    return { threshold: t, far: Number((fa / all.length).toPrecision(3)), far_pairs: fa, tar: r4(genuineLfw.filter((c) => score(c) > t).length / genuineLfw.length), tar_all_sets: r4(genuineAll.filter((c) => score(c) > t).length / genuineAll.length) };
  });
  const medianScore = score(genuineLfw[Math.floor(genuineLfw.length / 2)]!);
  const result = { knots, impostor_pairs: total, genuine_pairs_lfw: genuineLfw.length, genuine_pairs_all: genuineAll.length, per_set: perSet, pooled, lfw_same_median_score: Math.round(medianScore * 100) / 100, table };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (write) writeCalibration(result);
}

/** Writes src/engine/calibration.ts: one key per line, one table row per line. */
function writeCalibration(result: Record<string, unknown> & { table: unknown[] }): void {
  const file = join(packageRoot, 'src', 'engine', 'calibration.ts');
  const body = Object.entries(result)
    .map(([k, v]) => (k === 'table' ? `  table: [\n${(v as unknown[]).map((r) => `    ${JSON.stringify(r)},`).join('\n')}\n  ],` : `  ${k}: ${JSON.stringify(v)},`))
    .join('\n');
  writeFileSync(
    file,
    `// GENERATED by test/eval/calibrate.ts from ../shared/data/faces: do not edit by hand.\n` +
      `// Knots of the piecewise-linear cosine -> score map, and the measured table.\n` +
      `export const MEASURED = {\n${body}\n} as const;\n`,
  );
  process.stderr.write(`calibrate: wrote ${file}\n`);
}

function r4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

main().catch((err: unknown) => {
  process.stderr.write(`calibrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
