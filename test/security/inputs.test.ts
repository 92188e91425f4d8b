// Inputs: local paths are read only when they are regular files,
// size-capped before reading; FIFOs and devices never hang or flood the server (through the
// real stdio MCP server too); an optional root folder restricts what is read; URLs and
// destinations refuse link-local / metadata addresses; errors do not tell which local ports
// answer or which files exist.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import { isBlockedAddress, urlPolicyProblem } from '../../src/net-policy.js';
import { readLocalFile } from '../../src/safe-file.js';
import { connectStdio, fails, ok, tempDir, type Connected } from '../helpers/mcp-harness.js';
import { provisionApp, tempDb, testSandbox } from '../helpers/sandbox.js';

const MB = 1024 * 1024;

/** Rejects if `p` has not settled within `ms` (a hang is the defect). */
async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function refusal(p: Promise<unknown>): Promise<FacematchError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof FacematchError, String(err));
    return err;
  }
  assert.fail('accepted');
}

describe('readLocalFile', () => {
  const t = tempDir('fm-safe-');
  const fifo = join(t.dir, 'pipe.jpg');
  before(() => {
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(t.dir, 'ok.bin'), Buffer.from('hello'));
    writeFileSync(join(t.dir, 'big.bin'), Buffer.alloc(6 * MB, 1));
    mkdirSync(join(t.dir, 'root'));
    writeFileSync(join(t.dir, 'root', 'inside.bin'), 'inside');
    symlinkSync(join(t.dir, 'ok.bin'), join(t.dir, 'root', 'escape.bin'));
  });
  after(() => t.cleanup());

  test('FIFOs are refused at once, and many of them do not starve later file reads', async () => {
    const errs = await within(3000, Promise.all(Array.from({ length: 8 }, () => refusal(readLocalFile(fifo, { maxBytes: MB })))), 'reading FIFOs');
    for (const e of errs) assert.match(e.message, /named pipe \(FIFO\), not a regular file/);
    const ok = await within(3000, readLocalFile(join(t.dir, 'ok.bin'), { maxBytes: MB }), 'a normal read after the FIFOs');
    assert.equal(ok.toString(), 'hello');
  });

  test('devices and directories are refused without reading them', async () => {
    const before = process.memoryUsage().rss;
    for (const dev of ['/dev/urandom', '/dev/zero']) {
      const e = await within(2000, refusal(readLocalFile(dev, { maxBytes: 5 * MB })), dev);
      assert.match(e.message, /is a device, not a regular file/);
    }
    assert.ok(process.memoryUsage().rss - before < 64 * MB, 'no memory growth');
    assert.match((await refusal(readLocalFile(t.dir, { maxBytes: MB }))).message, /is a directory/);
  });

  test('the size cap is checked before reading', async () => {
    const e = await refusal(readLocalFile(join(t.dir, 'big.bin'), { maxBytes: 5 * MB, label: 'user_image' }));
    assert.equal(e.code, 'IMAGE_TOO_LARGE');
    assert.match(e.message, /user_image: .*6\.0 MB; the limit is 5\.0 MB/);
  });

  test('a missing file and a symlink out of the root get the same sentence; a path outside the root is refused', async () => {
    const root = join(t.dir, 'root');
    assert.equal((await readLocalFile(join(root, 'inside.bin'), { maxBytes: MB, allowRoot: root })).toString(), 'inside');
    assert.equal((await readLocalFile('inside.bin', { maxBytes: MB, allowRoot: root, cwd: root })).toString(), 'inside');
    const missing = await refusal(readLocalFile(join(root, 'nope.bin'), { maxBytes: MB, allowRoot: root }));
    const escaped = await refusal(readLocalFile(join(root, 'escape.bin'), { maxBytes: MB, allowRoot: root }));
    const strip = (m: string) => m.replace(/\/\S+?\.bin/g, 'PATH');
    assert.equal(strip(missing.message), strip(escaped.message), 'no way to tell "exists" from "refused"');
    assert.match(missing.message, /does not exist, is not readable by the server, or is outside/);
    assert.match((await refusal(readLocalFile('/etc/passwd', { maxBytes: MB, allowRoot: root }))).message, /outside .*FACEMATCH_FILES_ROOT/);
    assert.match((await refusal(readLocalFile(join(root, '..', 'ok.bin'), { maxBytes: MB, allowRoot: root }))).message, /outside/);
  });

  test('a symlink swapped between open and check never reads a file outside the root', async () => {
    const root = join(t.dir, 'race');
    mkdirSync(root);
    writeFileSync(join(root, 'in.bin'), 'inside');
    writeFileSync(join(t.dir, 'secret.bin'), 'SECRET');
    const link = join(root, 'photo.bin');
    symlinkSync(join(root, 'in.bin'), link);
    // Another thread swaps the link between the file inside and the file outside, atomically.
    const stop = new SharedArrayBuffer(4);
    const swapper = new Worker(
      `const { symlinkSync, renameSync, rmSync } = require('node:fs');
       const { workerData: w } = require('node:worker_threads');
       const flag = new Int32Array(w.stop);
       for (let i = 0; Atomics.load(flag, 0) === 0; i++) {
         const tmp = w.link + '.tmp' + (i % 2);
         rmSync(tmp, { force: true });
         symlinkSync(i % 2 ? w.inside : w.outside, tmp);
         renameSync(tmp, w.link);
       }`,
      { eval: true, workerData: { link, inside: join(root, 'in.bin'), outside: join(t.dir, 'secret.bin'), stop } },
    );
    let leaked = 0;
    let read = 0;
    try {
      for (let i = 0; i < 150; i++) {
        try {
          const got = (await readLocalFile(link, { maxBytes: MB, allowRoot: root })).toString();
          read++;
          if (got !== 'inside') leaked++;
        } catch (err) {
          assert.ok(err instanceof FacematchError, String(err));
        }
      }
    } finally {
      Atomics.store(new Int32Array(stop), 0, 1);
      await swapper.terminate();
    }
    assert.equal(leaked, 0, `read the file outside the root in ${leaked} of 150 tries`);
    assert.ok(read > 0, 'some reads of the file inside still succeed');
  });
});

describe('network policy', () => {
  test('link-local and metadata addresses are recognised, loopback and private ones are not', () => {
    for (const a of ['169.254.169.254', '169.254.0.1', 'fe80::1', 'FE80::abcd%eth0', '[fe80::1]', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '100.100.100.200', 'fd00:ec2::254']) {
      assert.equal(isBlockedAddress(a), true, a);
    }
    for (const a of ['127.0.0.1', '10.0.0.5', '192.168.1.2', '::1', 'fd12::1', '8.8.8.8', 'fec0::1']) assert.equal(isBlockedAddress(a), false, a);
    assert.match(urlPolicyProblem('http://metadata.google.internal/computeMetadata/v1/') ?? '', /metadata/);
    assert.match(urlPolicyProblem('http://[fe80::1]:8080/') ?? '', /link-local/);
    assert.equal(urlPolicyProblem('http://169.254.169.254/', { FACEMATCH_ALLOW_LINK_LOCAL: '1' }), null);
    assert.equal(urlPolicyProblem('http://127.0.0.1:3000/hooks'), null);
  });

  test('webhook destinations on link-local or metadata addresses are refused', async () => {
    const tmp = tempDb();
    const sb = testSandbox(tmp.db, { deliverWebhooks: false });
    try {
      const { app } = provisionApp(sb);
      for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/x', 'http://[fe80::1]/h']) {
        assert.throws(
          () => sb.webhooks.createDestination(app, { url, subscribed_events: ['status.updated'] }),
          (e) => e instanceof FacematchError && e.code === 'VALIDATION' && /link-local or cloud metadata/.test(e.message),
          url,
        );
      }
      assert.ok(sb.webhooks.createDestination(app, { url: 'http://127.0.0.1:9/ok', subscribed_events: ['status.updated'] }).uuid);
    } finally {
      await sb.close();
      tmp.cleanup();
    }
  });
});

describe('through the stdio MCP server', () => {
  const t = tempDir('fm-inputs-');
  let conn: Connected;
  let closedPort = 0;
  const servers: Array<ReturnType<typeof createServer>> = [];
  const urls: Record<string, string> = {};
  before(async () => {
    mkdirSync(join(t.dir, 'root', 'calib'), { recursive: true });
    execFileSync('mkfifo', [join(t.dir, 'root', 'calib', 'pairs.tsv')]);
    execFileSync('mkfifo', [join(t.dir, 'root', 'pipe.jpg')]);
    writeFileSync(join(t.dir, 'root', 'notes.txt'), 'not an image');
    writeFileSync(join(t.dir, 'outside.jpg'), 'not an image either');
    // Local ports that answer in different ways, and one that refuses.
    const answers: Record<string, (res: import('node:http').ServerResponse) => void> = {
      notFound: (res) => res.writeHead(404).end('nope'),
      text: (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('SSH-2.0-OpenSSH'),
      error: (res) => res.writeHead(500).end(),
    };
    for (const [name, answer] of Object.entries(answers)) {
      const s = createServer((_req, res) => answer(res));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
      urls[name] = `http://127.0.0.1:${(s.address() as AddressInfo).port}/x.jpg`;
    }
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    conn = await connectStdio({
      env: { FACEMATCH_DB: join(t.dir, 'db.sqlite'), FACEMATCH_LOG: 'silent', FACEMATCH_FILES_ROOT: join(t.dir, 'root') },
      cwd: join(t.dir, 'root'),
    });
  });
  after(async () => {
    await conn?.close();
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    t.cleanup();
  });

  test('calibrate_thresholds on a FIFO pairs file answers at once, and the server keeps serving', async () => {
    for (let i = 0; i < 5; i++) {
      const text = await within(5000, fails(conn.client, 'calibrate_thresholds', { folder: 'calib' }), `calibrate_thresholds call ${i + 1}`);
      assert.match(text, /pairs/);
    }
    assert.match(await within(5000, fails(conn.client, 'face_match', { user_image: 'pipe.jpg', ref_image: 'notes.txt' }), 'face_match on a FIFO'), /named pipe/);
    // Still reading files: the text file is read and refused for its content.
    assert.match(await within(5000, fails(conn.client, 'face_match', { user_image: 'notes.txt', ref_image: 'notes.txt' }), 'face_match'), /JPEG, PNG, WebP or TIFF/);
  });

  test('FACEMATCH_FILES_ROOT keeps face_match inside the root', async () => {
    assert.match(await fails(conn.client, 'face_match', { user_image: join(t.dir, 'outside.jpg'), ref_image: 'notes.txt' }), /outside .*FACEMATCH_FILES_ROOT/);
    assert.match(await fails(conn.client, 'face_match', { user_image: '/etc/hostname', ref_image: 'notes.txt' }), /outside/);
  });

  test('calibrate_thresholds tells nothing about which files outside the root exist', async () => {
    mkdirSync(join(t.dir, 'root', 'probe'));
    writeFileSync(join(t.dir, 'root', 'probe', 'pairs.tsv'), '/etc/passwd\t/etc/no-such-file\t0\n/etc/hostname\t/etc/no-such-file-either\t1\n');
    const result = await ok<{ failures: Array<{ path: string; problem: string }> }>(conn.client, 'calibrate_thresholds', { folder: 'probe' });
    const problems = new Map(result.failures.map((f) => [f.path, f.problem.replaceAll(f.path, 'PATH')]));
    assert.equal(problems.size, 4, JSON.stringify(result.failures));
    assert.equal(new Set(problems.values()).size, 1, `one sentence for all: ${JSON.stringify([...problems])}`);
    // The folder itself: an existing directory outside the root and a missing one look the same.
    const strip = (m: string, p: string) => m.replaceAll(p, 'PATH');
    const existing = strip(await fails(conn.client, 'calibrate_thresholds', { folder: '/etc' }), '/etc');
    const missing = strip(await fails(conn.client, 'calibrate_thresholds', { folder: '/etc/no-such-dir' }), '/etc/no-such-dir');
    assert.equal(existing, missing);
  });

  test('image URLs: metadata addresses refused; refused and answering ports look the same', async () => {
    assert.match(await fails(conn.client, 'face_match', { user_image: 'http://169.254.169.254/latest/meta-data/', ref_image: 'notes.txt' }), /link-local or (cloud )?metadata/);
    const messages = new Map<string, string>();
    for (const [name, url] of Object.entries({ ...urls, refused: `http://127.0.0.1:${closedPort}/x.jpg` })) {
      const text = await fails(conn.client, 'face_match', { user_image: url, ref_image: 'notes.txt' });
      messages.set(name, text.replaceAll(url, 'URL'));
    }
    const distinct = new Set(messages.values());
    assert.equal(distinct.size, 1, `one sentence for all: ${JSON.stringify(Object.fromEntries(messages))}`);
  });
});
