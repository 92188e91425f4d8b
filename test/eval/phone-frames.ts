// Photos in phone and webcam frames: LFW pairs with photo B scaled to 90% of the short
// side of a W x H frame over its own blurred, enlarged copy (optionally dark and noisy),
// scored against photo A under each pipeline given. Checks that the detector's frame
// (`detectAspect`) keeps portrait (9:16) and wide (16:9) frames as good as the photo.
//   node dist/test/eval/phone-frames.js W H N [--dark GAIN] [--set DIR] PIPELINE_JSON...
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { readPairsTsv } from '../../src/cli/eval.js';
import { FaceEngine, type PipelineConfig } from '../../src/engine/index.js';
import { cosine } from '../../src/engine/embed.js';
import { reportScore } from '../../src/engine/score.js';
import { darkNoisy } from '../helpers/engine.js';

const args = process.argv.slice(2);
const opt = (k: string): string | undefined => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const dark = opt('dark');
const set = resolve(opt('set') ?? '../shared/data/faces/lfw-funneled-dev');
const [w, h, n, ...pipelines] = args;
if (!w || !h || !n || pipelines.length === 0) {
  process.stderr.write('usage: phone-frames W H N [--dark GAIN] [--set DIR] PIPELINE_JSON...\n');
  process.exit(2);
}
const W = Number(w);
const H = Number(h);
const rows = readPairsTsv(set);
const step = Math.max(1, Math.floor(rows.length / Number(n)));
const pairs = rows.filter((_, i) => i % step === 0).slice(0, Number(n));

async function framed(photo: Buffer): Promise<Buffer> {
  const s = Math.round(Math.min(W, H) * 0.9);
  const bg = await sharp(photo).resize(W, H, { fit: 'cover' }).blur(20).toBuffer();
  const out = await sharp(bg).composite([{ input: await sharp(photo).resize(s, s).toBuffer(), left: Math.round((W - s) / 2), top: Math.round((H - s) / 2) }]).png().toBuffer();
  if (!dark) return sharp(out).jpeg({ quality: 85 }).toBuffer();
  return darkNoisy(out, { gain: Number(dark), amp: 14, seed: 12345, quality: 80 });
}

const engines = pipelines.map((p) => new FaceEngine({ parallel: false, threads: 1, pipeline: JSON.parse(p) as Partial<PipelineConfig> }));
const stats = engines.map(() => ({ genuine: [] as number[], impostor: [] as number[], noFace: 0 }));
for (const p of pairs) {
  const a = readFileSync(join(set, p.a));
  const b = await framed(readFileSync(join(set, p.b)));
  for (const [k, engine] of engines.entries()) {
    const [ea, eb] = [await engine.analyze(a, 'ref_image'), await engine.analyze(b, 'user_image')];
    if (!ea.embedding || !eb.embedding) {
      stats[k]!.noFace++;
      continue;
    }
    const score = reportScore(cosine(ea.embedding, eb.embedding));
    (p.same ? stats[k]!.genuine : stats[k]!.impostor).push(score);
  }
}
const above = (v: number[], t: number): number => v.filter((x) => x > t).length;
for (const [k, s] of stats.entries()) {
  console.log(JSON.stringify({ frame: `${W}x${H}`, dark: dark ? Number(dark) : null, pipeline: JSON.parse(pipelines[k]!) as unknown, genuine: s.genuine.length, genuine_above_30_50_70: [30, 50, 70].map((t) => above(s.genuine, t)), impostors: s.impostor.length, impostors_above_30: above(s.impostor, 30), no_face_pairs: s.noFace }));
}
await Promise.all(engines.map((e) => e.close()));
