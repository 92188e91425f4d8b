// Decoding: type by magic bytes, size and pixel limits, EXIF orientation, and a capped
// working resolution reached with sharp's shrink-on-load (JPEG/WebP decode at 1/2, 1/4,
// 1/8 directly) so a 12 MP photo is never expanded in full.
import sharp from 'sharp';
import { FacematchError, type ErrorCode } from '../errors.js';
import type { RgbImage } from './image.js';
import { sniffFormat, type ImageFormat } from './image-format.js';

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Decompression-bomb guard, checked from the header before any pixel is decoded. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** Any decodable image is analysed: one too small to hold a face simply has none, and the
 *  platform answers that with a Declined result (200), not a refusal. Only empty sides fail. */
export const MIN_IMAGE_SIDE = 1;
/** The working image's long side stays at least this (shrink-on-load never goes below it)... */
export const WORK_MIN_SIDE = 640;
/** ...and at most this. */
export const WORK_MAX_SIDE = 1280;

// Each photo is decoded once, so libvips' operation cache would only hold memory.
sharp.cache(false);

export interface DecodedImage {
  /** Working-resolution RGB (EXIF orientation applied). */
  image: RgbImage;
  /** Original pixels per working pixel (>= 1); bboxes are multiplied by it for reporting. */
  scale: number;
  /** Size of the upright original image. */
  width: number;
  height: number;
  format: ImageFormat;
  /** The encoded bytes, kept to re-decode a face region at full resolution. */
  source: Buffer;
  /** Which image this is in error messages ("user_image", "ref_image", "image"). */
  label: string;
}


/** Names common formats that are not accepted, so the error can say what the file is. */
function describeUnsupported(buf: Buffer): string | null {
  const head = buf.toString('latin1', 0, Math.min(buf.length, 256));
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'a GIF';
  if (head.startsWith('BM') && buf.length >= 18 && [12, 40, 52, 56, 64, 108, 124].includes(buf.readUInt32LE(14))) return 'a BMP';
  if (head.startsWith('%PDF')) return 'a PDF';
  if (buf.length >= 12 && head.slice(4, 8) === 'ftyp') {
    const brand = head.slice(8, 12);
    if (/^(avif|avis)$/.test(brand)) return 'an AVIF';
    if (/^(heic|heix|heim|heis|hevc|hevx|mif1|msf1)$/.test(brand)) return 'a HEIC/HEIF';
    return 'an ISO media (MP4/MOV/HEIF family)';
  }
  if (/^\s*</.test(head) && /<svg[\s>]/i.test(head)) return 'an SVG';
  if (buf.length >= 4 && buf[0] === 0 && buf[1] === 0 && buf[2] === 1 && buf[3] === 0) return 'an ICO';
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0x0a) return 'a JPEG XL';
  if (head.startsWith('\x00\x00\x00\x0cJXL ')) return 'a JPEG XL';
  if (head.startsWith('8BPS')) return 'a Photoshop (PSD)';
  return null;
}

/**
 * The image bytes as a Buffer. Any Uint8Array is accepted as is (no copy); anything else
 * (a string, a file path, base64, null) is refused with a sentence saying what to send.
 */
export function asImageBuffer(value: unknown, label = 'image'): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value === undefined || value === null) {
    throw imageError('IMAGE_EMPTY', label, `${label} is missing; send the photo's bytes (a JPEG, PNG, WebP or TIFF file).`);
  }
  const kind = typeof value === 'string' ? 'a string' : value instanceof ArrayBuffer ? 'an ArrayBuffer' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  throw new FacematchError('VALIDATION', `${label} must be the image file's bytes (a Buffer or Uint8Array), not ${kind}; read the file (or decode the base64) first.`, { fields: label === 'image' ? undefined : { [label]: [`must be image bytes, not ${kind}`] } });
}

type SharpPipeline = ReturnType<typeof sharp>;

/** An image error; when the label is a request field it is also reported under that field. */
function imageError(code: ErrorCode, label: string, message: string, options: { cause?: unknown } = {}): FacematchError {
  const fields = label === 'image' ? undefined : { [label]: [message] };
  return new FacematchError(code, message, { ...options, fields });
}

function sharpOf(buf: Buffer): SharpPipeline {
  // failOn 'truncated': a cut-off file is an error, minor encoder quirks are not.
  return sharp(buf, { failOn: 'truncated', limitInputPixels: MAX_IMAGE_PIXELS, sequentialRead: true });
}

/** The IMAGE_UNSUPPORTED error for bytes that are not a JPEG, PNG, WebP or TIFF, or null when they are one. */
export function formatProblem(buf: Buffer, label = 'image'): FacematchError | null {
  return sniffFormat(buf) ? null : unsupportedFormat(buf, label);
}

function unsupportedFormat(buf: Buffer, label: string): FacematchError {
  const what = describeUnsupported(buf);
  return imageError(
    'IMAGE_UNSUPPORTED',
    label,
    what
      ? `${label} is ${what} file; only JPEG, PNG, WebP and TIFF are accepted, so convert it to JPEG or PNG first.`
      : `${label} is not a JPEG, PNG, WebP or TIFF image (its bytes do not start like one of those formats).`,
  );
}

/** Header-only checks. Throws FacematchError naming `label` ("user_image", "image"...). */
export async function probeImage(input: Buffer | Uint8Array, label = 'image'): Promise<{ format: ImageFormat; width: number; height: number }> {
  const buf = asImageBuffer(input, label);
  if (buf.length === 0) throw imageError('IMAGE_EMPTY', label, `${label} is empty (0 bytes); send a JPEG, PNG, WebP or TIFF photo.`);
  if (buf.length > MAX_IMAGE_BYTES) throw imageError('IMAGE_TOO_LARGE', label, tooLargeMessage(label, buf.length));
  const format = sniffFormat(buf);
  if (!format) throw unsupportedFormat(buf, label);
  let meta: Awaited<ReturnType<SharpPipeline['metadata']>>;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw imageError('IMAGE_CORRUPT', label, `${label} looks like ${format.toUpperCase()} but its header cannot be read; the file is damaged or incomplete.`, { cause: err });
  }
  let width = meta.width ?? 0;
  let height = meta.height ?? 0;
  // EXIF orientations 5-8 swap the sides (values outside 1-8 are ignored, as libvips does).
  const orientation = meta.orientation ?? 1;
  if (orientation >= 5 && orientation <= 8) [width, height] = [height, width];
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw imageError('IMAGE_DIMENSIONS', label, `${label} is ${width}x${height} pixels; each side must be at least ${MIN_IMAGE_SIDE} pixels.`);
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    throw imageError('IMAGE_DIMENSIONS', label, `${label} is ${width}x${height} pixels (${((width * height) / 1e6).toFixed(0)} MP); the limit is ${MAX_IMAGE_PIXELS / 1e6} MP, so downscale it.`);
  }
  return { format, width, height };
}

/** "is 5242881 bytes" near the limit (where "5.0 MB" would read as allowed), MB above it. */
export function tooLargeMessage(label: string, bytes: number): string {
  const size = bytes < MAX_IMAGE_BYTES + 0.05 * 1048576 ? `${bytes} bytes` : `${(bytes / 1048576).toFixed(1)} MB`;
  return `${label} is ${size}; the limit is 5 MB (${MAX_IMAGE_BYTES} bytes) per image, so resize or recompress it.`;
}

/** The file lacks its format's end marker (JPEG EOI, PNG IEND): it was cut off. */
function endsEarly(buf: Buffer | undefined, format: ImageFormat): boolean {
  if (!buf) return false;
  // Trailing bytes after the marker are common (padding, appended data): look near the end.
  const tail = buf.subarray(Math.max(0, buf.length - 64 * 1024));
  if (format === 'jpeg') return tail.lastIndexOf(Buffer.from([0xff, 0xd9])) < 0;
  if (format === 'png') return tail.lastIndexOf(Buffer.from('IEND', 'latin1')) < 0;
  return false;
}

function corrupt(label: string, format: ImageFormat, err: unknown, buf?: Buffer): FacematchError {
  const msg = err instanceof Error ? err.message : String(err);
  // libvips' message decides first; the end marker covers messages lost when several
  // threads decode at once (libvips keeps one error buffer per process).
  const truncated = /truncat|premature|end of (file|input)|unexpected end/i.test(msg) || endsEarly(buf, format);
  const why = truncated ? 'is truncated (the file ends early)' : 'cannot be decoded (the data is damaged)';
  return imageError('IMAGE_CORRUPT', label, `${label} is a ${format.toUpperCase()} file that ${why}; re-export or re-upload it.`, { cause: err });
}

/**
 * sRGB as it is displayed: transparency is composited over white (what a browser shows),
 * so pixels hidden under alpha 0 are never analysed. Opaque images are unchanged.
 */
function visible(pipeline: SharpPipeline): SharpPipeline {
  return pipeline.flatten({ background: '#ffffff' }).toColourspace('srgb');
}

/** Converts sharp raw output with 1-4 channels to 8-bit RGB. */
function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  if (channels === 3) return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
  const out = new Uint8Array(width * height * 3);
  const n = width * height;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    const o = i * 3;
    if (channels <= 2) {
      out[o] = out[o + 1] = out[o + 2] = data[s]!;
    } else {
      out[o] = data[s]!;
      out[o + 1] = data[s + 1]!;
      out[o + 2] = data[s + 2]!;
    }
  }
  return { data: out, width, height };
}

/** Decodes at the working resolution. */
export async function decodeImage(buf: Buffer, label = 'image'): Promise<DecodedImage> {
  const { format, width, height } = await probeImage(buf, label);
  const long = Math.max(width, height);
  // Largest power-of-two shrink that keeps the long side >= WORK_MIN_SIDE (what JPEG/WebP
  // shrink-on-load does for free), then a final resample if still above WORK_MAX_SIDE.
  let shrink = 1;
  while (shrink < 8 && long / (shrink * 2) >= WORK_MIN_SIDE) shrink *= 2;
  let target = long / shrink;
  if (target > WORK_MAX_SIDE) target = WORK_MAX_SIDE;
  const scale = long / target;
  const outW = Math.max(1, Math.round(width / scale));
  const outH = Math.max(1, Math.round(height / scale));
  let pipeline = sharpOf(buf).autoOrient();
  if (outW !== width || outH !== height) {
    pipeline = pipeline.resize(outW, outH, { fit: 'fill', fastShrinkOnLoad: true, kernel: 'linear' });
  }
  try {
    const { data, info } = await visible(pipeline).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const image = toRgb(data, info.width, info.height, info.channels);
    return { image, scale: width / info.width, width, height, format, source: buf, label };
  } catch (err) {
    throw corrupt(label, format, err, buf);
  }
}

/**
 * Decodes one region of the upright original at (up to) full resolution, downscaled so
 * its long side is at most maxSide. Used to refine small faces.
 */
export async function decodeRegion(src: DecodedImage, left: number, top: number, w: number, h: number, maxSide: number): Promise<{ image: RgbImage; scale: number; left: number; top: number }> {
  const l = Math.max(0, Math.floor(left));
  const t = Math.max(0, Math.floor(top));
  const ww = Math.min(src.width - l, Math.ceil(w));
  const hh = Math.min(src.height - t, Math.ceil(h));
  const k = Math.max(1, Math.max(ww, hh) / maxSide);
  const outW = Math.max(1, Math.round(ww / k));
  const outH = Math.max(1, Math.round(hh / k));
  let pipeline = sharpOf(src.source).autoOrient().extract({ left: l, top: t, width: ww, height: hh });
  if (outW !== ww || outH !== hh) pipeline = pipeline.resize(outW, outH, { fit: 'fill', kernel: 'linear' });
  try {
    const { data, info } = await visible(pipeline).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { image: toRgb(data, info.width, info.height, info.channels), scale: ww / info.width, left: l, top: t };
  } catch (err) {
    throw corrupt(src.label, src.format, err, src.source);
  }
}
