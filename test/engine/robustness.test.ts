// Regression tests for robustness bugs found by attacking the engine and the match CLI:
// non-Buffer inputs, unsupported formats named, the exact 5 MB boundary, hidden pixels
// under transparency, EXIF orientations with the full-resolution refine, a dying helper
// worker, close() during a match, and CLI paths that are not regular files.
// Every image is generated here with sharp; nothing is committed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { FaceEngine, MAX_IMAGE_BYTES } from '../../src/engine/index.js';
import { EnginePool } from '../../src/engine/pool.js';
import { FacematchError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { facesDir, hasFaces, noFacesReason } from '../helpers/data.js';
import { expectCode, noiseJpeg as makeNoiseJpeg } from '../helpers/engine.js';

const FACE_A = join(facesDir, 'lfw-funneled-dev', 'images', 'Akhmed_Zakayev', 'Akhmed_Zakayev_0001.jpg');
const FACE_B = join(facesDir, 'lfw-funneled-dev', 'images', 'Akhmed_Zakayev', 'Akhmed_Zakayev_0003.jpg');
const skipFaces = hasFaces ? false : noFacesReason;

const engine = new FaceEngine();
let noiseJpeg: Buffer;
before(async () => {
  noiseJpeg = await makeNoiseJpeg(320, 240, 80);
});
after(() => engine.close());


test('a Uint8Array is image bytes; a string or number is refused with a sentence (also by embed)', async () => {
  const r = await engine.match(new Uint8Array(noiseJpeg), noiseJpeg);
  assert.equal(r.status, 'Declined');
  const asString = noiseJpeg.toString('latin1') as unknown as Buffer;
  await assert.rejects(engine.match(asString, noiseJpeg), expectCode('VALIDATION', /user_image.*Buffer or Uint8Array.*not a string/));
  await assert.rejects(engine.match(noiseJpeg, 42 as unknown as Buffer), expectCode('VALIDATION', /ref_image.*not a number/));
  // Before the fix embed() crashed with a TypeError on a long string.
  await assert.rejects(engine.embed(asString), expectCode('VALIDATION', /not a string/));
  await assert.rejects(engine.match(null as unknown as Buffer, noiseJpeg), expectCode('IMAGE_EMPTY', /user_image is missing/));
});

test('GIF, BMP, AVIF, SVG and PDF are IMAGE_UNSUPPORTED and the error names what the file is', async () => {
  const bmp = Buffer.alloc(16 * 16 * 3 + 54);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(16, 18);
  bmp.writeInt32LE(16, 22);
  const files: Array<[string, Buffer]> = [
    ['GIF', await sharp(noiseJpeg).gif().toBuffer()],
    ['BMP', bmp],
    ['AVIF', await sharp(noiseJpeg).avif().toBuffer()],
    ['SVG', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"/>')],
    ['PDF', Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n')],
  ];
  for (const [name, buf] of files) {
    await assert.rejects(engine.match(buf, noiseJpeg), expectCode('IMAGE_UNSUPPORTED', new RegExp(`user_image is an? ${name}.*JPEG, PNG, WebP and TIFF`)));
  }
});

test('exactly 5 MB is accepted; one byte more is refused with the byte count', async () => {
  const exact = Buffer.alloc(MAX_IMAGE_BYTES);
  noiseJpeg.copy(exact);
  const r = await engine.match(exact, noiseJpeg);
  assert.equal(r.status, 'Declined');
  const over = Buffer.alloc(MAX_IMAGE_BYTES + 1);
  noiseJpeg.copy(over);
  // Before the fix the message read "is 5.0 MB; the limit is 5 MB".
  await assert.rejects(engine.match(noiseJpeg, over), expectCode('IMAGE_TOO_LARGE', new RegExp(`ref_image is ${MAX_IMAGE_BYTES + 1} bytes; the limit is 5 MB \\(${MAX_IMAGE_BYTES} bytes\\)`)));
});

test('both images are checked before work starts: a bad user_image fails before ref_image is analysed', async () => {
  const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(64, 1)]);
  // Both bad: the user_image error is always the one reported.
  for (let i = 0; i < 3; i++) await assert.rejects(engine.match(gif, Buffer.from('not an image')), expectCode('IMAGE_UNSUPPORTED', /user_image/));
  await assert.rejects(engine.match(noiseJpeg, gif), expectCode('IMAGE_UNSUPPORTED', /ref_image/));
});

test('pixels under full transparency are not analysed: a transparent face is no face', { skip: skipFaces }, async () => {
  const a = readFileSync(FACE_A);
  const b = readFileSync(FACE_B);
  // RGB of the face kept, alpha 0 everywhere: a viewer shows an empty picture.
  const hidden = await sharp(a).ensureAlpha(0).png().toBuffer();
  const r = await engine.match(hidden, b);
  assert.equal(r.score, null, `hidden face matched with score ${r.score}`);
  assert.deepEqual(r.user_image.entities, []);
  // Opaque alpha (and 16-bit RGBA) still matches.
  for (const buf of [await sharp(a).ensureAlpha(1).png().toBuffer(), await sharp(a).ensureAlpha(1).toColourspace('rgb16').png().toBuffer()]) {
    const ok = await engine.match(buf, b);
    assert.equal(ok.status, 'Approved', `score ${ok.score}`);
  }
});

test('every EXIF orientation 1-8 of a large photo: face found, bbox in upright display coordinates', { skip: skipFaces }, async () => {
  const a = readFileSync(FACE_A);
  const b = readFileSync(FACE_B);
  // 2600x1700 upright: decoded at 1/4, so the small face goes through the full-resolution region refine.
  const W = 2600;
  const H = 1700;
  const upright = await sharp({ create: { width: W, height: H, channels: 3, background: '#c8d0c0' } })
    .composite([{ input: a, left: W - 280, top: 40 }])
    .removeAlpha()
    .png()
    .toBuffer();
  const ref = (await engine.match(await sharp(upright).jpeg().toBuffer(), b)).user_image.entities[0]!.bbox;
  // Stored pixels = inverse of the display transform of each orientation (sharp flops before rotating).
  const stored: Record<number, { rotate: number; flop: boolean }> = {
    2: { rotate: 0, flop: true }, 3: { rotate: 180, flop: false }, 4: { rotate: 180, flop: true }, 5: { rotate: 270, flop: true },
    6: { rotate: 270, flop: false }, 7: { rotate: 90, flop: true }, 8: { rotate: 90, flop: false },
  };
  for (const [o, t] of Object.entries(stored)) {
    let s = sharp(upright).rotate(t.rotate);
    if (t.flop) s = s.flop();
    const jpg = await sharp(await s.png().toBuffer()).jpeg().withMetadata({ orientation: Number(o) }).toBuffer();
    const shown = await sharp(jpg).autoOrient().metadata();
    assert.equal(shown.autoOrient.width, W, `orientation ${o} test image`);
    const r = await engine.match(jpg, b);
    assert.equal(r.status, 'Approved', `orientation ${o}: score ${r.score}`);
    const box = r.user_image.entities[0]!.bbox;
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(box[i]! - ref[i]!) <= 4, `orientation ${o}: bbox ${box} vs upright ${ref}`);
  }
});

test('a worker killed while idle: the next match works (a new pool or this thread)', { skip: skipFaces }, async () => {
  const e = new FaceEngine({ parallel: true });
  try {
    const a = readFileSync(FACE_A);
    const b = readFileSync(FACE_B);
    assert.equal((await e.match(a, b)).status, 'Approved');
    const pool = (e as unknown as { pool: { slots: Array<{ worker: { terminate(): Promise<number> } }> } | null }).pool;
    assert.ok(pool, 'the engine started its worker pool');
    await pool.slots[0]!.worker.terminate();
    const r = await e.match(a, b);
    assert.equal(r.status, 'Approved');
  } finally {
    await e.close();
  }
});

test('a worker that exits rejects its pending call and later calls at once (never hangs)', async () => {
  const pool = new EnginePool(1, {});
  try {
    await pool.load();
    assert.equal(pool.alive, true);
    // Terminated in the same tick the call is posted, before the worker can start native work.
    const pending = pool.analyze(noiseJpeg, 'ref_image');
    const slot = (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots[0]!;
    void slot.worker.terminate();
    await assert.rejects(pending, /worker stopped/);
    assert.equal(pool.alive, false);
    await assert.rejects(pool.analyze(noiseJpeg, 'ref_image'), /worker unavailable/);
  } finally {
    await pool.close();
  }
});

test('close() while matches are in flight lets them finish (no hang, no native abort)', { skip: skipFaces }, async () => {
  const e = new FaceEngine({ parallel: true });
  const a = readFileSync(FACE_A);
  const b = readFileSync(FACE_B);
  await e.match(a, b); // warm: the helper is loaded and idle
  const running = [e.match(a, b), e.match(b, a), e.match(a, a)];
  await e.close();
  for (const r of await Promise.all(running)) assert.equal(r.status, 'Approved');
  await e.close();
});

test('50 concurrent matches on a cold engine: one model load, all answered', { skip: skipFaces }, async () => {
  const e = new FaceEngine({ maxQueue: 64 });
  try {
    const a = readFileSync(FACE_A);
    const b = readFileSync(FACE_B);
    const inputs = [a, b, noiseJpeg, Buffer.from('junk')];
    const rs = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => e.match(inputs[i % 4]!, inputs[(i + 1) % 2]!)));
    for (const [i, r] of rs.entries()) {
      if (i % 4 === 3) assert.ok(r.status === 'rejected' && r.reason instanceof FacematchError && r.reason.code === 'IMAGE_UNSUPPORTED');
      else assert.equal(r.status, 'fulfilled', `call ${i}: ${r.status === 'rejected' ? String(r.reason) : ''}`);
    }
  } finally {
    await e.close();
  }
});

test('a full queue refuses at once with ENGINE_BUSY and a Retry-After estimate; busy() counts', { skip: skipFaces }, async () => {
  const e = new FaceEngine({ workers: 2, maxQueue: 2 });
  try {
    const a = readFileSync(FACE_A);
    const b = readFileSync(FACE_B);
    assert.deepEqual(e.busy(), { inFlight: 0, queued: 0 });
    await e.load();
    const all = Promise.allSettled(Array.from({ length: 8 }, () => e.match(a, b)));
    // The header checks are async; once they are done, 2 run and 2 wait.
    await new Promise((r) => setTimeout(r, 30));
    const mid = e.busy();
    const rs = await all;
    const busy = rs.filter((r) => r.status === 'rejected');
    assert.equal(busy.length, 4, JSON.stringify(rs.map((r) => r.status)));
    for (const r of busy) {
      const err = (r as PromiseRejectedResult).reason as { code?: string; retryAfterSeconds?: number; message: string };
      assert.equal(err.code, 'ENGINE_BUSY');
      assert.ok(Number.isInteger(err.retryAfterSeconds) && err.retryAfterSeconds! >= 1, String(err.retryAfterSeconds));
      assert.match(err.message, /busy.*retry/);
    }
    for (const r of rs) if (r.status === 'fulfilled') assert.equal(r.value.status, 'Approved');
    assert.ok(mid.inFlight <= 2 && mid.queued <= 2, JSON.stringify(mid));
    assert.deepEqual(e.busy(), { inFlight: 0, queued: 0 });
    // Once the queue drained, matches are accepted again.
    assert.equal((await e.match(a, b)).status, 'Approved');
  } finally {
    await e.close();
  }
});

test('with workers on, the calling thread loads no models: images are analysed in workers', { skip: skipFaces }, async () => {
  const e = new FaceEngine({ workers: 2 });
  try {
    const r = await e.match(readFileSync(FACE_A), readFileSync(FACE_B));
    assert.equal(r.status, 'Approved');
    assert.equal((e as unknown as { loading: unknown }).loading, null, 'sessions were created on the calling thread');
  } finally {
    await e.close();
  }
});

test('match CLI: directory, FIFO, /dev/zero, 3 paths and bad thresholds exit 2 with one sentence, without hanging', async () => {
  const cli = join(packageRoot, 'dist', 'src', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'fm-robust-'));
  try {
    const img = join(dir, 'a.jpg');
    writeFileSync(img, noiseJpeg);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const over = join(dir, 'big.jpg');
    const big = Buffer.alloc(MAX_IMAGE_BYTES + 1);
    noiseJpeg.copy(big);
    writeFileSync(over, big);
    const cases: Array<[string[], RegExp]> = [
      [['match', dir, img], /is a directory/],
      [['match', fifo, img], /not a regular file/],
      [['match', img, '/dev/zero'], /ref_image '\/dev\/zero' is not a regular file/],
      [['match', img, img, img], /exactly two image paths \(got 3\)/],
      [['match'], /exactly two image paths \(got 0\)/],
      [['match', over, img], /5242881 bytes; the limit is 5 MB/],
      [['match', img, img, '--decline-threshold', '101'], /--decline-threshold must be a number from 0 to 100/],
      [['match', img, img, '--review-threshold', '20'], /--decline-threshold \(50\) must not be above --review-threshold \(20\)/],
    ];
    for (const [args, want] of cases) {
      const r = await promisify(execFile)(process.execPath, [cli, ...args], { timeout: 60_000 }).then(
        (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr, killed: false }),
        (err: { code: number; stdout: string; stderr: string; killed: boolean }) => err,
      );
      assert.equal(r.killed, false, `${args.join(' ')} hung`);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, want);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
