// Why do genuine KYC pairs fail? For each genuine pair of a KYC set, the ID card and the
// selfie are also scored against the LFW photos they were rendered from, so a failure is
// put down to the card (original A vs selfie passes), the selfie (card vs original B
// passes), both, or the pair itself (the two LFW originals already fail). Also records
// the card's faces (how many, the chosen one's size and whether a larger one was passed
// over, e.g. the ghost image chosen) and each failure's aligned crops in a mosaic.
//
//   node dist/test/eval/kyc-diagnose.js KYC_DIR [--source SET] [--condition C]
//        [--pipeline JSON] [--mosaic OUT.png] [--boxes OUT.png] [--out PAIRS.jsonl] [--failed DUMP.json]
// --boxes: each failure's selfie brightened to a mean luma of 115, the chosen face box green,
// the other faces yellow (a box far larger than the face, or on someone else, shows there).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { readPairsTsv } from '../../src/cli/eval.js';
import { FaceEngine } from '../../src/engine/index.js';
import type { FaceAnalysis, PipelineConfig } from '../../src/engine/index.js';
import { cosine } from '../../src/engine/embed.js';
import { reportScore } from '../../src/engine/score.js';

const args = process.argv.slice(2);
const opt = (k: string): string | undefined => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const kycDir = resolve(args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1]!.startsWith('--')))!);
const source = resolve(opt('source') ?? '../shared/data/faces/lfw-funneled-dev');
const pipeline = opt('pipeline') ? (JSON.parse(opt('pipeline')!) as Partial<PipelineConfig>) : undefined;
const src = readPairsTsv(source);
let kyc = readPairsTsv(kycDir).filter((p) => p.same);
if (opt('condition')) kyc = kyc.filter((p) => p.condition === opt('condition'));
// --failed DUMP.json (from `eval --dump`): only the genuine pairs scoring <= 30 there.
if (opt('failed')) {
  const emb = JSON.parse(readFileSync(opt('failed')!, 'utf8')) as Record<string, number[] | null>;
  const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
  kyc = kyc.filter((p) => !emb[p.a] || !emb[p.b] || reportScore(dot(emb[p.a]!, emb[p.b]!)) <= 30);
}
const idx = (f: string): number => Number(/(\d+)\.jpg$/.exec(f)![1]);

const engine = new FaceEngine({ parallel: false, threads: 1, ...(pipeline ? { pipeline } : {}) });
const cache = new Map<string, FaceAnalysis>();
async function analyze(path: string, label: string): Promise<FaceAnalysis> {
  let a = cache.get(path);
  if (!a) {
    a = await engine.analyze(readFileSync(path), label);
    cache.set(path, a);
  }
  return a;
}
const sc = (x: FaceAnalysis, y: FaceAnalysis): number => (x.embedding && y.embedding ? reportScore(cosine(x.embedding, y.embedding)) : 0);
const side = (b: readonly number[] | undefined): number => (b ? Math.round(Math.min(b[2]! - b[0]!, b[3]! - b[1]!)) : 0);

interface Row {
  i: number;
  condition: string;
  card_selfie: number;
  card_origB: number;
  origA_selfie: number;
  origA_origB: number;
  blame: 'ok' | 'pair' | 'card' | 'selfie' | 'both';
  card_faces: number;
  card_face_px: number;
  card_largest_px: number;
  ghost_chosen: boolean;
  card_sharpness: number | null;
  selfie_face_px: number;
  selfie_brightness: number | null;
  selfie_sharpness: number | null;
  selfie_corrected: boolean;
}
const rows: Row[] = [];
const failures: Array<{ row: Row; crops: Array<FaceAnalysis['aligned']>; selfie: { path: string; boxes: number[][] } }> = [];
for (const p of kyc) {
  const s = src[idx(p.a)]!;
  const card = await analyze(join(kycDir, p.a), 'ref_image');
  const selfie = await analyze(join(kycDir, p.b), 'user_image');
  const oa = await analyze(join(source, s.a), 'ref_image');
  const ob = await analyze(join(source, s.b), 'user_image');
  const r = { cs: sc(card, selfie), cb: sc(card, ob), as: sc(oa, selfie), ab: sc(oa, ob) };
  const fail = r.cs <= 30;
  const blame: Row['blame'] = !fail ? 'ok' : r.ab <= 30 ? 'pair' : r.as > 30 && r.cb <= 30 ? 'card' : r.cb > 30 && r.as <= 30 ? 'selfie' : 'both';
  const sizes = card.entities.map((e) => side(e.bbox));
  const row: Row = {
    i: idx(p.a),
    condition: p.condition ?? '',
    card_selfie: r.cs,
    card_origB: r.cb,
    origA_selfie: r.as,
    origA_origB: r.ab,
    blame,
    card_faces: card.entities.length,
    card_face_px: sizes[0] ?? 0,
    card_largest_px: Math.max(0, ...sizes),
    ghost_chosen: sizes.length > 1 && sizes[0]! < 0.75 * Math.max(...sizes),
    card_sharpness: card.quality.sharpness ?? null,
    selfie_face_px: side(selfie.entities[0]?.bbox),
    selfie_brightness: selfie.quality.brightness ?? null,
    selfie_sharpness: selfie.quality.sharpness ?? null,
    selfie_corrected: !!selfie.corrected,
  };
  rows.push(row);
  if (fail) failures.push({ row, crops: [card.aligned, oa.aligned, selfie.aligned, ob.aligned], selfie: { path: join(kycDir, p.b), boxes: selfie.entities.map((e) => e.bbox) } });
  cache.delete(join(kycDir, p.a));
  cache.delete(join(kycDir, p.b));
  if (rows.length % 50 === 0) process.stderr.write(`kyc-diagnose: ${rows.length}/${kyc.length}\n`);
}
await engine.close();

const out = opt('out');
if (out) writeFileSync(out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
const median = (xs: number[]): number | null => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);
const summary: Record<string, unknown> = {};
for (const c of [...new Set(rows.map((r) => r.condition)), 'ALL']) {
  const g = rows.filter((r) => c === 'ALL' || r.condition === c);
  const f = g.filter((r) => r.blame !== 'ok');
  const count = (b: Row['blame']): number => f.filter((r) => r.blame === b).length;
  summary[c] = {
    genuine: g.length,
    failed: f.length,
    blame_pair: count('pair'),
    blame_card: count('card'),
    blame_selfie: count('selfie'),
    blame_both: count('both'),
    ghost_chosen_failed: f.filter((r) => r.ghost_chosen).length,
    ghost_chosen_all: g.filter((r) => r.ghost_chosen).length,
    card_face_px_median_failed_vs_ok: [median(f.map((r) => r.card_face_px)), median(g.filter((r) => r.blame === 'ok').map((r) => r.card_face_px))],
    card_vs_origB_median: median(g.map((r) => r.card_origB)),
    origA_vs_selfie_median: median(g.map((r) => r.origA_selfie)),
    origA_vs_origB_median: median(g.map((r) => r.origA_origB)),
  };
}
console.log(JSON.stringify({ set: kycDir, source, ...(pipeline ? { pipeline } : {}), summary }));

const mosaic = opt('mosaic');
if (mosaic && failures.length) {
  // One row per failure: card | original A | selfie | original B (112x112 aligned crops).
  const n = Math.min(24, failures.length);
  const W = 4 * 112;
  const buf = Buffer.alloc(W * 112 * n * 3, 40);
  failures.slice(0, n).forEach(({ crops }, r) => {
    crops.forEach((c, k) => {
      if (!c) return;
      for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) for (let ch = 0; ch < 3; ch++) buf[((r * 112 + y) * W + k * 112 + x) * 3 + ch] = c.data[(y * 112 + x) * 3 + ch]!;
    });
  });
  await sharp(buf, { raw: { width: W, height: 112 * n, channels: 3 } }).png().toFile(mosaic);
  process.stderr.write(`kyc-diagnose: mosaic of ${n} failures (card | orig A | selfie | orig B): ${mosaic}\n`);
  for (const { row } of failures.slice(0, n)) process.stderr.write(`  ${JSON.stringify(row)}\n`);
}

const boxes = opt('boxes');
if (boxes && failures.length) {
  const TW = 360;
  const TH = 480;
  const tiles = await Promise.all(
    failures.slice(0, 24).map(async ({ selfie }) => {
      const img = sharp(readFileSync(selfie.path));
      const { width = TW, height = TH } = await img.metadata();
      const stats = await img.stats();
      const mean = stats.channels.slice(0, 3).reduce((t, c) => t + c.mean, 0) / 3;
      const z = Math.min(TW / width, TH / height);
      const [w, h] = [Math.round(width * z), Math.round(height * z)];
      const rects = selfie.boxes.map((b, k) => `<rect x="${b[0]! * z}" y="${b[1]! * z}" width="${(b[2]! - b[0]!) * z}" height="${(b[3]! - b[1]!) * z}" fill="none" stroke="${k ? 'yellow' : 'lime'}" stroke-width="2"/>`);
      const small = await img.linear(115 / Math.max(1, mean), 0).resize(w, h).toBuffer();
      return sharp(small).composite([{ input: Buffer.from(`<svg width="${w}" height="${h}">${rects.join('')}</svg>`) }]).png().toBuffer();
    }),
  );
  const cols = 4;
  await sharp({ create: { width: cols * TW, height: TH * Math.ceil(tiles.length / cols), channels: 3, background: '#000' } })
    .composite(tiles.map((input, k) => ({ input, left: (k % cols) * TW, top: Math.floor(k / cols) * TH })))
    .png()
    .toFile(boxes);
  process.stderr.write(`kyc-diagnose: chosen boxes on ${tiles.length} brightened selfies (rows of ${cols}, in the order above): ${boxes}\n`);
}
