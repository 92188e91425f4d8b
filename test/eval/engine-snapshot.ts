// The engine's outputs on a fixed sample, to show that a change of structure changes no
// result: run it before and after, then compare the two files (they must be identical).
// Per case it keeps the whole report except timings (status, score, similarity, boxes,
// angle, liveness, quality signals and issues, warnings), a hash of each chosen face's
// embedding and aligned crop, and which pipeline stages ran (the timing keys), so the
// fallbacks the sample exercises are visible.
// The sample: evenly spaced pairs of lfw-original-dev, tv-grayscale-crops and celeb5-crops;
// rendered KYC pairs (test/eval/kyc-set.ts) of every condition; small faces on large
// canvases (re-decode, tiles); portrait and wide frames; rotations (rotate_image on pairs
// and on turned copies); quality-only analyses; attributes.
//   node dist/test/eval/engine-snapshot.js --out /tmp/engine-before.json [--lfw 200] [--tv 40] [--celeb 40] [--kyc 3]
//        [--pipeline '{"refine":true}']   (a variant of the pipeline config, as for eval)
//   node dist/test/eval/engine-snapshot.js --compare /tmp/engine-before.json /tmp/engine-after.json
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import sharp from 'sharp';
import { FaceEngine, type FaceAnalysis, type MatchOptions, type PipelineConfig } from '../../src/engine/index.js';
import { readPairs, type Pair } from '../helpers/data.js';
import { CONDITIONS, PARAM_SETS, renderPair } from './kyc-set.js';

type Case = Record<string, unknown>;

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function hash(v: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } | null | undefined): string | null {
  return v ? createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex').slice(0, 24) : null;
}

function analysisOf(a: FaceAnalysis): Case {
  return {
    angle: a.bestAngle,
    entities: a.entities,
    norm: a.norm,
    liveness: a.liveness,
    corrected: a.corrected ?? null,
    embedding: hash(a.embedding),
    aligned: hash(a.aligned?.data),
    quality: a.quality,
    stages: Object.keys(a.timings).sort(),
  };
}

/** `count` pairs spread evenly over the list (both genuine and impostor pairs). */
function spread(pairs: Pair[], count: number): Pair[] {
  const n = Math.min(count, pairs.length);
  return Array.from({ length: n }, (_, i) => pairs[Math.floor((i * pairs.length) / n)]!);
}

async function matchCase(engine: FaceEngine, id: string, user: Buffer, ref: Buffer, opts: MatchOptions = {}): Promise<Case> {
  const { report, user: u, ref: r } = await engine.matchInternal(user, ref, opts);
  const { timing_ms: _timing, ...rest } = report;
  return { id, opts, report: rest, user: analysisOf(u), ref: analysisOf(r) };
}

/** A photo shrunk to `face` px wide on a mid-grey canvas of w x h (at x, y). */
async function onCanvas(photo: Buffer, face: number, w: number, h: number, x: number, y: number): Promise<Buffer> {
  const small = await sharp(photo).resize(face).png().toBuffer();
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: 118, g: 112, b: 104 } } })
    .composite([{ input: small, left: x, top: y }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The photo extended (edge pixels) to a frame of aspect w:h. */
async function reframed(photo: Buffer, kind: 'portrait' | 'wide'): Promise<Buffer> {
  const m = await sharp(photo).metadata();
  const [w, h] = [m.width!, m.height!];
  const ext = kind === 'portrait' ? { top: Math.round(h * 0.4), bottom: Math.round(h * 0.5), left: 0, right: 0 } : { left: Math.round(w * 0.5), right: Math.round(w * 0.4), top: 0, bottom: 0 };
  return sharp(photo).extend({ ...ext, extendWith: 'copy' }).png().toBuffer();
}

async function snapshot(out: string): Promise<void> {
  const pi = process.argv.indexOf('--pipeline');
  const pipeline = pi > 0 ? (JSON.parse(process.argv[pi + 1]!) as Partial<PipelineConfig>) : {};
  const engine = new FaceEngine({ parallel: false, threads: 1, pipeline });
  const cases: Case[] = [];
  const read = (p: string): Buffer => readFileSync(p);
  const log = (m: string): boolean => process.stderr.write(`${m}\n`);

  for (const [set, n] of [['lfw-original-dev', flag('lfw', 200)], ['tv-grayscale-crops', flag('tv', 40)], ['celeb5-crops', flag('celeb', 40)]] as const) {
    for (const [i, p] of spread(readPairs(set), n).entries()) cases.push(await matchCase(engine, `${set}#${i}`, read(p.a), read(p.b)));
    log(`${set}: ${n} pairs`);
  }
  const lfw = readPairs('lfw-funneled-dev');
  const kycPer = flag('kyc', 3);
  for (const condition of CONDITIONS) {
    for (let k = 0; k < kycPer; k++) {
      const index = (k * 997 + CONDITIONS.indexOf(condition) * 131) % lfw.length;
      const p = lfw[index]!;
      const { card, selfie } = await renderPair(read(p.a), read(p.b), { seed: 1, index, condition, params: PARAM_SETS.base });
      cases.push(await matchCase(engine, `kyc-${condition}#${index}`, selfie, card));
    }
  }
  // The dim pairs the dark-face levers were measured on (engine.dark-retry.test.ts).
  for (const [seed, params, index] of [[3, 'base', 2695], [1, 'base', 0], [4, 'wide', 55], [4, 'wide', 320], [2, 'wide', 1104]] as const) {
    const p = lfw[index]!;
    const { card, selfie } = await renderPair(read(p.a), read(p.b), { seed, index, condition: 'dim', params: PARAM_SETS[params] });
    cases.push(await matchCase(engine, `kyc-dim-s${seed}-${params}#${index}`, selfie, card));
  }
  log('kyc: done');
  const photos = spread(readPairs('lfw-original-dev'), 12);
  for (const [i, p] of photos.entries()) {
    // Small faces in photos larger than the working size: re-decoded region, tiles.
    const face = [24, 32, 44, 60, 90, 120][i % 6]!;
    const big = await onCanvas(read(p.a), face, 2400, 1800, 300 + 150 * i, 200 + 110 * i);
    cases.push(await matchCase(engine, `canvas-${face}px#${i}`, big, read(p.b)));
    const frame = await reframed(read(p.a), i % 2 ? 'portrait' : 'wide');
    cases.push(await matchCase(engine, `frame-${i % 2 ? 'portrait' : 'wide'}#${i}`, frame, read(p.b)));
  }
  log('canvas, frames: done');
  for (const [i, p] of spread(readPairs('lfw-original-dev'), 16).entries()) {
    const angle = ([90, 180, 270] as const)[i % 3]!;
    const turned = await sharp(read(p.a)).rotate(angle).png().toBuffer();
    cases.push(await matchCase(engine, `rotate#${i}`, read(p.a), read(p.b), { rotateImage: true }));
    cases.push(await matchCase(engine, `rotate-turned-${angle}#${i}`, turned, read(p.b), { rotateImage: true }));
  }
  for (const [i, p] of spread(readPairs('celeb5-crops'), 4).entries()) {
    cases.push(await matchCase(engine, `attributes#${i}`, read(p.a), read(p.b), { attributes: true, mode: 'workflow' }));
    cases.push({ id: `assess#${i}`, quality: await engine.assess(read(p.a)) });
    const single = await engine.single(read(p.b), { rotateImage: true });
    cases.push({ id: `single#${i}`, ...single, embedding: hash(single.embedding) });
  }
  log('rotations, attributes, assess, single: done');
  await engine.close();
  const stages: Record<string, number> = {};
  for (const c of cases) for (const side of ['user', 'ref'] as const) for (const s of ((c[side] as Case | undefined)?.stages as string[] | undefined) ?? []) stages[s] = (stages[s] ?? 0) + 1;
  writeFileSync(out, JSON.stringify({ cases, stages }, null, 1) + '\n');
  log(`${cases.length} cases -> ${out}; stages run (images): ${JSON.stringify(stages)}`);
}

function compare(a: string, b: string): number {
  const [x, y] = [JSON.parse(readFileSync(a, 'utf8')) as { cases: Case[] }, JSON.parse(readFileSync(b, 'utf8')) as { cases: Case[] }];
  let diff = 0;
  const n = Math.max(x.cases.length, y.cases.length);
  for (let i = 0; i < n; i++) {
    if (!isDeepStrictEqual(x.cases[i], y.cases[i])) {
      diff++;
      if (diff <= 10) process.stdout.write(`differs: ${String(x.cases[i]?.id ?? y.cases[i]?.id)}\n`);
    }
  }
  process.stdout.write(`${n} cases, ${diff} differ\n`);
  return diff === 0 ? 0 : 1;
}

const ci = process.argv.indexOf('--compare');
const oi = process.argv.indexOf('--out');
if (ci > 0 && process.argv[ci + 2]) process.exit(compare(process.argv[ci + 1]!, process.argv[ci + 2]!));
else if (oi > 0 && process.argv[oi + 1]) await snapshot(process.argv[oi + 1]!);
else {
  process.stderr.write('usage: engine-snapshot --out FILE [--lfw N --tv N --celeb N --kyc N] | --compare A B\n');
  process.exit(2);
}
