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
