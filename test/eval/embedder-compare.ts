// Compares candidate face embedders with the engine's own on the same aligned crops.
//   npx tsc -p tsconfig.json && node dist/test/eval/embedder-compare.js \
//     --cand 'NAME|FILE.onnx|SIZE|MEAN|STD|ORDER[|SCALE,CENTRE_Y]' [--cand ...] \
//     [--set lfw-original-dev | --set /tmp/kyc-s1 [--source lfw-funneled-dev]] [--condition dim]
//     [--no-flip] [--limit N] [--fuse]
// Every photo goes once through the engine's pipeline (detect, landmarks, 5-point alignment to
// the 112x112 ArcFace template); the aligned crop is then embedded by every model in turn, with
// the mirrored crop summed in (the engine's default) unless --no-flip. A candidate's input is
// the crop resampled to SIZE x SIZE, (pixel - MEAN) / STD (MEAN one number or R,G,B) in ORDER
// (rgb or bgr), channel-first [1, 3, SIZE, SIZE]. SCALE,CENTRE_Y reframe a model trained on
// another crop: output pixel (u, v) in 0..1 reads the aligned crop at
// (0.5 + (u - 0.5) * SCALE, CENTRE_Y + (v - 0.5) * SCALE), edges clamped.
// Reports, per model: leave-one-fold-out accuracy and TAR at FAR on the set's pairs; the
// impostor tail over every cross-identity pair of photos (what 1:N search meets: a gallery of
// N faces gives a probe N impostor comparisons, FPIR ~ N x FAR); on a KYC set, per condition,
// every (ID card, selfie) pair of two people (identities from the LFW rows the set was rendered
// from, --source) and how many genuine pairs are accepted at the cosine where that pooled
// card-vs-selfie FAR is 1e-3 and 1e-4; --fuse adds the current model and the first candidate
// fused (mean of their cosines); and model milliseconds per
// photo (median of both runs of a flipped embedding; the models take turns going first so load
// from elsewhere hits all alike).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FaceEngine } from '../../src/engine/index.js';
import { ort } from '../../src/engine/ort.js';
import { tunedSession } from '../../src/engine/tuning.js';
import { equalErrorRate, leaveOneFoldOut, tarAtFar, type ScoredPair } from '../../src/engine/metrics.js';
import { modelsDir } from '../../src/paths.js';
import { facesDir } from '../helpers/data.js';

interface Spec {
  name: string;
  path: string;
  size: number;
  mean: [number, number, number];
  std: number;
  order: 'rgb' | 'bgr';
  /** Reframing of the aligned crop (see the header). */
  scale: number;
  centreY: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const flip = !process.argv.includes('--no-flip');
const setArg = arg('--set') ?? 'lfw-original-dev';
const setDir = isAbsolute(setArg) ? setArg : join(facesDir, setArg);
const condition = arg('--condition');
const sourceArg = arg('--source') ?? 'lfw-funneled-dev';
/** Rows of the LFW set a KYC set was rendered from: KYC image NNNNN comes from row NNNNN. */
const kycSource: Array<{ a: string; b: string }> | null = existsSync(join(setDir, 'params.json'))
  ? readFileSync(join(isAbsolute(sourceArg) ? sourceArg : join(facesDir, sourceArg), 'pairs.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('path_a'))
      .map((l) => {
        const [a, b] = l.split('\t');
        return { a: a!, b: b! };
      })
  : null;
const limit = Number(arg('--limit') ?? Infinity);
function parseCand(text: string): Spec {
  const [name, path, size, mean, std, order, frame] = text.split('|');
  const m = (mean ?? '127.5').split(',').map(Number);
  const [scale, centreY] = (frame ?? '1,0.5').split(',').map(Number);
  if (!name || !path || m.some((x) => !Number.isFinite(x))) throw new Error(`bad --cand ${text}`);
  return {
    name,
    path,
    size: Number(size ?? 112),
    mean: m.length === 3 ? (m as [number, number, number]) : [m[0]!, m[0]!, m[0]!],
    std: Number(std ?? 128),
    order: order === 'bgr' ? 'bgr' : 'rgb',
    scale: scale ?? 1,
    centreY: centreY ?? 0.5,
  };
}
const cands = process.argv.flatMap((a, i) => (a === '--cand' ? [parseCand(process.argv[i + 1]!)] : []));
if (cands.length === 0) {
  process.stderr.write("usage: embedder-compare --cand 'NAME|FILE.onnx|SIZE|MEAN|STD|rgb|bgr[|SCALE,CENTRE_Y]' [--cand ...] [--set SET] [--condition C] [--no-flip] [--limit N]\n");
  process.exit(2);
}
const base: Spec = { name: 'fr_feature (current)', path: join(modelsDir, 'fr_feature.onnx'), size: 112, mean: [127, 127, 127], std: 128, order: 'bgr', scale: 1, centreY: 0.5 };

/** Aligned 112x112 RGB (interleaved) -> [3, size, size] tensor, bilinear resize, optional mirror. */
function tensorOf(rgb: Uint8Array, spec: Spec, mirror: boolean): Float32Array {
  const S = spec.size;
  const n = S * S;
  const t = new Float32Array(3 * n);
  const ch = spec.order === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const at = (p: number, centre: number): number => Math.min(111, Math.max(0, 112 * (centre + ((p + 0.5) / S - 0.5) * spec.scale) - 0.5));
  for (let y = 0; y < S; y++) {
    const sy = at(y, spec.centreY);
    const y0 = Math.floor(sy);
    const y1 = Math.min(111, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < S; x++) {
      const xx = mirror ? S - 1 - x : x;
      const sx = at(xx, 0.5);
      const x0 = Math.floor(sx);
      const x1 = Math.min(111, x0 + 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const src = ch[c]!;
        const v00 = rgb[(y0 * 112 + x0) * 3 + src]!;
        const v01 = rgb[(y0 * 112 + x1) * 3 + src]!;
        const v10 = rgb[(y1 * 112 + x0) * 3 + src]!;
        const v11 = rgb[(y1 * 112 + x1) * 3 + src]!;
        const v = (v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy;
        t[c * n + y * S + x] = (v - spec.mean[c]!) / spec.std;
      }
    }
  }
  return t;
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  return v.map((x) => x * k);
}

/** Unit embedding (flip-summed unless --no-flip) and the model ms it took. */
async function embed(session: ort.InferenceSession, spec: Spec, rgb: Uint8Array): Promise<{ e: Float32Array; ms: number }> {
  const dims = [1, 3, spec.size, spec.size];
  const out = session.outputNames[0]!;
  let ms = 0;
  const once = async (mirror: boolean): Promise<Float32Array> => {
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', tensorOf(rgb, spec, mirror), dims) };
    const t = performance.now();
    const r = await session.run(feeds);
    ms += performance.now() - t;
    return unit(r[out]!.data as Float32Array);
  };
  const a = await once(false);
  if (!flip) return { e: a, ms };
  const b = await once(true);
  return { e: unit(a.map((x, i) => x + b[i]!)), ms };
}

interface Row {
  a: string;
  b: string;
  same: boolean;
  fold: number;
  condition?: string;
}

function readSet(): Row[] {
  const rows = readFileSync(join(setDir, 'pairs.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('path_a'))
    .map((l) => {
      const [a, b, same, fold, cond] = l.split('\t');
      return { a: a!, b: b!, same: same === '1', fold: Number(fold), condition: cond?.trim() || undefined };
    });
  return rows.filter((r) => !condition || r.condition === condition).slice(0, limit);
}

/** Person of a photo path: LFW's folder name; for a KYC set, null (pairs only). */
function personOf(rel: string): string | null {
  const parts = rel.split('/');
  return parts[0] === 'images' && parts.length === 3 ? parts[1]! : null;
}

function quantile(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

async function main(): Promise<void> {
  const rows = readSet();
  const files = [...new Set(rows.flatMap((r) => [r.a, r.b]))];
  // LFW (images/PERSON/...): every photo of the set, for the all-pairs impostor tail.
  if (!condition && !Number.isFinite(limit) && existsSync(join(setDir, 'images'))) {
    const seen = new Set(files);
    for (const who of readdirSync(join(setDir, 'images')).sort()) {
      for (const f of readdirSync(join(setDir, 'images', who)).sort()) if (!seen.has(`images/${who}/${f}`)) files.push(`images/${who}/${f}`);
    }
  }
  const engine = new FaceEngine({ threads: 1, parallel: false });
  await engine.load();
  const specs = [base, ...cands];
  const sessions = [];
  for (const s of specs) sessions.push((await tunedSession(s.path, [1, 3, s.size, s.size], 1)).session);
  const emb: Array<Map<string, Float32Array | null>> = specs.map(() => new Map());
  const ms: number[][] = specs.map(() => []);
  const t0 = Date.now();
  let noFace = 0;
  for (let i = 0; i < files.length; i++) {
    const rel = files[i]!;
    const a = await engine.analyze(readFileSync(join(setDir, rel)), 'photo');
    if (!a.aligned) {
      noFace++;
      specs.forEach((_, k) => emb[k]!.set(rel, null));
      continue;
    }
    // The models take turns going first.
    const order = specs.map((_, k) => (k + i) % specs.length);
    for (const k of order) {
      const r = await embed(sessions[k]!, specs[k]!, a.aligned.data);
      emb[k]!.set(rel, r.e);
      ms[k]!.push(r.ms);
    }
    if (i % 500 === 0) process.stderr.write(`${i}/${files.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  await engine.close();
  if (process.argv.includes('--fuse')) {
    // Score fusion of the current model and the first candidate: the two unit vectors side by
    // side, scaled by 1/sqrt(2), so a cosine is the mean of the two models' cosines.
    const fused = new Map<string, Float32Array | null>();
    for (const f of files) {
      const a = emb[0]!.get(f);
      const b = emb[1]!.get(f);
      if (!a || !b) {
        fused.set(f, null);
        continue;
      }
      const v = new Float32Array(a.length + b.length);
      v.set(a);
      v.set(b, a.length);
      fused.set(f, v.map((x) => x * Math.SQRT1_2));
    }
    specs.push({ ...specs[1]!, name: `fused: current + ${specs[1]!.name}`, path: '(both)' });
    emb.push(fused);
    ms.push(ms[0]!.map((x, i) => x + ms[1]![i]!));
  }
  const report: Record<string, unknown> = {
    set: setDir,
    condition: condition ?? 'all',
    photos: files.length,
    no_face: noFace,
    flip,
    cpu: `${cpus()[0]?.model ?? '?'} x${cpus().length} (measured under load)`,
    models: {},
  };
  for (let k = 0; k < specs.length; k++) {
    const spec = specs[k]!;
    const E = emb[k]!;
    const dot = (x: Float32Array, y: Float32Array): number => {
      let s = 0;
      for (let j = 0; j < x.length; j++) s += x[j]! * y[j]!;
      return s;
    };
    const pairs: ScoredPair[] = rows.map((r) => {
      const x = E.get(r.a);
      const y = E.get(r.b);
      return { s: x && y ? dot(x, y) : -Infinity, same: r.same, fold: r.fold };
    });
    const lofo = leaveOneFoldOut(pairs);
    const m: Record<string, unknown> = {
      file: spec.path,
      input: `${spec.size}x${spec.size} ${spec.order.toUpperCase()} (x - ${spec.mean.join(',')}) / ${spec.std}${spec.scale !== 1 || spec.centreY !== 0.5 ? `, reframed ${spec.scale},${spec.centreY}` : ''}`,
      dim: [...E.values()].find((v) => v)?.length ?? 0,
      pairs: pairs.length,
      accuracy_lofo: `${(lofo.mean * 100).toFixed(2)} +- ${(lofo.std * 100).toFixed(2)}`,
      tar_at_far_1e2: r4(tarAtFar(pairs, 1e-2).tar),
      tar_at_far_1e3: r4(tarAtFar(pairs, 1e-3).tar),
      eer: r4(equalErrorRate(pairs)),
      ms_per_photo_median: Math.round(median(ms[k]!) * 100) / 100,
    };
    // Impostor tail and genuine spread over every pair of photos with known persons.
    const known = [...E.entries()].filter(([p, v]) => v && personOf(p)) as Array<[string, Float32Array]>;
    if (known.length > 100) {
      const imp: number[] = [];
      const gen: number[] = [];
      for (let i = 0; i < known.length; i++) {
        const [pi, vi] = known[i]!;
        const who = personOf(pi);
        for (let j = i + 1; j < known.length; j++) {
          const [pj, vj] = known[j]!;
          (personOf(pj) === who ? gen : imp).push(dot(vi, vj));
        }
      }
      const I = Float32Array.from(imp).sort();
      const G = Float32Array.from(gen).sort();
      const tail: Record<string, unknown> = { impostor_pairs: I.length, genuine_pairs: G.length };
      for (const [label, q] of [['p99', 0.99], ['p99_9', 0.999], ['p99_99', 0.9999], ['p99_999', 0.99999]] as const) tail[`impostor_${label}`] = r4(quantile(I, q));
      tail['impostor_max'] = r4(I[I.length - 1]!);
      tail['genuine_median'] = r4(quantile(G, 0.5));
      // TAR over all genuine pairs at the cosine where FAR over all impostor pairs is 1e-4..1e-6:
      // FAR 1e-6 is a 1 % FPIR with 10k enrolled faces.
      for (const far of [1e-4, 1e-5, 1e-6]) {
        const t = I[Math.max(0, I.length - 1 - Math.floor(far * I.length))]!;
        let above = 0;
        for (const g of G) if (g > t) above++;
        tail[`far_${far.toExponential(0)}`] = { cosine: r4(t), tar: r4(above / G.length), impostors_above: Math.floor(far * I.length) };
      }
      m['all_pairs'] = tail;
    }
    if (rows.some((r) => r.condition) && kycSource) {
      const idx = (f: string): number => Number(/(\d+)\.jpg$/.exec(f)?.[1] ?? NaN);
      const who = (f: string, side: 'a' | 'b'): string => {
        const row = kycSource[idx(f)];
        return row ? row[side].split('/').slice(-2, -1)[0]! : `?${f}`;
      };
      const refs = [...new Set(rows.map((r) => r.a))].flatMap((f) => (E.get(f) ? [{ who: who(f, 'a'), e: E.get(f)! }] : []));
      const imp: Record<string, number[]> = {};
      for (const r of rows) {
        const e = E.get(r.b);
        if (!e) continue;
        const w = who(r.b, 'b');
        const list = (imp[r.condition ?? 'all'] ??= []);
        for (const ref of refs) if (ref.who !== w) list.push(dot(ref.e, e));
      }
      const pooled = Float32Array.from(Object.values(imp).flat()).sort();
      const t3 = quantile(pooled, 1 - 1e-3);
      const t4 = quantile(pooled, 1 - 1e-4);
      const perCond: Record<string, unknown> = {};
      for (const [cond, list] of Object.entries(imp)) {
        const I = Float32Array.from(list).sort();
        const gen = pairs.filter((p, i) => p.same && rows[i]!.condition === cond);
        perCond[cond] = {
          impostor_pairs: I.length,
          impostor_p99: r4(quantile(I, 0.99)),
          impostor_p99_9: r4(quantile(I, 0.999)),
          impostor_max: r4(I[I.length - 1]!),
          genuine_pairs: gen.length,
          genuine_accepted_at_far_1e3: gen.filter((p) => p.s > t3).length,
          genuine_accepted_at_far_1e4: gen.filter((p) => p.s > t4).length,
          accuracy_lofo: `${(leaveOneFoldOut(pairs.filter((_, i) => rows[i]!.condition === cond)).mean * 100).toFixed(1)}`,
        };
      }
      m['kyc_card_vs_selfie'] = { pooled_impostor_pairs: pooled.length, cosine_at_far_1e3: r4(t3), cosine_at_far_1e4: r4(t4), conditions: perCond };
    }
    (report['models'] as Record<string, unknown>)[spec.name] = m;
  }
  const b = median(ms[0]!);
  report['cost_vs_current'] = Object.fromEntries(specs.slice(1).map((sp, k) => [sp.name, Math.round((median(ms[k + 1]!) / b) * 100) / 100]));
  console.log(JSON.stringify(report, null, 1));
}

await main();
