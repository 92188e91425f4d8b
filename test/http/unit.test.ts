// Unit tests of the HTTP twin's transport pieces: the streaming multipart parser, JSON body
// reading, the path checks, the sliding-window rate limiter and the callback URL builder.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import { readJsonObject } from '../../src/http/body.js';
import { HttpError } from '../../src/http/errors.js';
import { readMultipart, type MultipartOptions } from '../../src/http/multipart.js';
import { SlidingWindowLimiter } from '../../src/http/rate-limit.js';
import { pathSegments } from '../../src/http/router.js';
import { callbackUrl } from '../../src/http/routes/capture.js';

const MB = 1024 * 1024;
const OPTS: MultipartOptions = {
  fileFields: new Set(['user_image', 'ref_image']),
  maxFileBytes: 5 * MB,
  maxFieldBytes: 1024,
  maxTotalBytes: 11 * MB,
};

/** A request-like stream whose body arrives in `chunkSize` pieces; `pulled` counts bytes handed out. */
function fakeRequest(body: Buffer, headers: Record<string, string>, chunkSize: number): IncomingMessage & { pulled: () => number } {
  let offset = 0;
  const stream = new Readable({
    highWaterMark: chunkSize,
    read() {
      if (offset >= body.length) {
        this.push(null);
        return;
      }
      const end = Math.min(body.length, offset + chunkSize);
      this.push(body.subarray(offset, end));
      offset = end;
    },
  });
  return Object.assign(stream, { headers, complete: false, pulled: () => offset }) as unknown as IncomingMessage & { pulled: () => number };
}

function multipartBody(boundary: string, parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>, opts: { preamble?: string; epilogue?: string } = {}): Buffer {
  const chunks: Buffer[] = [];
  if (opts.preamble) chunks.push(Buffer.from(`${opts.preamble}\r\n`));
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n${opts.epilogue ?? ''}`));
  return Buffer.concat(chunks);
}

function pseudoRandomBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

test('multipart: files and fields survive every chunk split, including boundary-like bytes in the data', async () => {
  const boundary = '----fmTestBoundary7MA4YWxkTrZu0gW';
  // Binary data holding a near-miss of the delimiter ("\r\n--" + most of the boundary).
  const tricky = Buffer.concat([pseudoRandomBytes(3000, 7), Buffer.from(`\r\n--${boundary.slice(0, -1)}X`), pseudoRandomBytes(1000, 9)]);
  const ref = pseudoRandomBytes(5000, 11);
  const body = multipartBody(
    boundary,
    [
      { name: 'user_image', filename: 'a.jpg', type: 'image/jpeg', data: tricky },
      { name: 'ref_image', data: ref },
      { name: 'vendor_data', data: 'user-42 ünïcode' },
      { name: 'ignored_file', filename: 'x.bin', data: pseudoRandomBytes(2000, 3) },
    ],
    { preamble: 'this preamble is ignored', epilogue: 'and so is this epilogue' },
  );
  for (const size of [1, 2, 3, 5, 17, 64, 1024, body.length]) {
    const req = fakeRequest(body, { 'content-type': `multipart/form-data; boundary=${boundary}` }, size);
    const result = await readMultipart(req, OPTS);
    assert.ok(result.files.get('user_image')!.bytes.equals(tricky), `user_image intact with chunk size ${size}`);
    assert.equal(result.files.get('user_image')!.filename, 'a.jpg');
    assert.ok(result.files.get('ref_image')!.bytes.equals(ref), `ref_image (no filename) kept as a file with chunk size ${size}`);
    assert.equal(result.fields.get('vendor_data'), 'user-42 ünïcode');
    assert.equal(result.files.has('ignored_file'), false, 'file parts the route does not want are dropped');
  }
});

test('multipart: quoted boundary and filename* are understood', async () => {
  const boundary = 'abc def';
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="user_image"; filename*=UTF-8''caf%C3%A9.png\r\n\r\nPNGDATA\r\n--${boundary}--`,
  );
  const req = fakeRequest(body, { 'content-type': `multipart/form-data; boundary="${boundary}"` }, 8);
  const result = await readMultipart(req, OPTS);
  assert.equal(result.files.get('user_image')!.filename, 'café.png');
  assert.equal(result.files.get('user_image')!.bytes.toString(), 'PNGDATA');
});

test('multipart: a 6 MB image is refused after ~5 MB has streamed, before the rest is read', async () => {
  const boundary = 'b0undary';
  const big = Buffer.alloc(6 * MB, 0x41);
  const body = multipartBody(boundary, [{ name: 'user_image', filename: 'big.jpg', data: big }]);
  const req = fakeRequest(body, { 'content-type': `multipart/form-data; boundary=${boundary}` }, 64 * 1024);
  await assert.rejects(readMultipart(req, OPTS), (err: unknown) => {
    assert.ok(err instanceof FacematchError);
    assert.equal(err.code, 'IMAGE_TOO_LARGE');
    assert.equal(err.status, 400);
    assert.ok(err.fields?.user_image?.[0]?.includes('5 MB'), 'the field error names the limit');
    return true;
  });
  assert.ok(req.pulled() < 5.5 * MB, `read ${req.pulled()} bytes of ${body.length}; expected to stop right after 5 MB`);
});

test('multipart: malformed bodies are 400/413/415 with a sentence', async () => {
  const cases: Array<{ why: string; body: Buffer; type: string; status: number; opts?: Partial<MultipartOptions> }> = [
    { why: 'no boundary parameter', body: Buffer.from('x'), type: 'multipart/form-data', status: 400 },
    { why: 'not multipart', body: Buffer.from('{}'), type: 'application/json', status: 415 },
    { why: 'no content type', body: Buffer.from('{}'), type: '', status: 415 },
    { why: 'cut off before the closing boundary', body: Buffer.from('--b\r\nContent-Disposition: form-data; name="user_image"\r\n\r\nabc'), type: 'multipart/form-data; boundary=b', status: 400 },
    { why: 'part without a name', body: Buffer.from('--b\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--b--'), type: 'multipart/form-data; boundary=b', status: 400 },
    { why: 'part without headers', body: Buffer.from('--b\r\n\r\nabc\r\n--b--'), type: 'multipart/form-data; boundary=b', status: 400 },
    { why: 'junk after a boundary', body: Buffer.from('--bjunk\r\n'), type: 'multipart/form-data; boundary=b', status: 400 },
    {
      why: 'the same file field twice',
      body: multipartBody('b', [
        { name: 'user_image', filename: '1.jpg', data: 'one' },
        { name: 'user_image', filename: '2.jpg', data: 'two' },
      ]),
      type: 'multipart/form-data; boundary=b',
      status: 400,
    },
    { why: 'text field over its cap', body: multipartBody('b', [{ name: 'metadata', data: 'x'.repeat(2000) }]), type: 'multipart/form-data; boundary=b', status: 400 },
    { why: 'whole body over the total cap', body: multipartBody('b', [{ name: 'user_image', filename: 'a', data: Buffer.alloc(3000) }]), type: 'multipart/form-data; boundary=b', status: 413, opts: { maxTotalBytes: 1000 } },
  ];
  for (const c of cases) {
    const headers: Record<string, string> = c.type ? { 'content-type': c.type } : {};
    const req = fakeRequest(c.body, headers, 7);
    await assert.rejects(readMultipart(req, { ...OPTS, ...c.opts }), (err: unknown) => {
      const status = err instanceof HttpError || err instanceof FacematchError ? err.status : 0;
      assert.equal(status, c.status, `${c.why}: got ${String(err)}`);
      assert.ok((err as Error).message.length > 10, `${c.why}: a readable message`);
      return true;
    });
  }
});

test('JSON bodies: objects only, UTF-8 only, capped, and the right content type', async () => {
  const read = (body: string | Buffer, type: string | null, limit = 1000) =>
    readJsonObject(fakeRequest(Buffer.from(body), { ...(type ? { 'content-type': type } : {}), 'content-length': String(Buffer.byteLength(body)) }, 5), limit);
  assert.deepEqual(await read('{"a": 1, "b": [true]}', 'application/json'), { a: 1, b: [true] });
  assert.deepEqual(await read('\ufeff{"bom": 1}', 'application/json; charset=utf-8'), { bom: 1 });
  assert.deepEqual(await read('', null), {}, 'an empty body is an empty object: the services name the missing fields');
  const expectStatus = async (p: Promise<unknown>, status: number, match: RegExp) =>
    assert.rejects(p, (err: unknown) => err instanceof HttpError && err.status === status && match.test(err.message));
  await expectStatus(read('{"a": ', 'application/json'), 400, /malformed JSON/);
  await expectStatus(read('[1, 2]', 'application/json'), 400, /must be an object/);
  await expectStatus(read('"text"', 'application/json'), 400, /must be an object/);
  await expectStatus(read(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), 'application/json'), 400, /UTF-8/);
  await expectStatus(read('a=1', 'application/x-www-form-urlencoded'), 415, /application\/json/);
  await expectStatus(read('{"a":1}', 'text/plain'), 415, /text\/plain/);
  await expectStatus(read('{"a":1}', 'application/json; charset=latin1'), 415, /charset/);
  await expectStatus(read(`{"a": "${'x'.repeat(2000)}"}`, 'application/json'), 413, /limit/);
  await expectStatus(read(`{"a": ${'['.repeat(65)}${']'.repeat(65)}}`, 'application/json', 10_000), 400, /nested deeper/);
  assert.deepEqual(await read(`{"s": "${'[{'.repeat(100)}"}`, 'application/json', 10_000), { s: '[{'.repeat(100) }, 'brackets inside strings do not count');
});

test('paths: dot segments, encoded slashes, NUL and bad escapes are refused; trailing slash optional', () => {
  assert.deepEqual(pathSegments('/v3/session/abc/decision/'), ['v3', 'session', 'abc', 'decision']);
  assert.deepEqual(pathSegments('/v3/session/abc/decision'), ['v3', 'session', 'abc', 'decision']);
  assert.deepEqual(pathSegments('/'), []);
  assert.deepEqual(pathSegments('/media/a%20b'), ['media', 'a b']);
  for (const bad of ['/media/../x', '/media/%2e%2e/x', '/media/.%2E', '/media/a%2fb', '/media/a%5cb', '/media/%00', '/media/%zz', '/media/./x', 'media/x']) {
    assert.throws(() => pathSegments(bad), (err: unknown) => err instanceof HttpError && err.status === 400, bad);
  }
});

test('rate limiter: sliding window per identifier and scope, with reset and retry-after', () => {
  let now = 1_000_000;
  const limiter = new SlidingWindowLimiter({ get: 3, write: 2, windowMs: 60_000 }, () => now);
  const a1 = limiter.check('key:a', 'get');
  assert.deepEqual([a1.allowed, a1.limit, a1.remaining], [true, 3, 2]);
  now += 10_000;
  limiter.check('key:a', 'get');
  now += 10_000;
  const a3 = limiter.check('key:a', 'get');
  assert.deepEqual([a3.allowed, a3.remaining], [true, 0]);
  const denied = limiter.check('key:a', 'get');
  assert.equal(denied.allowed, false);
  assert.equal(denied.retryAfterS, 40, 'the oldest hit leaves the window 40 s from now');
  assert.equal(denied.resetEpochS, Math.ceil((1_000_000 + 60_000) / 1000));
  assert.equal(limiter.check('key:b', 'get').allowed, true, 'other keys have their own counter');
  assert.equal(limiter.check('key:a', 'write').allowed, true, 'writes have their own counter');
  now = 1_000_000 + 60_000; // the first hit has now left the window
  const again = limiter.check('key:a', 'get');
  assert.equal(again.allowed, true);
  assert.equal(again.remaining, 0);
  assert.equal(limiter.check('key:a', 'get').allowed, false, 'denied hits are not counted, but the window is full again');
});

test('callback URL: keeps the callback query, adds verificationSessionId and status, refuses non-http schemes', () => {
  assert.equal(callbackUrl('https://shop.example/done', 'S1', 'Approved'), 'https://shop.example/done?verificationSessionId=S1&status=Approved');
  assert.equal(
    callbackUrl('http://127.0.0.1:3000/cb?order=7&status=old', 'S 2', 'In Review'),
    'http://127.0.0.1:3000/cb?order=7&verificationSessionId=S%202&status=In%20Review',
  );
  assert.equal(callbackUrl('javascript:alert(1)', 'S', 'Approved'), null);
  assert.equal(callbackUrl('not a url', 'S', 'Approved'), null);
});
