// Alignment: least-squares similarity transform (Umeyama, no reflection) of the 5 points
// onto the embedder's template (the ArcFace 112x112 one), then a bilinear warp.
import { bilinearInto, resampleRegion, type RgbImage } from './image.js';
import { fivePoints, type Point } from './landmarks.js';
import { EMBEDDER } from './embedder.js';

export const ALIGN_SIZE = EMBEDDER.size;
export const ARCFACE_TEMPLATE: Point[] = EMBEDDER.template;

/** dst ≈ [a -b; b a] * src + [tx; ty]. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * Least-squares similarity from src to dst. For 2-D similarities the Umeyama solution
 * without reflection reduces to this closed form (centred points, complex-number ratio).
 */
export function fitSimilarity(src: Point[], dst: Point[]): Similarity {
  const n = src.length;
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i]![0]; msy += src[i]![1]; mdx += dst[i]![0]; mdy += dst[i]![1];
  }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i]![0] - msx, sy = src[i]![1] - msy;
    const dx = dst[i]![0] - mdx, dy = dst[i]![1] - mdy;
    num1 += sx * dx + sy * dy;
    num2 += sx * dy - sy * dx;
    den += sx * sx + sy * sy;
  }
  const a = den > 0 ? num1 / den : 1;
  const b = den > 0 ? num2 / den : 0;
  return { a, b, tx: mdx - (a * msx - b * msy), ty: mdy - (b * msx + a * msy) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return [t.a * p[0] - t.b * p[1] + t.tx, t.b * p[0] + t.a * p[1] + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/**
 * Warps the face to the embedder's ALIGN_SIZE x ALIGN_SIZE RGB. When the source face is much larger than the template
 * (scale < 0.6), the surrounding region is first area-downsampled so bilinear sampling
 * does not alias.
 */
export function warpAligned(img: RgbImage, pts5: Point[]): RgbImage {
  let src = img;
  let pts = pts5;
  let offX = 0, offY = 0, k = 1;
  const t0 = fitSimilarity(pts5, ARCFACE_TEMPLATE);
  const scale = Math.hypot(t0.a, t0.b);
  if (scale < 0.6) {
    // Region of the source that maps into the output (with margin), shrunk to ~1:1.
    const inv0 = invertSimilarity(t0);
    const corners = [[0, 0], [ALIGN_SIZE, 0], [0, ALIGN_SIZE], [ALIGN_SIZE, ALIGN_SIZE]].map((c) => applySimilarity(inv0, c as Point));
    const xs = corners.map((c) => c[0]);
    const ys = corners.map((c) => c[1]);
    offX = Math.floor(Math.min(...xs)) - 2;
    offY = Math.floor(Math.min(...ys)) - 2;
    const w = Math.ceil(Math.max(...xs)) + 2 - offX;
    const h = Math.ceil(Math.max(...ys)) + 2 - offY;
    k = 1 / scale; // source px per output px
    const outW = Math.max(1, Math.round(w / k));
    const outH = Math.max(1, Math.round(h / k));
    src = resampleRegion(img, offX, offY, w, h, outW, outH);
    const kx = w / outW;
    const ky = h / outH;
    // Pixel-centre convention: source centre (i+0.5)*kx - 0.5 ↔ reduced index i.
    pts = pts5.map((p) => [(p[0] + 0.5 - offX) / kx - 0.5, (p[1] + 0.5 - offY) / ky - 0.5] as Point);
  }
  const inv = invertSimilarity(fitSimilarity(pts, ARCFACE_TEMPLATE));
  const out = new Uint8Array(ALIGN_SIZE * ALIGN_SIZE * 3);
  const px = new Float32Array(3);
  for (let v = 0; v < ALIGN_SIZE; v++) {
    for (let u = 0; u < ALIGN_SIZE; u++) {
      const sx = inv.a * u - inv.b * v + inv.tx;
      const sy = inv.b * u + inv.a * v + inv.ty;
      const o = (v * ALIGN_SIZE + u) * 3;
      if (sx < -1 || sy < -1 || sx > src.width || sy > src.height) {
        out[o] = out[o + 1] = out[o + 2] = 0;
        continue;
      }
      bilinearInto(src, sx, sy, px, 0);
      out[o] = px[0]! + 0.5;
      out[o + 1] = px[1]! + 0.5;
      out[o + 2] = px[2]! + 0.5;
    }
  }
  return { data: out, width: ALIGN_SIZE, height: ALIGN_SIZE };
}

/** The face whose 68 landmarks (pixel-edge coordinates) are `pts68`, aligned for the embedder. */
export function alignFace(img: RgbImage, pts68: Point[]): RgbImage {
  // The warp samples at pixel centres.
  return warpAligned(img, fivePoints(pts68).map((p) => [p[0] - 0.5, p[1] - 0.5] as Point));
}
