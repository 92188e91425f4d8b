// Accuracy of 1:N face search, measured like a biometric identification system (open set):
//   npx tsc -p tsconfig.json && node dist/test/eval/face-search-eval.js [--gallery 1000] [--distractors 9000]
// Data: lfw-original-dev. One enrolled photo per gallery identity; the other photos of gallery
// identities are mated probes; every photo of an identity left out of the gallery is a
// non-mated probe. Per fold k (LFW's person-disjoint folds), the threshold for a target FPIR is
// chosen on the non-mated probes of the other folds and checked on fold k: FNIR (mated probe
// whose top candidate is not its identity at or above the threshold), the FPIR it really gets
// on fold k, and rank-1 (top candidate right, no threshold). Distractors bring the gallery to
// 10k: synthetic embeddings drawn from a Gaussian with the mean and covariance of the real
// embeddings (random combinations of 600 centred embeddings), compared with real impostors
// below so their difficulty can be judged.
// Embeddings are computed once (1 worker) and cached in /tmp (FACEMATCH_EVAL_CACHE to move it).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EnginePool } from '../../src/engine/pool.js';
import { scoreFromCosine } from '../../src/engine/score.js';
import { facesDir, hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { rng as mulberry32 } from '../helpers/rng.js';

const SET = 'lfw-original-dev';
const DIM = 512;
const CACHE = process.env.FACEMATCH_EVAL_CACHE ?? `/tmp/facematch-${SET}-embeddings.bin`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Photo {
  rel: string;
  id: string;
  emb: Float32Array | null;
}

async function embeddings(): Promise<Photo[]> {
  const root = join(facesDir, SET);
  const photos: Photo[] = readdirSync(join(root, 'images'))
    .sort()
    .flatMap((id) => readdirSync(join(root, 'images', id)).sort().map((f) => ({ rel: `images/${id}/${f}`, id, emb: null })));
  if (existsSync(CACHE)) {
    // Layout: JSON header line (paths), then n x DIM float32 (NaN row = no face).
    const buf = readFileSync(CACHE);
    const nl = buf.indexOf(10);
    const paths = JSON.parse(buf.subarray(0, nl).toString('utf8')) as string[];
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset + nl + 1, buf.byteOffset + buf.length));
    const byPath = new Map(paths.map((p, i) => [p, i]));
    for (const p of photos) {
      const i = byPath.get(p.rel);
      if (i === undefined) throw new Error(`${CACHE} lacks ${p.rel}: delete it to recompute`);
      const v = data.subarray(i * DIM, (i + 1) * DIM);
      p.emb = Number.isNaN(v[0]) ? null : new Float32Array(v);
    }
    return photos;
  }
  const pool = new EnginePool(1);
  await pool.load();
  const t0 = Date.now();
  for (let i = 0; i < photos.length; i++) {
    const r = await pool.embedFile(join(root, photos[i]!.rel));
    photos[i]!.emb = r.embedding;
    if (i % 250 === 0) process.stderr.write(`embedded ${i}/${photos.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  await pool.close();
  const data = new Float32Array(photos.length * DIM);
  photos.forEach((p, i) => (p.emb ? data.set(p.emb, i * DIM) : data.fill(Number.NaN, i * DIM, (i + 1) * DIM)));
  writeFileSync(CACHE, Buffer.concat([Buffer.from(JSON.stringify(photos.map((p) => p.rel)) + '\n'), Buffer.from(data.buffer)]));
  return photos;
}

function dot(a: Float32Array, b: Float32Array, bOff = 0): number {
  let s = 0;
  for (let k = 0; k < DIM; k++) s += a[k]! * b[bOff + k]!;
  return s;
}

/** Gaussian samples with the real embeddings' mean and covariance, normalised. */
function distractors(real: Float32Array[], n: number, rnd: () => number): Float32Array {
  const mean = new Float32Array(DIM);
  for (const v of real) for (let k = 0; k < DIM; k++) mean[k]! += v[k]! / real.length;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const out = new Float32Array(n * DIM);
  const x = new Float64Array(DIM);
  const scale = 1 / Math.sqrt(real.length);
  for (let i = 0; i < n; i++) {
    x.fill(0);
    for (const v of real) {
      const z = gauss() * scale;
      for (let k = 0; k < DIM; k++) x[k]! += z * (v[k]! - mean[k]!);
    }
    let nn = 0;
    for (let k = 0; k < DIM; k++) nn += (x[k]! + mean[k]!) ** 2;
    nn = Math.sqrt(nn);
    for (let k = 0; k < DIM; k++) out[i * DIM + k] = (x[k]! + mean[k]!) / nn;
  }
  return out;
}

function quantile(sortedAsc: number[], q: number): number {
  return sortedAsc[Math.min(sortedAsc.length - 1, Math.max(0, Math.floor(q * sortedAsc.length)))]!;
}

interface Probe {
  id: string;
  fold: number;
  mated: boolean;
  /** Best cosine over the gallery and whether that candidate is the probe's identity. */
  top: number;
  topRight: boolean;
}

async function main(): Promise<void> {
  if (!hasFaces) throw new Error(noFacesReason);
  const galleryIds = arg('--gallery', 1000);
  const nDistractors = arg('--distractors', 9000);
  const photos = await embeddings();
  const root = join(facesDir, SET);
  const foldOf = new Map<string, number>();
  for (const p of readPairs(SET)) for (const path of [p.a, p.b]) foldOf.set(relative(root, path).split('/')[1]!, p.fold);
  const found = photos.filter((p) => p.emb);
  const byId = new Map<string, Photo[]>();
  for (const p of found) byId.set(p.id, [...(byId.get(p.id) ?? []), p]);
  const ids = [...byId.keys()].sort();
  const rnd = mulberry32(19);
  // Identities with several photos are preferred for the gallery (they give mated probes);
  // the rest of the gallery and the left-out set are drawn at random.
  const multi = ids.filter((id) => byId.get(id)!.length >= 2);
  const single = ids.filter((id) => byId.get(id)!.length < 2);
  const shuffle = <T>(a: T[]): T[] => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  };
  shuffle(multi);
  shuffle(single);
  // Two thirds of the multi-photo identities enrolled, one third left out as non-mated probes
  // (so the non-mated probes include people photographed several times, as in real traffic).
  const enrolledMulti = multi.slice(0, Math.min(Math.round((multi.length * 2) / 3), galleryIds));
  const enrolled = [...enrolledMulti, ...single.slice(0, Math.max(0, galleryIds - enrolledMulti.length))];
  const enrolledSet = new Set(enrolled);
  const leftOut = ids.filter((id) => !enrolledSet.has(id));

  const gallery = new Float32Array((enrolled.length + nDistractors) * DIM);
  const galleryId: string[] = [];
  enrolled.forEach((id, i) => {
    gallery.set(byId.get(id)![0]!.emb!, i * DIM);
    galleryId.push(id);
  });
  const t0 = Date.now();
  // The covariance basis: 600 photos drawn at random (all 3,811 would cost minutes of drawing).
  const basis = shuffle(found.map((p) => p.emb!)).slice(0, 600);
  const dist = nDistractors ? distractors(basis, nDistractors, rnd) : new Float32Array(0);
  gallery.set(dist, enrolled.length * DIM);
  for (let i = 0; i < nDistractors; i++) galleryId.push('');
  process.stderr.write(`gallery: ${enrolled.length} enrolled + ${nDistractors} distractors (${((Date.now() - t0) / 1000).toFixed(0)} s to draw)\n`);

  const probes: Probe[] = [];
  const probe = (p: Photo, mated: boolean) => {
    let top = -2;
    let at = -1;
    for (let g = 0; g < galleryId.length; g++) {
      const s = dot(p.emb!, gallery, g * DIM);
      if (s > top) {
        top = s;
        at = g;
      }
    }
    probes.push({ id: p.id, fold: foldOf.get(p.id) ?? 0, mated, top, topRight: galleryId[at] === p.id });
  };
  for (const id of enrolled) for (const p of byId.get(id)!.slice(1)) probe(p, true);
  for (const id of leftOut) for (const p of byId.get(id)!) probe(p, false);

  // Difficulty of the distractors: their best cosine against non-mated probes vs real galleries'.
  const realImpostor: number[] = [];
  const synthImpostor: number[] = [];
  for (const pr of photos.filter((p) => p.emb && !enrolledSet.has(p.id)).slice(0, 300)) {
    for (let g = 0; g < Math.min(enrolled.length, 1000); g++) realImpostor.push(dot(pr.emb!, gallery, g * DIM));
    for (let g = 0; g < Math.min(nDistractors, 1000); g++) synthImpostor.push(dot(pr.emb!, dist, g * DIM));
  }
  realImpostor.sort((a, b) => a - b);
  synthImpostor.sort((a, b) => a - b);

  const folds = [...new Set(probes.map((p) => p.fold))].filter((f) => f > 0).sort();
  const rows: Array<Record<string, number | string>> = [];
  for (const fpir of [1e-2, 1e-3]) {
    const perFold = folds.map((k) => {
      const nonTrain = probes.filter((p) => !p.mated && p.fold !== k).map((p) => p.top).sort((a, b) => b - a);
      // The threshold t: a non-mated probe is a false positive when its top cosine >= t.
      const t = nonTrain[Math.floor(fpir * nonTrain.length)]! + 1e-6;
      const nonTest = probes.filter((p) => !p.mated && p.fold === k);
      const matedTest = probes.filter((p) => p.mated && p.fold === k);
      return {
        t,
        fpir: nonTest.filter((p) => p.top >= t).length / nonTest.length,
        fnir: matedTest.filter((p) => !(p.topRight && p.top >= t)).length / matedTest.length,
        nonTest: nonTest.length,
      };
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    rows.push({
      target_fpir: fpir,
      threshold_cosine: +mean(perFold.map((f) => f.t)).toFixed(4),
      threshold_similarity_percentage: +scoreFromCosine(mean(perFold.map((f) => f.t))).toFixed(2),
      fnir_mean: +mean(perFold.map((f) => f.fnir)).toFixed(4),
      fnir_sd: +sd(perFold.map((f) => f.fnir)).toFixed(4),
      fpir_held_out_mean: +mean(perFold.map((f) => f.fpir)).toFixed(4),
      non_mated_per_fold: Math.round(mean(perFold.map((f) => f.nonTest))),
    });
  }
  const mated = probes.filter((p) => p.mated);
  // What a fixed band does at this gallery size: FPIR and FNIR of similarity_percentage >= x.
  const bands = [40, 50, 60, 70, 80].map((x) => {
    const non = probes.filter((p) => !p.mated);
    return {
      similarity_percentage_at_least: x,
      fpir: +(non.filter((p) => scoreFromCosine(p.top) >= x).length / non.length).toFixed(4),
      fnir: +(mated.filter((p) => !(p.topRight && scoreFromCosine(p.top) >= x)).length / mated.length).toFixed(4),
    };
  });
  const out = {
    set: SET,
    photos: photos.length,
    no_face: photos.length - found.length,
    gallery_size: galleryId.length,
    enrolled_identities: enrolled.length,
    distractors: nDistractors,
    mated_probes: mated.length,
    non_mated_probes: probes.length - mated.length,
    rank1: +(mated.filter((p) => p.topRight).length / mated.length).toFixed(4),
    at_fpir: rows,
    bands,
    impostor_cosine_quantiles: {
      real: { p50: +quantile(realImpostor, 0.5).toFixed(3), p99: +quantile(realImpostor, 0.99).toFixed(3), p999: +quantile(realImpostor, 0.999).toFixed(3) },
      synthetic: synthImpostor.length
        ? { p50: +quantile(synthImpostor, 0.5).toFixed(3), p99: +quantile(synthImpostor, 0.99).toFixed(3), p999: +quantile(synthImpostor, 0.999).toFixed(3) }
        : null,
    },
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
