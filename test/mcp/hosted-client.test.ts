// The hosted client's own behaviour where the HTTP twin cannot show it: destination lists that
// come in pages (followed on the same origin only, since the key goes with every request), and
// the platform's error statuses mapped to coded errors with hosted advice. A real HTTP server on
// 127.0.0.1 plays a platform that pages and fails in these ways.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { HostedPlatform, isHostedError } from '../../src/platform/hosted.js';
import { describeToolError } from '../../src/mcp/errors.js';

let server: http.Server;
let base = '';
const seen: Array<{ path: string; key: string | undefined }> = [];

function destination(i: number) {
  return { uuid: `d-${i}`, label: `dest ${i}`, url: `https://example.com/${i}`, subscribed_events: ['status.updated'], enabled: true };
}

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: `${url.pathname}${url.search}`, key: req.headers['x-api-key'] as string | undefined });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/v3/webhook/destinations/') {
      const page = Number(url.searchParams.get('page') ?? '1');
      if (page === 1) return send(200, { count: 5, next: `${base}/v3/webhook/destinations/?page=2`, previous: null, results: [destination(1), destination(2)] });
      if (page === 2) return send(200, { count: 5, next: `${base}/v3/webhook/destinations/?page=3`, previous: null, results: [destination(3), destination(4)] });
      // A link to another host must not be followed: the key would leak there.
      return send(200, { count: 5, next: 'http://elsewhere.invalid/v3/webhook/destinations/?page=4', previous: null, results: [destination(5)] });
    }
    if (url.pathname === '/v3/sessions/') return send(200, { count: 7, next: `${base}/v3/sessions/?limit=2&offset=4`, previous: null, results: [{ session_id: 's3' }, { session_id: 's4' }] });
    if (url.pathname === '/v3/workflows/') return send(401, { detail: 'Invalid API key.' });
    if (url.pathname === '/v3/session/busy/decision/') return send(429, { detail: 'Too many requests.' }, { 'retry-after': '7' });
    if (url.pathname === '/v3/session/boom/decision/') return send(500, { detail: 'Internal error.' });
    if (url.pathname === '/v3/session/') return send(400, { detail: 'Invalid request.', workflow_id: ['This field is required.'] });
    send(404, { detail: 'Not found.' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () => new HostedPlatform({ baseUrl: `${base}/`, apiKey: 'key_123456' });

test('destination lists are followed page by page, never to another origin', async () => {
  seen.length = 0;
  const all = await client().listDestinations();
  assert.deepEqual(
    all.map((d) => d.uuid),
    ['d-1', 'd-2', 'd-3', 'd-4', 'd-5'],
  );
  assert.equal(seen.length, 3, seen.map((s) => s.path).join(' '));
  assert.ok(seen.every((s) => s.key === 'key_123456'));
});

test('a session list page sends limit/offset and filters, and reads next_offset from the envelope', async () => {
  seen.length = 0;
  const page = await client().listSessions({ limit: 2, offset: 2, status: 'Approved', vendor_data: 'u 1' });
  assert.equal(seen[0]!.path, '/v3/sessions/?limit=2&offset=2&status=Approved&vendor_data=u+1');
  assert.deepEqual([page.count, page.next_offset, page.results.length], [7, 4, 2]);
});

test('HTTP errors become coded errors with hosted advice, never a sandbox tool', async () => {
  const cases: Array<[() => Promise<unknown>, string, RegExp]> = [
    [() => client().listWorkflows({ limit: 20, offset: 0 }), 'UNAUTHORIZED', /answered 401 to GET \/v3\/workflows\/: Invalid API key\. .*FACEMATCH_API_KEY/],
    [() => client().getDecision('busy'), 'RATE_LIMITED', /wait 7 s/],
    [() => client().getDecision('boom'), 'VALIDATION', /failed on its side; retry/],
    [() => client().getDecision('nope'), 'NOT_FOUND', /list what exists first/],
    [() => client().createSession({ workflow_id: '' }), 'VALIDATION', /answered 400 to POST \/v3\/session\//],
  ];
  for (const [run, code, text] of cases) {
    const err = await run().then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(isHostedError(err), String(err));
    assert.equal(err.code, code);
    assert.match(err.message, text);
    const shown = describeToolError('some_tool', err, 'hosted').text;
    assert.doesNotMatch(shown, /provision_account/);
  }
  const fieldErr = await client().createSession({ workflow_id: '' }).catch((e: unknown) => e);
  assert.match(describeToolError('create_session', fieldErr, 'hosted').text, /workflow_id: This field is required/);
});

test('an unreachable platform is one sentence naming FACEMATCH_API_BASE', async () => {
  // A port that was just free: nothing listens there.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const dead = new HostedPlatform({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' });
  await assert.rejects(dead.listDestinations(), /could not be reached \(ECONNREFUSED\); check FACEMATCH_API_BASE/);
});
