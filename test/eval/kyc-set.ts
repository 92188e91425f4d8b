// Development KYC set: LFW dev pairs re-rendered as (photo of an ID card, selfie). The
// reference of each pair (path_a) becomes a small printed portrait on a textured card
// with a ghost image, re-compressed, photographed rotated, in perspective and off-centre;
// the selfie (path_b) is rendered under one condition. Deterministic: every parameter is
// drawn per pair from a PRNG seeded by (--seed, pair index), within the ranges of the
// chosen parameter set (--params base|wide), so two seeds / two sets show the spread.
//
//   node dist/test/eval/kyc-set.js --out /tmp/kyc-s1 [--seed 1] [--params base|wide]
//        [--source ../shared/data/faces/lfw-funneled-dev] [--folds 1-5] [--limit N]
//        [--resume | --index-only]   (keep rendered pairs / only index a cut-short run)
//   node dist/src/cli.js eval /tmp/kyc-s1            # per-condition metrics
//   node dist/test/eval/kyc-set.js --out /tmp/kyc-dim-s1 --seed 1 --renderings dim --limit 60
//        (every pair's selfie under each of DIM_RENDERINGS, one condition each: docs/engine-dim.md)
//
// Output: OUT/ref/NNNNN.jpg, OUT/selfie/NNNNN.jpg, OUT/pairs.tsv (ref, selfie, same,
// fold, condition) and OUT/params.json (the ranges used). Never write it into the repo.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { readPairsTsv } from '../../src/cli/eval.js';
import { rng } from '../helpers/rng.js';

export const CONDITIONS = ['ordinary', 'dim', 'colour_cast', 'backlight', 'blur_jpeg', 'small_face', 'occlusion'] as const;
export type Condition = (typeof CONDITIONS)[number];
/** Conditions an ordinary user produces with an ordinary phone (the auto-approval target). */
export const ORDINARY_CONDITIONS: Condition[] = ['ordinary', 'colour_cast', 'small_face', 'occlusion'];

/**
 * Renderings of the dim condition, each reported as its own condition. `dim` is the set's
 * own rendering (unchanged); the others share its framing, gain, gamma, noise sd and JPEG
 * quality draws, so a pair differs between renderings only in what the name says:
 * - `dim_coarse_x2` / `_x4`: the noise field drawn at 1/2 or 1/4 resolution, upscaled
 *   (bilinear) and rescaled to the same sd: grain, not more noise;
 * - `dim_upscaled`: the dark photo shrunk by `dimUpscale`, noise added, enlarged again (a
 *   sensor crop or binned mode upscaled by the phone: coarse grain and softer detail);
 * - `dim_lifted`: black level raised by `dimLift` levels, contrast compressed to keep white;
 * - `dim_upscaled_lifted`: both;
 * - `dim_denoised_jpeg`: the noisy photo through a phone-style denoise (edge-preserving luma
 *   smoothing, strong chroma smoothing, light sharpening), then JPEG at `dimPhoneJpeg`.
 */
export const DIM_RENDERINGS = ['dim', 'dim_coarse_x2', 'dim_coarse_x4', 'dim_upscaled', 'dim_lifted', 'dim_upscaled_lifted', 'dim_denoised_jpeg'] as const;
export type DimRendering = (typeof DIM_RENDERINGS)[number];
export type SelfieCondition = Condition | DimRendering;

export const isDimRendering = (c: string): c is DimRendering => (DIM_RENDERINGS as readonly string[]).includes(c);

type Range = readonly [number, number];
export interface KycParams {
  card: {
    /** Card width in the 1280x960 photo of it, px. */
    widthPx: Range;
    /** Printed portrait width / card width. */
    portraitFrac: Range;
    ghostProb: number;
    ghostOpacity: Range;
    /** Guilloche texture amplitude, luma levels. */
    texture: Range;
    /** Saturation kept when printing (1 = all). */
    printSaturation: Range;
    /** JPEG quality of the portrait before printing, and of the final photo. */
    printJpeg: Range;
    photoJpeg: Range;
    rotationDeg: Range;
    /** Corner displacement, fraction of the card width (perspective). */
    perspective: Range;
    /** Centre offset, fraction of the frame. */
    offCentre: Range;
    /** Lighting gradient across the card (0 = flat). */
    lightGradient: Range;
  };
  selfie: {
    /** Photo side in a 960x1280 frame (face is ~0.37 of it). */
    sidePx: Range;
    ordinaryGain: Range;
    ordinaryNoise: Range;
    jpeg: Range;
    dimGain: Range;
    dimGamma: Range;
    dimNoise: Range;
    /** Dim renderings (DIM_RENDERINGS): shrink factor before the noise; black level raised, levels. */
    dimUpscale: Range;
    dimLift: Range;
    /** Phone denoise: luma range sigma / noise sd; chroma box radius, px; unsharp amount; then JPEG quality. */
    dimDenoiseRange: Range;
    dimDenoiseChroma: Range;
    dimSharpen: Range;
    dimPhoneJpeg: Range;
    /** Colour cast strength 0..1 (tungsten, fluorescent green, or cold blue). */
    castStrength: Range;
    backlightBoost: Range;
    backlightFace: Range;
    /** Blur sigma as a fraction of the face width, and JPEG quality. */
    blurFrac: Range;
    blurJpeg: Range;
    /** Face width in a 1280x960 frame, px. */
    smallFacePx: Range;
    sunglassOpacity: Range;
    /** Hat brim height below the face box top, fraction of the face height. */
    hatDepth: Range;
  };
}

export const PARAM_SETS: Record<'base' | 'wide', KycParams> = {
  base: {
    card: { widthPx: [700, 1000], portraitFrac: [0.24, 0.32], ghostProb: 0.8, ghostOpacity: [0.25, 0.45], texture: [6, 16], printSaturation: [0.6, 0.9], printJpeg: [50, 80], photoJpeg: [55, 85], rotationDeg: [-8, 8], perspective: [0, 0.06], offCentre: [0, 0.12], lightGradient: [0, 0.25] },
    selfie: {
      sidePx: [780, 1000], ordinaryGain: [0.85, 1.15], ordinaryNoise: [1, 3], jpeg: [70, 90],
      dimGain: [0.12, 0.3], dimGamma: [1, 1.3], dimNoise: [4, 10], castStrength: [0.5, 1],
      dimUpscale: [1.5, 2.5], dimLift: [12, 32], dimDenoiseRange: [1.5, 3], dimDenoiseChroma: [2, 4], dimSharpen: [0.2, 0.6], dimPhoneJpeg: [78, 92],
      backlightBoost: [90, 160], backlightFace: [0.35, 0.6], blurFrac: [0.01, 0.025], blurJpeg: [12, 30],
      smallFacePx: [45, 90], sunglassOpacity: [0.55, 0.9], hatDepth: [0.05, 0.25],
    },
  },
  wide: {
    card: { widthPx: [600, 1100], portraitFrac: [0.2, 0.34], ghostProb: 0.9, ghostOpacity: [0.2, 0.55], texture: [4, 24], printSaturation: [0.4, 1], printJpeg: [35, 85], photoJpeg: [40, 90], rotationDeg: [-12, 12], perspective: [0, 0.1], offCentre: [0, 0.18], lightGradient: [0, 0.4] },
    selfie: {
      sidePx: [700, 1050], ordinaryGain: [0.75, 1.25], ordinaryNoise: [0.5, 4], jpeg: [60, 92],
      dimGain: [0.08, 0.4], dimGamma: [0.9, 1.4], dimNoise: [3, 14], castStrength: [0.4, 1],
      dimUpscale: [1.3, 3], dimLift: [8, 40], dimDenoiseRange: [1.2, 3.5], dimDenoiseChroma: [1, 5], dimSharpen: [0, 0.8], dimPhoneJpeg: [70, 95],
      backlightBoost: [70, 190], backlightFace: [0.28, 0.7], blurFrac: [0.008, 0.032], blurJpeg: [8, 40],
      smallFacePx: [38, 110], sunglassOpacity: [0.4, 0.95], hatDepth: [0.02, 0.32],
    },
  },
};

function seedOf(seed: number, index: number, salt: number): number {
  let h = 2166136261 ^ seed;
  for (const v of [index, salt]) {
    h = Math.imul(h ^ v, 16777619);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/** Seeded draws (mulberry32): ranges, integers, Gaussians. */
export class Rng {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  next(): number {
    return this.r();
  }
  in(range: Range): number {
    return range[0] + (range[1] - range[0]) * this.r();
  }
  int(range: Range): number {
    return Math.round(this.in(range));
  }
  gauss(): number {
    const u = Math.max(1e-12, this.r());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.r());
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
}

export interface Raw {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}
type Sharp = ReturnType<typeof sharp>;
async function raw(s: Sharp): Promise<Raw> {
  const { data, info } = await s.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
function fromRaw(r: Raw): Sharp {
  return sharp(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.length), { raw: { width: r.width, height: r.height, channels: 3 } });
}
async function jpeg(r: Raw, q: number): Promise<Buffer> {
  return fromRaw(r).jpeg({ quality: Math.round(q) }).toBuffer();
}

/** Face box of the source photo, fraction of its side (LFW deep-funneled median; LFW original framing is the same within a few %). */
const FACE = { x0: 0.31, y0: 0.24, x1: 0.68, y1: 0.76 };

// ---------- ID card ----------

function homography(src: Array<[number, number]>, dst: Array<[number, number]>): number[] {
  // Solves dst ~ H src for the 8 unknowns (h33 = 1).
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = src[i]!;
    const [u, v] = dst[i]!;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / A[c]![c]!;
      for (let k = c; k < 9; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  return [...A.map((row, i) => row[8]! / row[i]!), 1];
}

async function renderCard(photo: Buffer, p: KycParams['card'], rng: Rng): Promise<Buffer> {
  const CW = 856;
  const CH = 540; // ISO ID-1 proportions
  // Card face: pale tint, guilloche texture, text bars.
  const tint = [rng.in([215, 240]), rng.in([210, 235]), rng.in([200, 230])];
  const card: Raw = { data: new Uint8ClampedArray(CW * CH * 3), width: CW, height: CH };
  const amp = rng.in(p.texture);
  const f1 = rng.in([0.02, 0.05]);
  const f2 = rng.in([0.02, 0.05]);
  for (let y = 0; y < CH; y++) {
    for (let x = 0; x < CW; x++) {
      const g = amp * Math.sin(x * f1 + 6 * Math.sin(y * f2)) * Math.cos(y * f1 * 0.7);
      const o = (y * CW + x) * 3;
      card.data[o] = tint[0]! + g;
      card.data[o + 1] = tint[1]! + g * 0.8;
      card.data[o + 2] = tint[2]! + g * 1.2;
    }
  }
  for (let i = 0; i < 6; i++) {
    const y0 = 150 + i * 55;
    const len = rng.in([200, 380]);
    for (let y = y0; y < y0 + 16; y++) for (let x = 330; x < 330 + len; x++) for (let c = 0; c < 3; c++) card.data[(y * CW + x) * 3 + c] = 70 + 20 * c;
  }
  // Portrait: re-compressed, desaturated, lower contrast (print), placed left.
  const pw = Math.round(CW * rng.in(p.portraitFrac));
  const ph = Math.round(pw * 1.28);
  const printed = await sharp(await sharp(photo).resize(pw, ph, { fit: 'cover', position: 'centre' }).jpeg({ quality: rng.int(p.printJpeg) }).toBuffer())
    .modulate({ saturation: rng.in(p.printSaturation) })
    .linear(0.85, 18)
    .toBuffer();
  const pr = await raw(sharp(printed));
  const px0 = Math.round(rng.in([30, 50]));
  const py0 = Math.round((CH - ph) / 2 + rng.in([-20, 30]));
  for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) for (let c = 0; c < 3; c++) {
    const cy = py0 + y;
    const cx = px0 + x;
    if (cy >= 0 && cy < CH && cx >= 0 && cx < CW) card.data[(cy * CW + cx) * 3 + c] = pr.data[(y * pw + x) * 3 + c]!;
  }
  // Ghost image: small, grey, faded, right side.
  if (rng.next() < p.ghostProb) {
    const gw = Math.round(pw * rng.in([0.4, 0.55]));
    const gh = Math.round(gw * 1.28);
    const gr = await raw(sharp(photo).resize(gw, gh, { fit: 'cover' }).modulate({ saturation: 0 }));
    const a = rng.in(p.ghostOpacity);
    const gx0 = CW - gw - Math.round(rng.in([30, 60]));
    const gy0 = CH - gh - Math.round(rng.in([30, 60]));
    for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) for (let c = 0; c < 3; c++) {
      const o = ((gy0 + y) * CW + gx0 + x) * 3 + c;
      card.data[o] = card.data[o]! * (1 - a) + gr.data[(y * gw + x) * 3 + c]! * a;
    }
  }
  // Photograph it: rotation + perspective + off-centre on a table, lighting gradient, JPEG.
  const W = 1280;
  const H = 960;
  const cw = rng.in(p.widthPx);
  const ch = (cw * CH) / CW;
  const rot = (rng.in(p.rotationDeg) * Math.PI) / 180;
  const off = rng.in(p.offCentre);
  const ang = rng.next() * 2 * Math.PI;
  const cx = W / 2 + Math.cos(ang) * off * W;
  const cy = H / 2 + Math.sin(ang) * off * H;
  const persp = rng.in(p.perspective) * cw;
  const corners: Array<[number, number]> = [[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2], [-cw / 2, ch / 2]];
  const dst = corners.map(([x, y]): [number, number] => {
    const jx = x + rng.gauss() * persp * 0.5;
    const jy = y + rng.gauss() * persp * 0.5;
    return [cx + Math.cos(rot) * jx - Math.sin(rot) * jy, cy + Math.sin(rot) * jx + Math.cos(rot) * jy];
  });
  // Inverse map: frame -> card.
  const Hm = homography(dst, [[0, 0], [CW, 0], [CW, CH], [0, CH]]);
  const table = [rng.in([60, 140]), rng.in([50, 120]), rng.in([40, 100])];
  const out: Raw = { data: new Uint8ClampedArray(W * H * 3), width: W, height: H };
  const grad = rng.in(p.lightGradient);
  const gdir = rng.next() * 2 * Math.PI;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      const light = 1 + grad * (((x - W / 2) * Math.cos(gdir) + (y - H / 2) * Math.sin(gdir)) / W);
      const w = Hm[6]! * x + Hm[7]! * y + 1;
      const u = (Hm[0]! * x + Hm[1]! * y + Hm[2]!) / w - 0.5;
      const v = (Hm[3]! * x + Hm[4]! * y + Hm[5]!) / w - 0.5;
      if (u >= 0 && v >= 0 && u < CW - 1 && v < CH - 1) {
        const u0 = Math.floor(u);
        const v0 = Math.floor(v);
        const fu = u - u0;
        const fv = v - v0;
        for (let c = 0; c < 3; c++) {
          const i00 = (v0 * CW + u0) * 3 + c;
          const val = card.data[i00]! * (1 - fu) * (1 - fv) + card.data[i00 + 3]! * fu * (1 - fv) + card.data[i00 + CW * 3]! * (1 - fu) * fv + card.data[i00 + CW * 3 + 3]! * fu * fv;
          out.data[o + c] = val * light;
        }
      } else {
        for (let c = 0; c < 3; c++) out.data[o + c] = table[c]! * light + ((x * 7 + y * 13) % 9) - 4;
      }
    }
  }
  return jpeg(out, rng.int(p.photoJpeg));
}

// ---------- selfies ----------

/**
 * Standard normal draws from a seeded table of 8,192, indexed by xorshift: fast and
 * deterministic; takes 8,193 draws from `rng`, whoever calls it.
 */
function gaussSource(rng: Rng): () => number {
  const table = new Float32Array(8192);
  for (let i = 0; i < table.length; i++) table[i] = rng.gauss();
  let x = (rng.next() * 0xffffffff) >>> 0 || 1;
  return (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return table[(x >>> 0) & 8191]!;
  };
}

/** Sensor noise: luma + chroma Gaussian, drawn from a seeded table (fast, deterministic). */
function addNoise(r: Raw, sigma: number, rng: Rng, chroma = 0.5): void {
  const g = gaussSource(rng);
  const d = r.data;
  const sc = sigma * chroma;
  for (let i = 0; i < d.length; i += 3) {
    const l = g() * sigma;
    d[i] = d[i]! + l + g() * sc;
    d[i + 1] = d[i + 1]! + l + g() * sc;
    d[i + 2] = d[i + 2]! + l + g() * sc;
  }
}

/**
 * Sensor noise at 1/`scale` resolution, upscaled (bilinear) to w x h: luma and per-channel
 * chroma fields (chroma x `chroma`), each rescaled to the same sd as addNoise's (sigma and
 * sigma x chroma), so only the grain differs. Draws from `rng` exactly as addNoise does.
 * Returns the per-pixel, per-channel noise to add.
 */
export function coarseNoise(w: number, h: number, scale: number, sigma: number, rng: Rng, chroma = 0.5): Float32Array {
  const g = gaussSource(rng);
  const sw = Math.max(2, Math.ceil(w / scale) + 1);
  const sh = Math.max(2, Math.ceil(h / scale) + 1);
  // Four low-resolution fields: luma, then chroma R, G, B (the order addNoise draws them in).
  const low = Array.from({ length: 4 }, () => new Float32Array(sw * sh));
  for (let i = 0; i < sw * sh; i++) for (let k = 0; k < 4; k++) low[k]![i] = g();
  const up = low.map((f) => {
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const fy = y / scale;
      const y0 = Math.min(sh - 2, Math.floor(fy));
      const ty = fy - y0;
      for (let xx = 0; xx < w; xx++) {
        const fx = xx / scale;
        const x0 = Math.min(sw - 2, Math.floor(fx));
        const tx = fx - x0;
        const i = y0 * sw + x0;
        out[y * w + xx] = (f[i]! * (1 - tx) + f[i + 1]! * tx) * (1 - ty) + (f[i + sw]! * (1 - tx) + f[i + sw + 1]! * tx) * ty;
      }
    }
    // Bilinear interpolation lowers the sd (more at the cell centres): back to 1.
    let s2 = 0;
    for (let i = 0; i < out.length; i++) s2 += out[i]! * out[i]!;
    const k = 1 / Math.sqrt(s2 / out.length);
    for (let i = 0; i < out.length; i++) out[i]! *= k;
    return out;
  });
  const noise = new Float32Array(w * h * 3);
  const sc = sigma * chroma;
  for (let i = 0; i < w * h; i++) {
    const l = up[0]![i]! * sigma;
    for (let c = 0; c < 3; c++) noise[i * 3 + c] = l + up[c + 1]![i]! * sc;
  }
  return noise;
}

/** Lifted blacks: black raised to `lift` levels, white kept, so contrast is compressed by (1 - lift/255). */
export function liftBlacks(r: Raw, lift: number): void {
  const k = 1 - lift / 255;
  const d = r.data;
  for (let i = 0; i < d.length; i++) d[i] = lift + d[i]! * k;
}

/**
 * Phone-style denoise of a noisy photo: luma through a 5x5 bilateral filter (range sigma
 * `rangeSigma` levels: flattens noise, keeps edges), chroma box-blurred at `chromaRadius`
 * (phones smooth colour hardest), then an unsharp mask of `sharpen` on luma (radius 1).
 */
export function phoneDenoise(r: Raw, rangeSigma: number, chromaRadius: number, sharpen: number): Raw {
  const { width: w, height: h } = r;
  const n = w * h;
  const d = r.data;
  const Y = new Float32Array(n);
  const Cb = new Float32Array(n);
  const Cr = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const R = d[i * 3]!;
    const G = d[i * 3 + 1]!;
    const B = d[i * 3 + 2]!;
    const y = 0.299 * R + 0.587 * G + 0.114 * B;
    Y[i] = y;
    Cb[i] = 0.564 * (B - y);
    Cr[i] = 0.713 * (R - y);
  }
  const rangeW = new Float32Array(256);
  for (let v = 0; v < 256; v++) rangeW[v] = Math.exp(-(v * v) / (2 * rangeSigma * rangeSigma));
  const spatial: number[] = [];
  for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) spatial.push(Math.exp(-(dx * dx + dy * dy) / (2 * 1.5 * 1.5)));
  const Yd = new Float32Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = Y[y * w + x]!;
      let s = 0;
      let ws = 0;
      let k = 0;
      for (let dy = -2; dy <= 2; dy++) {
        const yy = Math.min(h - 1, Math.max(0, y + dy));
        for (let dx = -2; dx <= 2; dx++, k++) {
          const v = Y[yy * w + Math.min(w - 1, Math.max(0, x + dx))]!;
          const wt = spatial[k]! * rangeW[Math.min(255, Math.round(Math.abs(v - c)))]!;
          s += v * wt;
          ws += wt;
        }
      }
      Yd[y * w + x] = s / ws;
    }
  }
  const box = (f: Float32Array, rad: number): Float32Array => {
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let k = -rad; k <= rad; k++) s += f[y * w + Math.min(w - 1, Math.max(0, x + k))]!;
        a[y * w + x] = s / (2 * rad + 1);
      }
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let k = -rad; k <= rad; k++) s += a[Math.min(h - 1, Math.max(0, y + k)) * w + x]!;
        b[y * w + x] = s / (2 * rad + 1);
      }
    }
    return b;
  };
  const rc = Math.max(1, Math.round(chromaRadius));
  const cb = box(Cb, rc);
  const cr = box(Cr, rc);
  const blurY = box(Yd, 1);
  const out: Raw = { data: new Uint8ClampedArray(n * 3), width: w, height: h };
  for (let i = 0; i < n; i++) {
    const y = Yd[i]! + sharpen * (Yd[i]! - blurY[i]!);
    out.data[i * 3] = y + 1.402 * cr[i]!;
    out.data[i * 3 + 1] = y - 0.344 * cb[i]! - 0.714 * cr[i]!;
    out.data[i * 3 + 2] = y + 1.772 * cb[i]!;
  }
  return out;
}

/**
 * A dim selfie under one of DIM_RENDERINGS. `rng` draws exactly what the `dim` condition
 * always drew (gain, gamma, noise sd, the noise itself, JPEG quality), so `dim` is
 * unchanged and every rendering of a pair shares those; `extra` draws the rendering's own.
 */
async function renderDim(img: Raw, kind: DimRendering, p: KycParams['selfie'], rng: Rng, extra: Rng): Promise<Buffer> {
  const d = img.data;
  const g = rng.in(p.dimGain);
  const gamma = rng.in(p.dimGamma);
  for (let i = 0; i < d.length; i++) d[i] = 255 * Math.pow((d[i]! / 255) * g, gamma);
  const sigma = rng.in(p.dimNoise);
  // The rendering's own parameters, all drawn for every rendering (so each is the same
  // number whichever rendering asks).
  const upscale = extra.in(p.dimUpscale);
  const lift = extra.in(p.dimLift);
  const rangeK = extra.in(p.dimDenoiseRange);
  const chromaR = extra.in(p.dimDenoiseChroma);
  const sharpenK = extra.in(p.dimSharpen);
  const phoneQ = extra.int(p.dimPhoneJpeg);
  let out = img;
  if (kind === 'dim_coarse_x2' || kind === 'dim_coarse_x4') {
    const noise = coarseNoise(img.width, img.height, kind === 'dim_coarse_x2' ? 2 : 4, sigma, rng, 0.8);
    for (let i = 0; i < d.length; i++) d[i] = d[i]! + noise[i]!;
  } else if (kind === 'dim_upscaled' || kind === 'dim_upscaled_lifted') {
    const small = await raw(fromRaw(img).resize(Math.round(img.width / upscale), Math.round(img.height / upscale)));
    addNoise(small, sigma, rng, 0.8);
    out = await raw(fromRaw(small).resize(img.width, img.height, { kernel: 'cubic' }));
  } else {
    addNoise(img, sigma, rng, 0.8);
  }
  if (kind === 'dim_lifted' || kind === 'dim_upscaled_lifted') liftBlacks(out, lift);
  const q = rng.int(p.jpeg);
  if (kind === 'dim_denoised_jpeg') return jpeg(phoneDenoise(out, rangeK * sigma, chromaR, sharpenK), phoneQ);
  return jpeg(out, q);
}

/** The photo in a 960x1280 portrait frame over a blurred enlarged copy; returns the frame and the face box. */
async function framed(photo: Buffer, side: number, rng: Rng, W = 960, H = 1280): Promise<{ img: Raw; face: [number, number, number, number] }> {
  const s = Math.round(side);
  const left = Math.round((W - s) / 2 + rng.in([-0.08, 0.08]) * W);
  const top = Math.round((H - s) / 2 + rng.in([-0.1, 0.05]) * H);
  const bg = await sharp(photo).resize(W, H, { fit: 'cover' }).blur(20).toBuffer();
  const fg = await sharp(photo).resize(s, s).toBuffer();
  const l = Math.max(0, left);
  const t = Math.max(0, top);
  const fgc = await sharp(fg).extract({ left: l - left, top: t - top, width: Math.min(s - (l - left), W - l), height: Math.min(s - (t - top), H - t) }).toBuffer();
  const img = await raw(sharp(bg).composite([{ input: fgc, left: l, top: t }]));
  return { img, face: [left + FACE.x0 * s, top + FACE.y0 * s, left + FACE.x1 * s, top + FACE.y1 * s] };
}

async function renderSelfie(photo: Buffer, cond: SelfieCondition, p: KycParams['selfie'], rng: Rng, extra: Rng): Promise<Buffer> {
  if (cond === 'small_face') {
    const W = 1280;
    const H = 960;
    const facePx = rng.in(p.smallFacePx);
    const s = Math.round(facePx / (FACE.x1 - FACE.x0));
    // Background: the photo's top-left corner (no face there) enlarged and blurred, a room.
    const meta = await sharp(photo).metadata();
    const cw = Math.round((meta.width ?? 250) * 0.22);
    const bg = await sharp(photo).extract({ left: 0, top: 0, width: cw, height: cw }).resize(W, H, { fit: 'cover' }).blur(30).modulate({ brightness: rng.in([0.8, 1.1]) }).toBuffer();
    const left = Math.round(rng.in([0.1, 0.9]) * (W - s));
    const top = Math.round(rng.in([0.1, 0.8]) * (H - s));
    const img = await raw(sharp(bg).composite([{ input: await sharp(photo).resize(s, s).toBuffer(), left, top }]));
    addNoise(img, rng.in(p.ordinaryNoise), rng);
    return jpeg(img, rng.int(p.jpeg));
  }
  const { img, face } = await framed(photo, rng.in(p.sidePx), rng);
  if (isDimRendering(cond)) return renderDim(img, cond, p, rng, extra);
  const d = img.data;
  const fw = face[2] - face[0];
  const fh = face[3] - face[1];
  switch (cond) {
    case 'ordinary': {
      const g = rng.in(p.ordinaryGain);
      for (let i = 0; i < d.length; i++) d[i] = d[i]! * g;
      addNoise(img, rng.in(p.ordinaryNoise), rng);
      return jpeg(img, rng.int(p.jpeg));
    }
    case 'colour_cast': {
      const k = rng.in(p.castStrength);
      const kind = rng.pick(['tungsten', 'fluorescent', 'cold'] as const);
      const m = kind === 'tungsten' ? [1.2, 0.9, 0.45] : kind === 'fluorescent' ? [0.78, 1.08, 0.8] : [0.72, 0.88, 1.25];
      const mul = m.map((v) => 1 + (v - 1) * k);
      for (let i = 0; i < d.length; i += 3) for (let c = 0; c < 3; c++) d[i + c] = d[i + c]! * mul[c]!;
      addNoise(img, rng.in(p.ordinaryNoise), rng);
      return jpeg(img, rng.int(p.jpeg));
    }
    case 'backlight': {
      // A bright window behind: background pushed towards white, the subject underexposed.
      const boost = rng.in(p.backlightBoost);
      const faceK = rng.in(p.backlightFace);
      const cx = (face[0] + face[2]) / 2;
      const cy = (face[1] + face[3]) / 2 + 0.2 * fh;
      const rx = fw * 0.85;
      const ry = fh * 1.1;
      for (let y = 0; y < img.height; y++) {
        for (let x = 0; x < img.width; x++) {
          const dx = (x - cx) / rx;
          const dy = y > cy ? 0 : (y - cy) / ry; // body below the face is the subject too
          const r = Math.sqrt(dx * dx + dy * dy);
          const subject = r < 1 ? 1 : r < 1.3 ? (1.3 - r) / 0.3 : 0;
          const o = (y * img.width + x) * 3;
          for (let c = 0; c < 3; c++) {
            const v = d[o + c]!;
            d[o + c] = subject * v * faceK + (1 - subject) * Math.min(255, v * 1.2 + boost);
          }
        }
      }
      addNoise(img, rng.in(p.ordinaryNoise) * 1.5, rng);
      return jpeg(img, rng.int(p.jpeg));
    }
    case 'blur_jpeg': {
      const sigma = Math.max(0.6, rng.in(p.blurFrac) * fw);
      const blurred = await raw(fromRaw(img).blur(sigma));
      return jpeg(blurred, rng.int(p.blurJpeg));
    }
    case 'occlusion': {
      if (rng.next() < 0.5) {
        // Glasses: two lenses (tinted by `opacity`) with a dark frame and a bridge.
        const opacity = rng.next() < 0.5 ? rng.in(p.sunglassOpacity) : 0.08;
        const ey = face[1] + fh * rng.in([0.36, 0.42]);
        const lw = fw * 0.27;
        const lh = fh * 0.13;
        for (const ex of [face[0] + fw * 0.29, face[0] + fw * 0.71]) {
          for (let y = Math.floor(ey - lh); y <= ey + lh; y++) {
            for (let x = Math.floor(ex - lw); x <= ex + lw; x++) {
              const r = Math.hypot((x - ex) / lw, (y - ey) / lh);
              if (r > 1.08 || y < 0 || x < 0 || y >= img.height || x >= img.width) continue;
              const o = (y * img.width + x) * 3;
              const a = r > 0.92 ? 0.9 : opacity;
              for (let c = 0; c < 3; c++) d[o + c] = d[o + c]! * (1 - a) + 15 * a;
            }
          }
        }
        for (let y = Math.floor(ey - lh * 0.3); y < ey - lh * 0.1; y++) for (let x = Math.floor(face[0] + fw * 0.42); x < face[0] + fw * 0.58; x++) for (let c = 0; c < 3; c++) d[(y * img.width + x) * 3 + c] = 20;
      } else {
        // A hat: a dark band over the top of the head down to the forehead.
        const brim = face[1] + fh * rng.in(p.hatDepth);
        const col = [rng.in([20, 120]), rng.in([20, 100]), rng.in([20, 90])];
        for (let y = 0; y < brim && y < img.height; y++) {
          for (let x = Math.floor(face[0] - fw * 0.25); x < face[2] + fw * 0.25; x++) {
            if (x < 0 || x >= img.width) continue;
            const o = (y * img.width + x) * 3;
            for (let c = 0; c < 3; c++) d[o + c] = col[c]! + ((x + y) % 5);
          }
        }
      }
      addNoise(img, rng.in(p.ordinaryNoise), rng);
      return jpeg(img, rng.int(p.jpeg));
    }
  }
}

export interface KycPair {
  ref: string;
  selfie: string;
  same: boolean;
  fold: number;
  condition: SelfieCondition;
}

/**
 * One pair as the set renders it: the ID card from photo `a`, the selfie from photo `b`
 * under `condition`. Deterministic per (seed, index of the pair in the source's pairs.tsv).
 */
export async function renderPair(a: Buffer, b: Buffer, opts: { seed: number; index: number; condition: SelfieCondition; params: KycParams }): Promise<{ card: Buffer; selfie: Buffer }> {
  const card = await renderCard(a, opts.params.card, new Rng(seedOf(opts.seed, opts.index, 1)));
  const selfie = await renderSelfiePhoto(b, opts);
  return { card, selfie };
}

/** The selfie of pair `index` under `condition` (the same one renderPair makes). */
export async function renderSelfiePhoto(b: Buffer, opts: { seed: number; index: number; condition: SelfieCondition; params: KycParams }): Promise<Buffer> {
  return renderSelfie(b, opts.condition, opts.params.selfie, new Rng(seedOf(opts.seed, opts.index, 2)), new Rng(seedOf(opts.seed, opts.index, 3)));
}

/**
 * `renderings`: every chosen pair's selfie under each of these conditions (one row each,
 * selfies in selfie/CONDITION/, one card per pair) instead of one condition per pair.
 */
export async function generate(opts: { source: string; out: string; seed: number; params: KycParams; folds: [number, number]; limit?: number; renderings?: readonly SelfieCondition[]; resume?: 'render' | 'index-only'; onProgress?: (done: number, total: number) => void }): Promise<KycPair[]> {
  let pairs = readPairsTsv(opts.source).map((p, i) => ({ p, i })).filter(({ p }) => p.fold >= opts.folds[0] && p.fold <= opts.folds[1]);
  if (opts.limit) {
    const step = Math.max(1, Math.floor(pairs.length / opts.limit));
    pairs = pairs.filter((_, j) => j % step === 0).slice(0, opts.limit);
  }
  // Balanced: genuine and impostor pairs each cycle through the conditions (so every fold gets all).
  const counters = new Map<string, number>();
  const chosen = pairs.map(({ p, i }) => {
    const k = String(p.same);
    const n = counters.get(k) ?? 0;
    counters.set(k, n + 1);
    return { p, i, conditions: opts.renderings ?? [CONDITIONS[(n + opts.seed) % CONDITIONS.length]!] };
  });
  const selfiePath = (name: string, c: SelfieCondition): string => (opts.renderings ? `selfie/${c}/${name}` : `selfie/${name}`);
  mkdirSync(join(opts.out, 'ref'), { recursive: true });
  for (const c of opts.renderings ?? []) mkdirSync(join(opts.out, 'selfie', c), { recursive: true });
  mkdirSync(join(opts.out, 'selfie'), { recursive: true });
  const out: KycPair[] = [];
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, availableParallelism()) }, async () => {
      while (next < chosen.length) {
        const { p, i, conditions } = chosen[next++]!;
        const name = `${String(i).padStart(5, '0')}.jpg`;
        // Rendering is deterministic per (seed, index): files already there are kept.
        const have = existsSync(join(opts.out, 'ref', name)) && conditions.every((c) => existsSync(join(opts.out, selfiePath(name, c))));
        const row = (c: SelfieCondition): KycPair => ({ ref: `ref/${name}`, selfie: selfiePath(name, c), same: p.same, fold: p.fold, condition: c });
        if (opts.resume && (have || opts.resume === 'index-only')) {
          if (have) out.push(...conditions.map(row));
          opts.onProgress?.(++done, chosen.length);
          continue;
        }
        const a = readFileSync(join(opts.source, p.a));
        const b = readFileSync(join(opts.source, p.b));
        writeFileSync(join(opts.out, 'ref', name), await renderCard(a, opts.params.card, new Rng(seedOf(opts.seed, i, 1))));
        for (const c of conditions) writeFileSync(join(opts.out, selfiePath(name, c)), await renderSelfiePhoto(b, { seed: opts.seed, index: i, condition: c, params: opts.params }));
        out.push(...conditions.map(row));
        opts.onProgress?.(++done, chosen.length);
      }
    }),
  );
  out.sort((a, b) => a.ref.localeCompare(b.ref) || a.selfie.localeCompare(b.selfie));
  writeFileSync(join(opts.out, 'pairs.tsv'), 'path_a\tpath_b\tsame\tfold\tcondition\n' + out.map((q) => `${q.ref}\t${q.selfie}\t${q.same ? 1 : 0}\t${q.fold}\t${q.condition}`).join('\n') + '\n');
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = get('out');
  if (!out) {
    process.stderr.write('usage: kyc-set --out DIR [--seed N] [--params base|wide] [--source SET_DIR] [--folds A-B] [--limit N] [--renderings dim|NAME,NAME...]\n');
    process.exit(2);
  }
  const paramsName = (get('params') ?? 'base') as 'base' | 'wide';
  const params = PARAM_SETS[paramsName];
  if (!params) throw new Error(`--params must be base or wide`);
  const fv = (get('folds') ?? '1-5').split('-').map(Number);
  const folds: [number, number] = [fv[0]!, fv[1] ?? fv[0]!];
  const seed = Number(get('seed') ?? 1);
  const source = resolve(get('source') ?? '../shared/data/faces/lfw-funneled-dev');
  const limit = get('limit') ? Number(get('limit')) : undefined;
  // --renderings dim: every pair under each of DIM_RENDERINGS (or a comma list of conditions).
  const rv = get('renderings');
  const renderings: SelfieCondition[] | undefined = rv === undefined ? undefined : rv === 'dim' ? [...DIM_RENDERINGS] : (rv.split(',') as SelfieCondition[]);
  const known: readonly string[] = [...CONDITIONS, ...DIM_RENDERINGS];
  const unknown = renderings?.find((c) => !known.includes(c));
  if (unknown !== undefined) {
    process.stderr.write(`kyc-set: unknown rendering '${unknown}'; use dim or a comma list of ${known.join(', ')}\n`);
    process.exit(2);
  }
  // --resume: keep already-rendered pairs; --index-only: only index what is there (a cut-short run).
  const resume = args.includes('--index-only') ? 'index-only' : args.includes('--resume') ? 'render' : undefined;
  const dir = resolve(out);
  if (dir.startsWith(resolve('.')) && !dir.includes('/tmp')) process.stderr.write(`kyc-set: warning: ${dir} is inside the working folder; generated images must not be committed\n`);
  const t = Date.now();
  const pairs = await generate({ source, out: dir, seed, params, folds, limit, renderings, resume, onProgress: (d, n) => { if (d % 200 === 0 || d === n) process.stderr.write(`kyc-set: ${d}/${n} pairs\n`); } });
  writeFileSync(join(dir, 'params.json'), JSON.stringify({ seed, params: paramsName, source, folds, pairs: pairs.length, ranges: params }, null, 1) + '\n');
  process.stderr.write(`kyc-set: ${pairs.length} pairs in ${dir} (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
}

if (process.argv[1] && import.meta.url === `file://${resolve(process.argv[1])}`) void main();
