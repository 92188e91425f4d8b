// Measures the quality signals on LFW dev photos and on derived versions (darkened,
// overexposed, flattened, blurred), to choose QUALITY_THRESHOLDS. Usage:
//   node dist/test/eval/quality-measure.js [SET_DIR ...] [--n 150]
// Prints, per set and variant, percentiles of each signal and how often each issue fires.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { FaceEngine, type ImageQuality } from '../../src/engine/index.js';
import { readPairsTsv } from '../../src/cli/eval.js';

type Variant = { name: string; make: (b: Buffer) => Promise<Buffer> };
export const QUALITY_VARIANTS: Variant[] = [
  { name: 'original', make: async (b) => b },
  { name: 'dark x0.3', make: (b) => sharp(b).linear(0.3, 0).jpeg({ quality: 92 }).toBuffer() },
  { name: 'dark x0.15', make: (b) => sharp(b).linear(0.15, 0).jpeg({ quality: 92 }).toBuffer() },
  { name: 'bright x1.8+60', make: (b) => sharp(b).linear(1.8, 60).jpeg({ quality: 92 }).toBuffer() },
  { name: 'flat x0.3', make: (b) => sharp(b).linear(0.3, 90).jpeg({ quality: 92 }).toBuffer() },
  { name: 'blur 1.5', make: (b) => sharp(b).blur(1.5).jpeg({ quality: 92 }).toBuffer() },
  { name: 'blur 3', make: (b) => sharp(b).blur(3).jpeg({ quality: 92 }).toBuffer() },
];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10 : NaN;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const nIdx = args.indexOf('--n');
  const n = nIdx >= 0 ? Number(args[nIdx + 1]) : 150;
  const sets = args.filter((a, i) => !a.startsWith('--') && (nIdx < 0 || i !== nIdx + 1));
  const dirs = sets.length ? sets.map((s) => resolve(s)) : ['lfw-original-dev', 'lfw-funneled-dev'].map((s) => resolve('../shared/data/faces', s));
  const engine = new FaceEngine({ parallel: false });
  for (const dir of dirs) {
    const imgs = [...new Set(readPairsTsv(dir).flatMap((p) => [p.a, p.b]))];
    const step = Math.max(1, Math.floor(imgs.length / n));
    const pick = imgs.filter((_, i) => i % step === 0).slice(0, n);
    for (const v of QUALITY_VARIANTS) {
      const qs: ImageQuality[] = [];
      for (const rel of pick) qs.push(await engine.assess(await v.make(readFileSync(join(dir, rel)))));
      const found = qs.filter((q) => q.face_found);
      const sig = (f: (q: ImageQuality) => number | null): string => {
        const xs = found.map(f).filter((x): x is number => x !== null);
        return `${pct(xs, 0.01)}/${pct(xs, 0.05)}/${pct(xs, 0.5)}/${pct(xs, 0.95)}/${pct(xs, 0.99)}`;
      };
      const issues: Record<string, number> = {};
      for (const q of qs) for (const i of q.issues) issues[i.code] = (issues[i.code] ?? 0) + 1;
      console.log(JSON.stringify({
        set: dir.split('/').pop(), variant: v.name, images: qs.length, face_found: found.length,
        'p1/p5/p50/p95/p99': { size: sig((q) => q.face_size_px), brightness: sig((q) => q.brightness), contrast: sig((q) => q.contrast), sharpness: sig((q) => q.sharpness), yaw: sig((q) => q.pose && Math.abs(q.pose.yaw)), pitch: sig((q) => q.pose && Math.abs(q.pose.pitch)), pitch_signed: sig((q) => q.pose && q.pose.pitch) },
        issues,
      }));
    }
  }
  await engine.close();
}

void main();
