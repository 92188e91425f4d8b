// `listen --forward-to` beside a destination the app registered itself: listen says which
// secret applies to what and what to pause; a 401 from the app is never shown next to
// "signature ok"; the signature doctor does not call the refused delivery VALID.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSandbox } from '../../src/services/index.js';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { cliEnv as env, waitFor } from '../helpers/cli-process.js';
import { cliPath, tempDir } from '../helpers/mcp-harness.js';

test('listen beside the app\'s own destination: the secrets explained, no "signature ok" beside a 401, the doctor not fooled', { timeout: 180_000 }, async () => {
  const t = tempDir('fm-beside-');
  const proj = join(t.dir, 'app');
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), '{"name":"app"}');
  const prov = spawnSync(process.execPath, [cliPath, 'provision', '--email', 'dev@example.com'], { cwd: proj, env: env(), encoding: 'utf8' });
  assert.equal(prov.status, 0, prov.stderr);
  const { api_key: apiKey } = JSON.parse(prov.stdout) as { api_key: string };

  // A correct receiver that checks the secret of the destination the app registered.
  let appSecret = '';
  const got: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ok = verifyWebhook({ rawBody: Buffer.concat(chunks), headers: req.headers as Record<string, string>, secret: appSecret }).valid;
      got.push(ok ? 200 : 401);
      res.writeHead(ok ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const appUrl = `http://localhost:${(server.address() as AddressInfo).port}/webhooks/didit`;
  const sb = openSandbox({ dbPath: join(proj, '.facematch', 'sandbox.db'), deliverWebhooks: false });
  try {
    const dest = sb.webhooks.createDestination(sb.accounts.authenticate(apiKey), { label: 'my app', url: appUrl.replace('localhost', '127.0.0.1'), subscribed_events: ['status.updated'] });
    appSecret = dest.secret_shared_key;
  } finally {
    await sb.close();
  }

  let out = '';
  let err = '';
  const listen = spawn(process.execPath, [cliPath, 'listen', '--forward-to', appUrl], { cwd: proj, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  listen.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  listen.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  try {
    await waitFor(() => err, /ready; webhook signing secret/, 'listen ready');
    assert.match(err, /destination 'my app' \(\S+\) also delivers to http:\/\/127\.0\.0\.1:\d+\/webhooks\/didit, signed with ITS OWN secret \(…\w{4}\)/);
    assert.match(err, /Pause that destination while listen runs/);

    // Not spawnSync: the app's receiver lives in this process and must answer meanwhile.
    const trig = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = spawn(process.execPath, [cliPath, 'trigger', 'approved'], { cwd: proj, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let o = '';
      let e = '';
      c.stdout!.on('data', (d: Buffer) => (o += d.toString()));
      c.stderr!.on('data', (d: Buffer) => (e += d.toString()));
      c.on('exit', (code) => resolve({ code, out: o, err: e }));
    });
    assert.equal(trig.code, 0, trig.err);
    const session = /^session (\S+) ->/m.exec(trig.out)![1]!;
    const line = (await waitFor(() => out, new RegExp(`event\\s+status\\.updated\\s+Approved\\s+session ${session}\\s+-> 401 from ${appUrl.replace(/[/.]/g, '\\$&')}.*`), 'the forwarded 401'))[0];
    assert.doesNotMatch(line, /signature ok/, 'a 401 is never shown as "signature ok"');
    assert.match(line, /signed with listen's secret, but your app refused it: it checks another secret \(destination 'my app' signs with its own\)/);
    assert.match(line, /set FACEMATCH_WEBHOOK_SECRET to the secret that `listen --print-secret` prints/);
    assert.ok(got.includes(200) && got.includes(401), 'the app got the event twice: its own destination (200) and listen (401)');

    const refusedLine = (await waitFor(() => out, new RegExp(`attempt\\s+status\\.updated\\s+Approved\\s+session ${session}\\s+-> 401 \\S+ \\(attempt \\d+\\) to this listener.*delivery (00000000-0000-4000-8000-[0-9a-f]{12})`), "listen's refused attempt"));
    assert.doesNotMatch(refusedLine[0], /signature ok/, 'the attempt line does not say "signature ok" beside the 401 either');
    assert.match(refusedLine[0], /refused by the receiver \(it checks another secret\)/);
    const attempt = refusedLine[1]!;
    const doc = spawnSync(process.execPath, [cliPath, 'webhook', 'verify', '--delivery', attempt], { cwd: proj, env: env(), encoding: 'utf8' });
    assert.equal(doc.status, 1, 'not VALID: the receiver refused it');
    const verdict = JSON.parse(doc.stdout) as { valid: boolean; reason: string; response_status: number; signature_valid_with_destination_secret: boolean };
    assert.equal(verdict.valid, false);
    assert.equal(verdict.response_status, 401);
    assert.equal(verdict.signature_valid_with_destination_secret, true);
    assert.match(verdict.reason, /the receiver answered 401: it checks a different secret/);
    assert.match(verdict.reason, /'my app' \(http:\/\/127\.0\.0\.1:\d+\/webhooks\/didit, secret …\w{4}\)/);
  } finally {
    listen.kill('SIGTERM');
    await new Promise((r) => listen.once('exit', r));
    server.closeAllConnections();
    server.close();
    t.cleanup();
  }
});
