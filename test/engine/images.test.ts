// Bad and unusual images: each a clear FacematchError (or a sensible result), never a crash.
// Every image is generated here with sharp; nothing is committed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { FaceEngine } from '../../src/engine/index.js';
import { facesDir, hasFaces, noFacesReason } from '../helpers/data.js';
import { expectCode, noiseJpeg as makeNoiseJpeg } from '../helpers/engine.js';

const engine = new FaceEngine();
const FACE_A = join(facesDir, 'lfw-funneled-dev', 'images', 'Akhmed_Zakayev', 'Akhmed_Zakayev_0001.jpg');
const FACE_B = join(facesDir, 'lfw-funneled-dev', 'images', 'Akhmed_Zakayev', 'Akhmed_Zakayev_0003.jpg');

let noiseJpeg: Buffer;
before(async () => {
  noiseJpeg = await makeNoiseJpeg(640, 480);
});


/** A PNG whose header claims width x height, made from a 1x1 image (no big allocation). */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toBuffer());
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

test('empty file -> IMAGE_EMPTY naming the image', async () => {
  await assert.rejects(engine.match(Buffer.alloc(0), noiseJpeg), expectCode('IMAGE_EMPTY', /user_image/));
  await assert.rejects(engine.match(noiseJpeg, Buffer.alloc(0)), expectCode('IMAGE_EMPTY', /ref_image/));
});

test('text file renamed .jpg -> IMAGE_UNSUPPORTED', async () => {
  await assert.rejects(engine.match(Buffer.from('this is not a picture\n'), noiseJpeg), expectCode('IMAGE_UNSUPPORTED', /user_image.*JPEG, PNG, WebP or TIFF/));
});

test('truncated JPEG -> IMAGE_CORRUPT', async () => {
  const cut = noiseJpeg.subarray(0, Math.floor(noiseJpeg.length / 2));
  await assert.rejects(engine.match(noiseJpeg, cut), expectCode('IMAGE_CORRUPT', /ref_image.*truncated/));
});

test('6 MB file -> IMAGE_TOO_LARGE before decoding', async () => {
  const big = Buffer.alloc(6 * 1024 * 1024, 7);
  noiseJpeg.copy(big, 0, 0, 200);
  await assert.rejects(engine.match(big, noiseJpeg), expectCode('IMAGE_TOO_LARGE', /user_image.*5 MB/));
});

test('30000x30000 PNG -> IMAGE_DIMENSIONS from the header, without decoding', async () => {
  const bomb = await pngClaiming(30000, 30000);
  assert.ok(bomb.length < 1000);
  const meta = await sharp(bomb, { limitInputPixels: false }).metadata();
  assert.equal(meta.width, 30000);
  await assert.rejects(engine.match(noiseJpeg, bomb), expectCode('IMAGE_DIMENSIONS', /ref_image.*30000x30000/));
});

test('tiny image -> analysed, no face, Declined (as the platform answers); corrupt PNG body -> IMAGE_CORRUPT', async () => {
  for (const side of [1, 8]) {
    const tiny = await sharp({ create: { width: side, height: side, channels: 3, background: '#fff' } }).png().toBuffer();
    const r = await engine.match(tiny, noiseJpeg);
    assert.equal(r.status, 'Declined');
    assert.equal(r.score, null);
    assert.equal(r.user_image.entities.length, 0);
  }
  const good = await sharp(noiseJpeg).png().toBuffer();
  const broken = Buffer.from(good);
  for (let i = 60; i < broken.length - 20; i += 7) broken[i] = broken[i]! ^ 0x5a;
  await assert.rejects(engine.match(broken, noiseJpeg), expectCode('IMAGE_CORRUPT', /user_image/));
});

test('image with no face: Declined, NO_FACE_IN_SELFIE, score null (not an error)', async () => {
  const r = await engine.match(noiseJpeg, noiseJpeg);
  assert.equal(r.status, 'Declined');
  assert.equal(r.score, null);
  assert.deepEqual(r.warnings.map((w) => w.risk), ['NO_FACE_IN_SELFIE']);
  assert.deepEqual(r.user_image.entities, []);
});

test('thresholds out of range -> VALIDATION before any decoding', async () => {
  await assert.rejects(engine.match(noiseJpeg, noiseJpeg, { declineThreshold: 150 }), expectCode('VALIDATION', /0 to 100/));
  await assert.rejects(engine.match(noiseJpeg, noiseJpeg, { mode: 'workflow', declineThreshold: 80, reviewThreshold: 70 }), expectCode('VALIDATION', /review/));
});

test('grayscale, 16-bit PNG, WebP, TIFF and EXIF-rotated versions of a face still match it', { skip: hasFaces ? false : noFacesReason }, async () => {
  const a = readFileSync(FACE_A);
  const b = readFileSync(FACE_B);
  const big = sharp(a).resize(500, 500); // 500x500 so the rotated one is clearly not square-symmetric work
  const variants: Record<string, Buffer> = {
    grayscale: await sharp(a).grayscale().jpeg().toBuffer(),
    png16: await sharp(a).toColourspace('rgb16').png().toBuffer(),
    webp: await sharp(a).webp().toBuffer(),
    tiff: await sharp(a).tiff().toBuffer(),
    // Pixels stored rotated 90° clockwise, EXIF orientation 8 says "rotate back to view".
    exifRotated: await sharp(await big.clone().rotate(90).jpeg().toBuffer()).withMetadata({ orientation: 8 }).jpeg().toBuffer(),
  };
  const meta16 = await sharp(variants.png16!).metadata();
  assert.equal(meta16.depth, 'ushort');
  const ref = await engine.match(a, b);
  assert.equal(ref.status, 'Approved');
  for (const [name, buf] of Object.entries(variants)) {
    const r = await engine.match(buf, b);
    assert.equal(r.status, 'Approved', `${name}: ${JSON.stringify(r.score)}`);
    assert.ok(Math.abs(r.score! - ref.score!) < 10, `${name}: score ${r.score} vs ${ref.score}`);
  }
  // Upright coordinates: the rotated-and-tagged 500x500 face sits where the upright face is.
  const upright = await engine.match(await big.clone().jpeg().toBuffer(), b);
  const rot = await engine.match(variants.exifRotated!, b);
  const [u, v] = [upright.user_image.entities[0]!.bbox, rot.user_image.entities[0]!.bbox];
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(u[i]! - v[i]!) < 12, `bbox ${v} vs upright ${u}`);
});

test('a face rotated without EXIF is found with rotateImage and best_angle says so', { skip: hasFaces ? false : noFacesReason }, async () => {
  const a = readFileSync(FACE_A);
  const sideways = await sharp(a).rotate(90).jpeg().toBuffer();
  const r = await engine.match(sideways, readFileSync(FACE_B), { rotateImage: true });
  assert.equal(r.status, 'Approved');
  assert.notEqual(r.user_image.best_angle, 0);
});

test('concurrent first calls load the models once and all succeed', { skip: hasFaces ? false : noFacesReason }, async () => {
  const fresh = new FaceEngine();
  const a = readFileSync(FACE_A);
  const b = readFileSync(FACE_B);
  const rs = await Promise.all([fresh.match(a, b), fresh.match(b, a), fresh.embed(a), fresh.load()]);
  assert.equal((rs[0] as { status: string }).status, 'Approved');
  assert.equal((rs[1] as { status: string }).status, 'Approved');
});

test('missing model files -> MODELS_MISSING telling to run npm install', async () => {
  const e = new FaceEngine({ modelsDir: '/nonexistent-models-dir' });
  await assert.rejects(e.load(), expectCode('MODELS_MISSING', /npm install/));
  await assert.rejects(e.match(noiseJpeg, noiseJpeg), expectCode('MODELS_MISSING', /npm install/));
});

test('large photo: bboxes in original pixels, small face refined from full resolution', { skip: hasFaces ? false : noFacesReason }, async () => {
  const a = readFileSync(FACE_A);
  const b = readFileSync(FACE_B);
  // 3000x2000 "ID scan" (6 MP, decoded at 1/4) with the 250x250 photo pasted at (2100, 300):
  // the face is ~110 px in the original, ~28 px at the working resolution.
  const card = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#e6e2d8' } })
    .composite([{ input: a, left: 2100, top: 300 }])
    .jpeg({ quality: 90 })
    .toBuffer();
  assert.ok(card.length < 5 * 1024 * 1024);
  const r = await engine.match(card, b);
  const [x1, y1, x2, y2] = r.user_image.entities[0]!.bbox;
  assert.ok(x1 >= 2100 && x2 <= 2350 && y1 >= 300 && y2 <= 550, `bbox ${[x1, y1, x2, y2]} should lie inside the pasted photo`);
  assert.ok(x2 - x1 > 60, 'box covers the face, not a speck');
  assert.equal(r.status, 'Approved', `score ${r.score}`);
  const direct = await engine.match(a, b);
  assert.ok(Math.abs(r.score! - direct.score!) < 8, `score ${r.score} vs ${direct.score} on the photo itself`);
});
