// Shared assertions and synthetic images for the engine tests.
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { FacematchError, type ErrorCode } from '../../src/errors.js';

/** For assert.rejects: a FacematchError with this code, mentioning `mention`, in one short sentence. */
export function expectCode(code: ErrorCode, mention: RegExp): (err: unknown) => boolean {
  return (err: unknown): boolean => {
    assert.ok(err instanceof FacematchError, `expected FacematchError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, mention);
    assert.ok(!err.message.includes('\n') && err.message.length < 300, 'one short sentence');
    return true;
  };
}

/** A JPEG of deterministic noise: a valid image with no face in it. */
export function noiseJpeg(width: number, height: number, quality = 90): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3, 0).map((_, i) => (i * 2654435761) >>> 24);
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}

/**
 * A photo as a dim room gives it: under-exposed by `gain`, plus uniform sensor noise of
 * +-`amp` levels from a seeded LCG, then JPEG. `side`: resized to side x side first.
 */
export async function darkNoisy(photo: Buffer, o: { gain: number; amp: number; seed: number; quality: number; side?: number }): Promise<Buffer> {
  const img = o.side ? sharp(photo).resize(o.side, o.side) : sharp(photo);
  const { data, info } = await img.linear(o.gain, 0).raw().toBuffer({ resolveWithObject: true });
  let s = o.seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = Math.max(0, Math.min(255, data[i]! + ((s >>> 16) % (2 * o.amp + 1)) - o.amp));
  }
  return sharp(data, { raw: info }).jpeg({ quality: o.quality }).toBuffer();
}
