// Small in-memory RGB image and the few pixel operations the pipeline does in JavaScript:
// resampling and crops of face regions, mirror, and the 90-degree rotations of the working
// image (rotate_image).

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

/** Left-right mirror. */
export function mirrorImage(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  const { width: w, height: h, data } = img;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      const o = (y * w + (w - 1 - x)) * 3;
      out[o] = data[s]!;
      out[o + 1] = data[s + 1]!;
      out[o + 2] = data[s + 2]!;
    }
  }
  return { data: out, width: w, height: h };
}

/** Clockwise rotation by 90, 180 or 270 degrees. */
export function rotateImage(img: RgbImage, angle: 90 | 180 | 270): RgbImage {
  const { width: w, height: h, data } = img;
  const [ow, oh] = angle === 180 ? [w, h] : [h, w];
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Clockwise rotation by `angle`.
      let nx: number, ny: number;
      if (angle === 90) [nx, ny] = [h - 1 - y, x];
      else if (angle === 180) [nx, ny] = [w - 1 - x, h - 1 - y];
      else [nx, ny] = [y, w - 1 - x];
      const s = (y * w + x) * 3;
      const o = (ny * ow + nx) * 3;
      out[o] = data[s]!;
      out[o + 1] = data[s + 1]!;
      out[o + 2] = data[s + 2]!;
    }
  }
  return { data: out, width: ow, height: oh };
}

/** Maps a box in the image rotated clockwise by `angle` back to the unrotated w x h image. */
export function unrotateBox(b: Box, angle: number, w: number, h: number): Box {
  const corners: Array<[number, number]> = [[b[0], b[1]], [b[2], b[1]], [b[0], b[3]], [b[2], b[3]]];
  const back = corners.map(([nx, ny]): [number, number] => {
    if (angle === 90) return [ny, h - nx]; // nx = h - y, ny = x
    if (angle === 180) return [w - nx, h - ny];
    if (angle === 270) return [w - ny, nx]; // nx = y, ny = w - x
    return [nx, ny];
  });
  const xs = back.map((p) => p[0]);
  const ys = back.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Integer crop with edge replication (no resampling). */
export function cropRegion(img: RgbImage, x0: number, y0: number, w: number, h: number): RgbImage {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, y0 + y));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, x0 + x));
      const s = (sy * img.width + sx) * 3;
      const o = (y * w + x) * 3;
      out[o] = img.data[s]!;
      out[o + 1] = img.data[s + 1]!;
      out[o + 2] = img.data[s + 2]!;
    }
  }
  return { data: out, width: w, height: h };
}

/**
 * The sampling grid the luma statistics read: `box` clipped to the image (the whole image
 * without one), every `step`-th pixel so about 40,000 are read; null when nothing is left.
 */
export function lumaGrid(img: RgbImage, box?: Box): { x0: number; y0: number; x1: number; y1: number; step: number } | null {
  const x0 = Math.max(0, Math.floor(box ? box[0] : 0));
  const y0 = Math.max(0, Math.floor(box ? box[1] : 0));
  const x1 = Math.min(img.width, Math.ceil(box ? box[2] : img.width));
  const y1 = Math.min(img.height, Math.ceil(box ? box[3] : img.height));
  if (x1 <= x0 || y1 <= y0) return null;
  return { x0, y0, x1, y1, step: Math.max(1, Math.floor(Math.sqrt(((x1 - x0) * (y1 - y0)) / 40_000))) };
}
