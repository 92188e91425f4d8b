// Exposure and colour corrections applied inside the pipeline when a photo needs them:
// gain/gamma that brings the face's mean luma to a target (dark rooms, backlight,
// overexposure), grey-world white balance (strong colour casts), and a detection retry on
// a brightened copy when nothing is found. They change only what the landmark and
// embedding models see; quality signals are measured on the photo as sent. Gates and
// strengths are in PipelineConfig.enhance, measured with `eval` (docs/engine.md).
import { lumaGrid, type Box, type RgbImage } from './image.js';

export interface EnhanceConfig {
  /** Master switch (eval compares on/off). */
  on: boolean;
  /** Face mean luma below / above which exposure is corrected. */
  darkBelow: number;
  brightAbove: number;
  /** Face mean luma the correction aims at. */
  target: number;
  /** 'gain': multiply (undoes under-exposure exactly, keeps tones); 'gamma': power curve. */
  mode: 'gain' | 'gamma';
  /** Grey-world white balance when a channel's gain would move by more than this. */
  wb: boolean;
  castAbove: number;
  /** When no face is found: detect again on brightened copies. */
  retryDetect: boolean;
  /** Retry: try the smoothed brightened copy before the unsmoothed ones. */
  retrySmoothFirst: boolean;
  /** Retry: last, a brightened copy smoothed at about the detector's scale (box radius = long side / 100). */
  retryHeavySmooth: boolean;
  /** Retry: faces found on the brightened copy are measured on the photo itself (face-based correction), not on the copy. */
  retryOnOriginal: boolean;
  /**
   * Smoothing of a very dark corrected face: luma box radius in working pixels ('face':
   * one per 112 px of face width, at least 1), and chroma radius = luma radius x
   * `chromaRadius` (0: plain RGB box blur of the luma radius). Sensor noise is strongest
   * in colour, which the embedder needs least.
   */
  denoiseRadius: 'fixed' | 'face';
  chromaRadius: number;
  /** Exposure gain above which the corrected face is also smoothed (box blur radius 1); 0 = never. */
  denoiseAboveGain: number;
  /** A face dark enough to be smoothed is detected again on the corrected image (its box on the dark photo can be far off). */
  redetectDark: boolean;
  /** CLAHE-like local contrast of the face (claheLuma); off by default (test/eval/kyc-research-log.md "CLAHE"). */
  clahe: ClaheConfig;
  /**
   * Black point of a dark face: the face region's luma at this percentile is subtracted
   * before the gain (at most half the face's mean), so a raised black level (a phone's
   * lifted shadows) is not multiplied into the corrected face. Acts only where the
   * dark-face gain acts (face mean below `darkBelow`, mode 'gain'). false = off.
   */
  blackPoint: false | { percentile: number };
}

export const DEFAULT_ENHANCE: EnhanceConfig = {
  on: true,
  darkBelow: 70,
  brightAbove: 215,
  target: 115,
  mode: 'gain',
  // Off by default: grey-world over a whole news photo reads a "cast" of 0.15 (median) to
  // 0.6 (p99) on LFW (coloured backgrounds), so it cannot tell a tungsten room apart.
  wb: false,
  castAbove: 0.45,
  retryDetect: true,
  retryOnOriginal: true,
  // KYC seed 3 dim: 81.4 -> 83.7% not declined, auto-approved 69.8 -> 74.4% (test/eval/kyc-research-log.md).
  retrySmoothFirst: true,
  retryHeavySmooth: true,
  denoiseAboveGain: 3,
  redetectDark: true,
  // Measured on the dim selfies of KYC seed 1 (test/eval/kyc-research-log.md): radius 1 / RGB 82.0% not
  // declined, chroma x3 84.6%, face-scaled radius + chroma x3 87.2% (x5: same >30, fewer >50).
  denoiseRadius: 'face',
  chromaRadius: 3,
  // Off: the best of five measured variants (these settings) moved one genuine pair of 600
  // on the dev set (occlusion, auto-approved) and none on the held-out set, while one more
  // card-vs-selfie impostor pair crossed 30 on each (test/eval/kyc-research-log.md "CLAHE (third pass)").
  clahe: { on: false, target: 'embed', tiles: 4, clip: 1.5, strength: 0.5, sdBelow: 0, bandBelow: 0.45 },
  // Off: percentile 1 gained 4 + 4 of 60 genuine pairs on the lifted dim renderings of the
  // KYC set and lost none elsewhere, but 4 more cross-identity pairs scored above 50
  // (docs/engine-dim.md "Black point before the gain").
  blackPoint: false,
};

/**
 * Separable box blur (radius r, edges clamped): cheap denoising of a brightened dark photo.
 * Running sums, so the cost does not grow with r (dark 1-2 MP photos use radii up to ~16).
 */
export function boxBlur(img: RgbImage, r: number): RgbImage {
  const { width: w, height: h } = img;
  const d = img.data;
  // Integer window sums (exact), divided once at the end.
  const tmp = new Uint32Array(d.length);
  const cl = (v: number, hi: number): number => (v < 0 ? 0 : v > hi ? hi : v);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += d[(row + cl(k, w - 1)) * 3 + c]!;
      for (let x = 0; x < w; x++) {
        tmp[(row + x) * 3 + c] = s;
        s += d[(row + cl(x + r + 1, w - 1)) * 3 + c]! - d[(row + cl(x - r, w - 1)) * 3 + c]!;
      }
    }
  }
  const out = new Uint8Array(d.length);
  const nn = (2 * r + 1) * (2 * r + 1);
  for (let x = 0; x < w; x++) {
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += tmp[(cl(k, h - 1) * w + x) * 3 + c]!;
      for (let y = 0; y < h; y++) {
        out[(y * w + x) * 3 + c] = s / nn + 0.5;
        s += tmp[(cl(y + r + 1, h - 1) * w + x) * 3 + c]! - tmp[(cl(y - r, h - 1) * w + x) * 3 + c]!;
      }
    }
  }
  return { data: out, width: w, height: h };
}

/** Box blur of luma (radius rl) and chroma (radius rc) separately (BT.601 YCbCr). */
export function smoothLumaChroma(img: RgbImage, rl: number, rc: number): RgbImage {
  const n = img.width * img.height;
  const d = img.data;
  const ycc = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = d[i * 3]!;
    const g = d[i * 3 + 1]!;
    const b = d[i * 3 + 2]!;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    ycc[i * 3] = y + 0.5;
    ycc[i * 3 + 1] = Math.min(255, Math.max(0, 128 + 0.564 * (b - y) + 0.5));
    ycc[i * 3 + 2] = Math.min(255, Math.max(0, 128 + 0.713 * (r - y) + 0.5));
  }
  const ys = rl > 0 ? boxBlur({ data: ycc, width: img.width, height: img.height }, rl).data : ycc;
  const cs = rc > 0 ? boxBlur({ data: ycc, width: img.width, height: img.height }, rc).data : ycc;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const y = ys[i * 3]!;
    const cb = cs[i * 3 + 1]! - 128;
    const cr = cs[i * 3 + 2]! - 128;
    out[i * 3] = Math.min(255, Math.max(0, y + 1.402 * cr + 0.5));
    out[i * 3 + 1] = Math.min(255, Math.max(0, y - 0.344 * cb - 0.714 * cr + 0.5));
    out[i * 3 + 2] = Math.min(255, Math.max(0, y + 1.772 * cb + 0.5));
  }
  return { data: out, width: img.width, height: img.height };
}

/**
 * LUT mapping luma `mean` to `target` by a gain (clipped at 255), or by gamma when darkening.
 * With a black point `black` (gain only), levels are first moved down by it (clipped at 0)
 * and the gain maps `mean - black` to the target.
 */
export function exposureLut(mean: number, target: number, mode: 'gain' | 'gamma', black = 0): Uint8Array {
  if (mode === 'gamma' || mean > target) return gammaLut(mean, target);
  const k = Math.min(12, target / Math.max(1, mean - black));
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.min(255, Math.max(0, Math.round((v - black) * k)));
  return lut;
}

/** Luma at percentile `p` (0-100) of `box` in `img` (sampled on a grid of about 40,000 points, as lumaStats). */
export function lumaPercentile(img: RgbImage, box: Box, p: number): number {
  const g = lumaGrid(img, box);
  if (!g) return 0;
  const { x0, y0, x1, y1, step } = g;
  const hist = new Uint32Array(256);
  let n = 0;
  for (let y = y0; y < y1; y += step) {
    for (let x = x0; x < x1; x += step) {
      hist[Math.min(255, Math.round(lumaOf(img.data, (y * img.width + x) * 3)))]!++;
      n++;
    }
  }
  const want = (Math.min(100, Math.max(0, p)) / 100) * n;
  let c = 0;
  for (let v = 0; v < 256; v++) {
    c += hist[v]!;
    if (c >= want && c > 0) return v;
  }
  return 255;
}

/** The black point subtracted before a dark face's gain (0 when the option is off or the face is not dark). */
export function faceBlackPoint(img: RgbImage, box: Box, faceMean: number, cfg: EnhanceConfig): number {
  if (!cfg.on || !cfg.blackPoint || cfg.mode !== 'gain' || !(faceMean < cfg.darkBelow)) return 0;
  // At most half the mean: a flat face (darkest pixels near its mean) is not stretched without bound.
  return Math.min(faceMean / 2, lumaPercentile(img, box, cfg.blackPoint.percentile));
}

/** Gamma LUT mapping luma `mean` to `target` (gamma clamped to 0.3..2.5). */
export function gammaLut(mean: number, target: number): Uint8Array {
  const m = Math.min(250, Math.max(2, mean)) / 255;
  const g = Math.min(2.5, Math.max(0.3, Math.log(target / 255) / Math.log(m)));
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.round(255 * Math.pow(v / 255, g));
  return lut;
}

/** Grey-world channel gains (over a sampled image), clamped to 0.6..1.6, and the largest deviation. */
export function greyWorld(img: RgbImage): { gains: [number, number, number]; cast: number } {
  const d = img.data;
  const n = img.width * img.height;
  const step = Math.max(1, Math.floor(n / 50_000));
  const sum = [0, 0, 0];
  let k = 0;
  for (let i = 0; i < n; i += step) {
    sum[0]! += d[i * 3]!;
    sum[1]! += d[i * 3 + 1]!;
    sum[2]! += d[i * 3 + 2]!;
    k++;
  }
  const mean = (sum[0]! + sum[1]! + sum[2]!) / 3;
  const gains = sum.map((s) => Math.min(1.6, Math.max(0.6, s > 0 ? mean / s : 1))) as [number, number, number];
  return { gains, cast: Math.max(...gains.map((g) => Math.abs(g - 1))) };
}

/** out[c] = lut[v * gain_c]: one pass, new image. */
export function applyColour(img: RgbImage, lut: Uint8Array | null, gains: [number, number, number] | null): RgbImage {
  const luts = [0, 1, 2].map((c) => {
    const t = new Uint8Array(256);
    for (let v = 0; v < 256; v++) {
      const x = Math.min(255, Math.round(v * (gains ? gains[c]! : 1)));
      t[v] = lut ? lut[x]! : x;
    }
    return t;
  });
  const out = new Uint8Array(img.data.length);
  const d = img.data;
  const [l0, l1, l2] = luts as [Uint8Array, Uint8Array, Uint8Array];
  for (let i = 0; i < d.length; i += 3) {
    out[i] = l0[d[i]!]!;
    out[i + 1] = l1[d[i + 1]!]!;
    out[i + 2] = l2[d[i + 2]!]!;
  }
  return { data: out, width: img.width, height: img.height };
}

/**
 * The correction a face needs, from its region's mean luma and the whole image's colour
 * balance; null when it needs none (the common case: most photos are left untouched).
 */
export function faceCorrection(faceMean: number, whole: RgbImage, cfg: EnhanceConfig, black = 0): { lut: Uint8Array | null; gains: [number, number, number] | null; denoise: boolean } | null {
  if (!cfg.on) return null;
  const gw = cfg.wb ? greyWorld(whole) : null;
  const gains = gw && gw.cast > cfg.castAbove ? gw.gains : null;
  const exposure = faceMean < cfg.darkBelow || faceMean > cfg.brightAbove;
  if (!exposure && !gains) return null;
  // A black point only below darkBelow (faceBlackPoint); the smoothing gate reads the gain actually applied.
  const b = faceMean < cfg.darkBelow ? black : 0;
  const denoise = exposure && cfg.denoiseAboveGain > 0 && faceMean - b < cfg.target / cfg.denoiseAboveGain;
  return { lut: exposure ? exposureLut(faceMean, cfg.target, cfg.mode, b) : null, gains, denoise };
}

/**
 * CLAHE-like local contrast equalisation of a face (third pass, test/eval/kyc-research-log.md "CLAHE"):
 * meant for faces with part of them in shadow (tinted glasses, hat brims) or flat after a
 * gain. Applied to what the models see only, and only when `claheGate` says so.
 */
export interface ClaheConfig {
  on: boolean;
  /**
   * 'embed': equalise the aligned 112x112 face only; 'both': equalise the region the
   * landmark model sees, landmarks run again, the embedder sees the equalised warp;
   * 'landmarks': the same second landmark run, but the embedder sees the plain warp.
   */
  target: 'embed' | 'both' | 'landmarks';
  /** Tiles across and down. */
  tiles: number;
  /** Clip limit as a multiple of the mean histogram bin count (1 = plain gain; larger = stronger). */
  clip: number;
  /** Blend of equalised and original luma (1 = fully equalised). */
  strength: number;
  /** Fires when the aligned face's luma sd is below this... */
  sdBelow: number;
  /** ...or its eye band is darker than this fraction of the lower face. */
  bandBelow: number;
}

export const DEFAULT_CLAHE: ClaheConfig = DEFAULT_ENHANCE.clahe;

const lumaOf = (d: Uint8Array, p: number): number => 0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]!;


/** Tile-centre coordinates of a pixel `pos` along one axis (tiles of `size`, `n` of them): it
 *  lies between tile centres `a` and `b`, with weight `w` on `b`. */
function tileBlend(pos: number, size: number, n: number): { a: number; b: number; w: number } {
  const f = Math.min(n - 1, Math.max(0, (pos + 0.5) / size - 0.5));
  const i = Math.min(n - 2, Math.floor(f));
  const a = Math.max(0, i);
  return { a, b: Math.min(n - 1, a + 1), w: n > 1 ? f - a : 0 };
}

/**
 * Contrast-limited adaptive histogram equalisation of luma in `region` (default: the
 * whole image): one clipped-histogram LUT per tile, pixels mapped by the bilinear blend of
 * the four nearest tiles' LUTs. Colour is kept by scaling R, G and B by the luma ratio.
 * Pixels outside the region are copied. Returns a new image.
 */
export function claheLuma(img: RgbImage, opts: { tiles: number; clip: number; strength?: number }, region?: { x: number; y: number; w: number; h: number }): RgbImage {
  const { width: W, height: H, data: d } = img;
  const x0 = Math.max(0, Math.floor(region?.x ?? 0));
  const y0 = Math.max(0, Math.floor(region?.y ?? 0));
  const x1 = Math.min(W, Math.ceil(region ? region.x + region.w : W));
  const y1 = Math.min(H, Math.ceil(region ? region.y + region.h : H));
  const out = new Uint8Array(d);
  const rw = x1 - x0;
  const rh = y1 - y0;
  if (rw < 2 || rh < 2) return { data: out, width: W, height: H };
  const n = Math.max(1, Math.round(opts.tiles));
  const s = opts.strength ?? 1;
  const tw = rw / n;
  const th = rh / n;
  const luts: Float32Array[] = [];
  for (let ty = 0; ty < n; ty++) {
    for (let tx = 0; tx < n; tx++) {
      const hist = new Float64Array(256);
      let count = 0;
      for (let y = y0 + Math.floor(ty * th); y < y0 + Math.floor((ty + 1) * th); y++) {
        for (let x = x0 + Math.floor(tx * tw); x < x0 + Math.floor((tx + 1) * tw); x++) {
          hist[Math.round(lumaOf(d, (y * W + x) * 3))]!++;
          count++;
        }
      }
      const lut = new Float32Array(256);
      if (count === 0) {
        for (let v = 0; v < 256; v++) lut[v] = v;
      } else {
        // Clip each bin at clip x the mean bin count and spread the excess evenly.
        const limit = Math.max(1, (opts.clip * count) / 256);
        let excess = 0;
        for (let v = 0; v < 256; v++) {
          if (hist[v]! > limit) {
            excess += hist[v]! - limit;
            hist[v] = limit;
          }
        }
        const add = excess / 256;
        let c = 0;
        for (let v = 0; v < 256; v++) {
          // Mid-bin CDF: a flat tile maps near its own value, not to the top of its bin.
          const b = hist[v]! + add;
          lut[v] = (255 * (c + b / 2)) / count;
          c += b;
        }
      }
      luts.push(lut);
    }
  }
  for (let y = y0; y < y1; y++) {
    const { a: ya, b: yb, w: wy } = tileBlend(y - y0, th, n);
    for (let x = x0; x < x1; x++) {
      const { a: xa, b: xb, w: wx } = tileBlend(x - x0, tw, n);
      const p = (y * W + x) * 3;
      const l = lumaOf(d, p);
      const v = Math.round(l);
      const top = luts[ya * n + xa]![v]! * (1 - wx) + luts[ya * n + xb]![v]! * wx;
      const bot = luts[yb * n + xa]![v]! * (1 - wx) + luts[yb * n + xb]![v]! * wx;
      const eq = l + s * (top * (1 - wy) + bot * wy - l);
      if (l < 0.5) {
        const g = Math.min(255, Math.max(0, Math.round(eq)));
        out[p] = g;
        out[p + 1] = g;
        out[p + 2] = g;
      } else {
        const k = eq / l;
        out[p] = Math.min(255, Math.round(d[p]! * k));
        out[p + 1] = Math.min(255, Math.round(d[p + 1]! * k));
        out[p + 2] = Math.min(255, Math.round(d[p + 2]! * k));
      }
    }
  }
  return { data: out, width: W, height: H };
}

/**
 * What the gate reads on an aligned 112x112 face: luma sd of the face area, and the eye
 * band's mean luma over the lower face's (nose to chin), low under tinted glasses or a brim.
 */
export function faceContrast(aligned: RgbImage): { sd: number; band: number } {
  const mean = (xa: number, xb: number, ya: number, yb: number): { m: number; m2: number } => {
    let s = 0;
    let s2 = 0;
    let k = 0;
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        const l = lumaOf(aligned.data, (y * aligned.width + x) * 3);
        s += l;
        s2 += l * l;
        k++;
      }
    }
    return { m: s / k, m2: s2 / k };
  };
  const f = aligned.width / 112;
  const r = (v: number): number => Math.round(v * f);
  const face = mean(r(20), r(92), r(24), r(108));
  const eyes = mean(r(24), r(88), r(40), r(62));
  const lower = mean(r(30), r(82), r(66), r(100));
  return { sd: Math.sqrt(Math.max(0, face.m2 - face.m * face.m)), band: eyes.m / Math.max(1, lower.m) };
}

/** Whether CLAHE applies to this aligned face. */
export function claheGate(aligned: RgbImage, cfg: ClaheConfig): boolean {
  if (!cfg.on) return false;
  const { sd, band } = faceContrast(aligned);
  return sd < cfg.sdBelow || band < cfg.bandBelow;
}
