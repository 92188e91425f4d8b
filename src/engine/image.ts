// Small in-memory RGB image and the few pixel operations the pipeline does in JavaScript.
// They only ever run on small regions (a face crop, a 112x112 warp), never on a full photo.

/** Interleaved 8-bit RGB. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export type Box = [number, number, number, number];

/**
 * Resamples the region [x0,y0,x0+w,y0+h) (may extend past the image; outside reads the
 * nearest edge pixel) to outW x outH. Area-averages when shrinking (no aliasing), bilinear
 * when enlarging. Returns RGB.
 */
export function resampleRegion(img: RgbImage, x0: number, y0: number, w: number, h: number, outW: number, outH: number): RgbImage {
  const out = new Uint8Array(outW * outH * 3);
  const sx = w / outW;
  const sy = h / outH;
  if (sx <= 1.25 && sy <= 1.25) {
    // Bilinear with pixel-centre alignment.
    for (let v = 0; v < outH; v++) {
      const fy = y0 + (v + 0.5) * sy - 0.5;
      for (let u = 0; u < outW; u++) {
        const fx = x0 + (u + 0.5) * sx - 0.5;
        bilinearInto(img, fx, fy, out, (v * outW + u) * 3);
      }
    }
    return { data: out, width: outW, height: outH };
  }
  // Area average: each output pixel averages the (integer-sampled) source cells it covers.
  const { data, width, height } = img;
  const stepX = Math.max(1, Math.floor(sx));
  const stepY = Math.max(1, Math.floor(sy));
  for (let v = 0; v < outH; v++) {
    const ya = y0 + v * sy;
    for (let u = 0; u < outW; u++) {
      const xa = x0 + u * sx;
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let j = 0; j < stepY; j++) {
        const yy = clampInt(Math.floor(ya + (j + 0.5) * (sy / stepY)), height);
        const row = yy * width;
        for (let i = 0; i < stepX; i++) {
          const xx = clampInt(Math.floor(xa + (i + 0.5) * (sx / stepX)), width);
          const p = (row + xx) * 3;
          r += data[p]!;
          g += data[p + 1]!;
          b += data[p + 2]!;
          n++;
        }
      }
      const o = (v * outW + u) * 3;
      out[o] = (r / n + 0.5) | 0;
      out[o + 1] = (g / n + 0.5) | 0;
      out[o + 2] = (b / n + 0.5) | 0;
    }
  }
  return { data: out, width: outW, height: outH };
}

function clampInt(v: number, size: number): number {
  return v < 0 ? 0 : v >= size ? size - 1 : v;
}

/** Bilinear sample at (fx, fy) with edge clamping, written as RGB into out[o..o+2]. */
export function bilinearInto(img: RgbImage, fx: number, fy: number, out: Uint8Array | Float32Array, o: number): void {
  const { data, width, height } = img;
  let x = fx < 0 ? 0 : fx > width - 1 ? width - 1 : fx;
  let y = fy < 0 ? 0 : fy > height - 1 ? height - 1 : fy;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = x0 + 1 < width ? x0 + 1 : x0;
  const y1 = y0 + 1 < height ? y0 + 1 : y0;
  x -= x0;
  y -= y0;
  const p00 = (y0 * width + x0) * 3;
  const p01 = (y0 * width + x1) * 3;
  const p10 = (y1 * width + x0) * 3;
  const p11 = (y1 * width + x1) * 3;
  const w00 = (1 - x) * (1 - y);
  const w01 = x * (1 - y);
  const w10 = (1 - x) * y;
  const w11 = x * y;
  for (let c = 0; c < 3; c++) {
    out[o + c] = data[p00 + c]! * w00 + data[p01 + c]! * w01 + data[p10 + c]! * w10 + data[p11 + c]! * w11;
  }
}
