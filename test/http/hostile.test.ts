// Hostile input against the real HTTP twin: malformed JSON, huge bodies (refused while
// streaming, before they are buffered), wrong content types, broken multipart, broken HTTP
// framing, path tricks on media URLs, expired and tampered media signatures. Every answer is
// a clean 4xx JSON {"detail": ...} and the server keeps serving.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { SessionDecision, StandaloneFaceMatchResult } from '../../src/contract/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, errorBody, form, startTwin, type Twin } from '../helpers/http-twin.js';

const MB = 1024 * 1024;

interface RawAnswer {
  status: number;
  head: string;
  body: string;
  /** Bytes of the request actually written before the answer arrived. */
  sent: number;
}

/**
 * Writes `head` then streams `bodyBytes` of body in 64 KB pieces over a raw socket, stopping as
 * soon as the server answers. Lets a test see that a refusal came before the upload finished.
 */
function rawExchange(url: string, head: string, body: { prefix?: Buffer; fillBytes?: number } = {}, opts: { waitBeforeBody?: number } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = Buffer.alloc(0);
    let sent = 0;
    let answered = false;
    let finished = false;
    const done = (): void => {
      if (finished) return;
      const text = answer.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const headText = text.slice(0, split);
      const lengthMatch = /content-length:\s*(\d+)/i.exec(headText);
      const bodyText = text.slice(split + 4);
      if (lengthMatch && Buffer.byteLength(bodyText, 'latin1') < Number(lengthMatch[1])) return;
      finished = true;
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headText)?.[1] ?? 0), head: headText, body: bodyText, sent });
    };
    socket.on('data', (chunk: Buffer) => {
      answered = true;
      answer = Buffer.concat([answer, chunk]);
      done();
    });
    socket.on('error', (err) => {
      if (answered) done();
      else reject(err);
    });
    socket.on('close', () => {
      if (!finished) {
        if (answered) {
          finished = true;
          const text = answer.toString('latin1');
          resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head: text, body: text.slice(text.indexOf('\r\n\r\n') + 4), sent });
        } else reject(new Error(`connection closed without an answer after ${sent} bytes`));
      }
    });
    socket.on('connect', () => {
      socket.write(head);
      sent += Buffer.byteLength(head);
      const pump = async (): Promise<void> => {
        if (opts.waitBeforeBody) await new Promise((r) => setTimeout(r, opts.waitBeforeBody));
        if (body.prefix && !answered) {
          socket.write(body.prefix);
          sent += body.prefix.length;
        }
        const piece = Buffer.alloc(64 * 1024, 0x41);
        let left = body.fillBytes ?? 0;
        while (left > 0 && !answered && !socket.destroyed) {
          const n = Math.min(left, piece.length);
          const ok = socket.write(n === piece.length ? piece : piece.subarray(0, n));
          sent += n;
          left -= n;
          if (!ok) await new Promise((r) => socket.once('drain', r));
          else await new Promise((r) => setImmediate(r));
        }
      };
      pump().catch(() => undefined);
    });
  });
}

describe('HTTP twin: hostile input', () => {
  let twin: Twin;
  let key: string;
  let clock = Date.now();
  before(async () => {
    twin = await startTwin({ sandbox: { deliverWebhooks: false, now: () => clock } });
    key = twin.apiKey();
  });
  after(async () => twin?.close());

  const host = (): string => new URL(twin.url).host;

  test('malformed JSON, non-object JSON and wrong content types are 400/415 with a sentence', async () => {
    const cases: Array<{ body: string; type?: string; status: number; match: RegExp }> = [
      { body: '{"workflow_id": ', type: 'application/json', status: 400, match: /malformed JSON/ },
      { body: "{'single': 'quotes'}", type: 'application/json', status: 400, match: /malformed JSON/ },
      { body: '[{"workflow_id": "x"}]', type: 'application/json', status: 400, match: /object/ },
      { body: 'null', type: 'application/json', status: 400, match: /object/ },
      { body: 'workflow_id=x', type: 'application/x-www-form-urlencoded', status: 415, match: /application\/json/ },
      { body: '{"workflow_id": "x"}', type: 'text/plain', status: 415, match: /text\/plain/ },
      { body: '{"workflow_id": "x"}', status: 415, match: /Content-Type/ },
    ];
    for (const c of cases) {
      const r = await call(twin.url, 'POST', '/v3/session/', { key, body: c.body, headers: c.type ? { 'content-type': c.type } : { 'content-type': '' } });
      assert.equal(r.status, c.status, `${c.type} ${c.body}: ${r.text}`);
      assert.match(errorBody(r).detail, c.match);
    }
    const jsonToMultipart = await call(twin.url, 'POST', '/v3/face-match/', { key, json: { user_image: 'aGVsbG8=' } });
    assert.equal(jsonToMultipart.status, 415);
    assert.match(errorBody(jsonToMultipart).detail, /multipart\/form-data/);
    const noBoundary = await call(twin.url, 'POST', '/v3/face-match/', { key, body: 'whatever', headers: { 'content-type': 'multipart/form-data' } });
    assert.equal(noBoundary.status, 400);
    assert.match(errorBody(noBoundary).detail, /boundary/);
    const truncated = await call(twin.url, 'POST', '/v3/face-match/', {
      key,
      body: '--XyZ\r\nContent-Disposition: form-data; name="user_image"; filename="a.jpg"\r\n\r\n\xff\xd8\xff',
      headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
    });
    assert.equal(truncated.status, 400);
    assert.match(errorBody(truncated).detail, /closing boundary/);
  });

  test('a 6 MB image is refused while streaming: the 400 arrives before the upload is finished', async () => {
    const boundary = 'hostile6mb';
    const partHead = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="user_image"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff`, 'latin1');
    const total = partHead.length + 6 * MB + 200;
    const head = `POST /v3/face-match/ HTTP/1.1\r\nHost: ${host()}\r\nx-api-key: ${key}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${total}\r\n\r\n`;
    const r = await rawExchange(twin.url, head, { prefix: partHead, fillBytes: 6 * MB });
    assert.equal(r.status, 400, r.head);
    const body = JSON.parse(r.body) as { detail: string; user_image?: string[] };
    assert.match(body.detail, /5 MB/);
    assert.ok(Array.isArray(body.user_image), r.body);
    assert.ok(r.sent < total - 256 * 1024, `answered after ${r.sent} of ${total} bytes: the refusal must come before the end of the upload`);
  });

  test('a 50 MB body is refused from its Content-Length, before any of it is sent', async () => {
    const head = `POST /v3/face-match/ HTTP/1.1\r\nHost: ${host()}\r\nx-api-key: ${key}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: ${50 * MB}\r\n\r\n`;
    const r = await rawExchange(twin.url, head, { fillBytes: 50 * MB }, { waitBeforeBody: 300 });
    assert.equal(r.status, 413, r.head);
    assert.match(JSON.parse(r.body).detail as string, /larger than/);
    assert.ok(r.sent < 2 * MB, `answered after ${r.sent} bytes`);
    const json = await rawExchange(twin.url, `POST /v3/session/ HTTP/1.1\r\nHost: ${host()}\r\nx-api-key: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${50 * MB}\r\n\r\n`, {}, {});
    assert.equal(json.status, 413);
  });

  test('a 50 MB chunked upload (no Content-Length) is cut at the request cap, and the client still gets the answer', async () => {
    const answer = await new Promise<{ status: number; body: string; written: number }>((resolve, reject) => {
      const { hostname, port } = new URL(twin.url);
      let written = 0;
      let stop = false;
      const req = request({ host: hostname, port, method: 'POST', path: '/v3/face-match/', headers: { 'x-api-key': key, 'content-type': 'multipart/form-data; boundary=zz', 'transfer-encoding': 'chunked' } }, (res) => {
        stop = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), written }));
      });
      req.on('error', (err) => (stop ? undefined : reject(err)));
      const piece = Buffer.alloc(256 * 1024, 0x42);
      req.write('--zz\r\nContent-Disposition: form-data; name="notes"; filename="n.bin"\r\n\r\n');
      const pump = (): void => {
        while (!stop && written < 50 * MB) {
          written += piece.length;
          if (!req.write(piece)) {
            req.once('drain', pump);
            return;
          }
        }
        if (!stop) req.end();
      };
      pump();
    });
    assert.equal(answer.status, 413, answer.body);
    assert.match(JSON.parse(answer.body).detail as string, /11 MB/);
    assert.ok(answer.written < 40 * MB, `the answer came after ${answer.written} bytes`);
  });

  test('Expect: 100-continue with an oversized Content-Length gets 413 instead of 100 Continue', async () => {
    const head = `POST /v3/face-match/ HTTP/1.1\r\nHost: ${host()}\r\nx-api-key: ${key}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: ${20 * MB}\r\nExpect: 100-continue\r\n\r\n`;
    const r = await rawExchange(twin.url, head);
    assert.equal(r.status, 413, r.head);
  });

  test('broken HTTP framing and oversized headers get JSON errors; the server keeps serving', async () => {
    const nul = await rawExchange(twin.url, `GET /media/abc\u0000def HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
    assert.equal(nul.status, 400);
    assert.ok(JSON.parse(nul.body).detail);
    const garbage = await rawExchange(twin.url, 'THIS IS NOT HTTP\r\n\r\n');
    assert.equal(garbage.status, 400);
    const bigHeader = await rawExchange(twin.url, `GET / HTTP/1.1\r\nHost: ${host()}\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    assert.equal(bigHeader.status, 431);
    const badLength = await rawExchange(twin.url, `POST /v3/session/ HTTP/1.1\r\nHost: ${host()}\r\nContent-Length: nope\r\n\r\n`);
    assert.equal(badLength.status, 400);
    assert.equal((await call(twin.url, 'GET', '/v3/workflows/', { key })).status, 200, 'still serving');
  });

  test('path tricks on media URLs are clean 4xx, never a file from disk', async () => {
    const paths = [
      '/media/../../../../etc/passwd',
      '/media/..%2f..%2f..%2fetc%2fpasswd',
      '/media/%2e%2e/%2e%2e/etc/passwd',
      '/media/%2E%2E',
      '/media/%00',
      '/media/abc%00.jpg',
      '/media/%ZZ',
      '/media/..\\..\\windows\\win.ini',
      '/media/%5c..%5c',
      '//media//x',
      '/media/x/../../package.json',
    ];
    for (const path of paths) {
      const r = await rawExchange(twin.url, `GET ${path} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
      assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
      assert.doesNotMatch(r.body, /root:|\[fonts\]|"dependencies"/, `${path} leaked a file`);
      assert.ok(JSON.parse(r.body).detail, `${path}: JSON detail`);
    }
    const unsigned = await call(twin.url, 'GET', '/media/00000000-0000-4000-8000-000000000000');
    assert.equal(unsigned.status, 403);
  });

  test('media signatures: valid works, tampered is 403, expired is 410', { skip: hasFaces ? false : noFacesReason }, async () => {
    const pair = readPairs('lfw-funneled-dev').find((p) => p.same)!;
    const fm = await call(twin.url, 'POST', '/v3/face-match/', { key, body: form({ user_image: readFileSync(pair.a), ref_image: readFileSync(pair.b) }) });
    assert.equal(fm.status, 200, fm.text);
    const id = (fm.json as StandaloneFaceMatchResult).request_id;
    const dec = await call(twin.url, 'GET', `/v3/session/${id}/decision/`, { key });
    const signed = (dec.json as SessionDecision).face_matches?.[0]?.source_image;
    assert.ok(signed, dec.text);
    const url = new URL(signed);
    assert.equal((await fetch(url)).status, 200);

    const tamperedSig = new URL(url);
    const sig = tamperedSig.searchParams.get('signature')!;
    tamperedSig.searchParams.set('signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    const longer = new URL(url);
    longer.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    const otherId = new URL(url);
    otherId.pathname = '/media/00000000-0000-4000-8000-000000000000';
    const noSig = new URL(url);
    noSig.searchParams.delete('signature');
    for (const bad of [tamperedSig, longer, otherId, noSig]) {
      const r = await fetch(bad);
      assert.equal(r.status, 403, bad.toString());
      assert.ok(((await r.json()) as { detail: string }).detail);
    }
    clock += 61 * 60 * 1000;
    try {
      const expired = await fetch(url);
      assert.equal(expired.status, 410);
      assert.match(((await expired.json()) as { detail: string }).detail, /expired/);
    } finally {
      clock = Date.now();
    }
  });

  test('capture endpoint: unknown token 404, cross-site 403, wrong type 415, missing selfie 400, expired session 409', async () => {
    const unknown = await call(twin.url, 'POST', '/session/nope/capture/', { body: form({ selfie: Buffer.from('x') }) });
    assert.equal(unknown.status, 404);
    errorBody(unknown);
    const page = await fetch(`${twin.url}/session/nope`);
    assert.equal(page.status, 404);
    assert.match(await page.text(), /not valid/);

    const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { features: [{ feature: 'FACE_MATCH' }] } });
    const created = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: (wf.json as { workflow_id: string }).workflow_id } });
    const token = (created.json as { session_token: string }).session_token;
    const crossSite = await call(twin.url, 'POST', `/session/${token}/capture/`, { body: form({ selfie: Buffer.from('x') }), headers: { origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403, crossSite.text);
    const wrongType = await call(twin.url, 'POST', `/session/${token}/capture/`, { json: { selfie: 'x' } });
    assert.equal(wrongType.status, 415, wrongType.text);
    const missing = await call(twin.url, 'POST', `/session/${token}/capture/`, { body: form({ reference: Buffer.from('x') }) });
    assert.equal(missing.status, 400, missing.text);
    assert.ok(Array.isArray(errorBody(missing).selfie), missing.text);
    await call(twin.url, 'POST', `/sandbox/session/${(created.json as { session_id: string }).session_id}/simulate/`, { key, json: { outcome: 'Expired' } });
    const expiredPage = await fetch(`${twin.url}/session/${token}`);
    assert.match(await expiredPage.text(), /expired/i, 'an expired session says so');
    const late = await call(twin.url, 'POST', `/session/${token}/capture/`, { body: form({ selfie: Buffer.from('x') }) });
    assert.equal(late.status, 409, late.text);
    assert.match(errorBody(late).detail, /Expired/);
  });
});

describe('HTTP twin: host guard', () => {
  test('a foreign Host header (DNS rebinding) is refused; loopback names pass', async () => {
    const twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    try {
      const port = new URL(twin.url).port;
      const foreign = await rawExchange(twin.url, `GET /sandbox/status/ HTTP/1.1\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`);
      assert.equal(foreign.status, 403);
      assert.match(JSON.parse(foreign.body).detail as string, /not allowed/);
      for (const name of ['127.0.0.1', 'localhost', '[::1]']) {
        const ok = await rawExchange(twin.url, `GET /sandbox/status/ HTTP/1.1\r\nHost: ${name}:${port}\r\nConnection: close\r\n\r\n`);
        assert.equal(ok.status, 200, name);
      }
    } finally {
      await twin.close();
    }
  });
});

describe('HTTP twin: no client mistake is a 500', () => {
  test('every route with garbage bodies, odd types and deep nesting answers < 500 with JSON', async () => {
    const twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    try {
      const key = twin.apiKey();
      const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { features: [{ feature: 'FACE_MATCH' }] } });
      const workflowId = (wf.json as { workflow_id: string }).workflow_id;
      const s = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflowId } });
      const { session_id: sessionId, session_token: token } = s.json as { session_id: string; session_token: string };
      const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
      const deepObject = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
      const bodies: Array<{ body?: string; type?: string }> = [
        {},
        { body: '{}', type: 'application/json' },
        { body: '[]', type: 'application/json' },
        { body: '"x"', type: 'application/json' },
        { body: '12', type: 'application/json' },
        { body: `{"workflow_id": ${deep(5000)}}`, type: 'application/json' },
        { body: `{"workflow_id": "${workflowId}", "metadata": ${deepObject(5000)}}`, type: 'application/json' },
        { body: `{"workflow_id": "${workflowId}", "vendor_data": ${deepObject(300)}, "callback": 7, "portrait_image": "%%%"}`, type: 'application/json' },
        { body: '{"workflow_id": {"$ne": null}, "features": "FACE_MATCH", "outcome": ["Approved"], "url": 5, "subscribed_events": "status.updated"}', type: 'application/json' },
        { body: '{"features": [{"feature": "FACE_MATCH", "config": {"face_match_score_decline_threshold": 1e400, "face_match_max_attempts": -1}}]}', type: 'application/json' },
        { body: '--b\r\nContent-Disposition: form-data; name="user_image"\r\n\r\n\r\n--b--\r\n', type: 'multipart/form-data; boundary=b' },
        { body: '--b\r\nContent-Disposition: form-data; name="selfie"; filename="x"\r\n\r\nGIF89a\r\n--b\r\nContent-Disposition: form-data; name="reference"\r\n\r\n\x89PNG\r\n\x1a\n\r\n--b--\r\n', type: 'multipart/form-data; boundary=b' },
        { body: '\u0000\u0001\u0002', type: 'application/octet-stream' },
      ];
      const paths: Array<[string, string]> = [];
      for (const r of (await import('../../src/http/routes/index.js')).ALL_ROUTES) {
        const path = r.pattern
          .replace(':id', r.pattern.includes('workflows') ? workflowId : sessionId)
          .replace(':token', token)
          .replace(':code', 'nope');
        paths.push([r.method, path]);
        paths.push([r.method, path.replace(/[0-9a-f-]{36}/, 'x'.repeat(400))]);
      }
      for (const [method, path] of paths) {
        for (const b of bodies) {
          if (method === 'GET' && b.body !== undefined) continue;
          const r = await call(twin.url, method, path, { key, body: b.body, headers: b.type ? { 'content-type': b.type } : {} });
          assert.ok(r.status < 500, `${method} ${path.slice(0, 80)} ${String(b.body).slice(0, 60)} -> ${r.status} ${r.text.slice(0, 200)}`);
          if (r.status >= 400 && !path.startsWith('/session/') && !path.startsWith('/u/')) errorBody(r);
        }
      }
    } finally {
      await twin.close();
    }
  });
});
