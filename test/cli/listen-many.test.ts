// Several `listen` processes on one project, as real child processes with `trigger`: each gets
// every event it subscribes to, none claims another's deliveries, stopping (or crashing) one
// leaves the others working, and the local receiver refuses browser-made posts.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { startReceiver, type Receiver } from '../helpers/sandbox.js';
import { cliEnv as env, runCli as cli, waitFor } from '../helpers/cli-process.js';
import { cliPath, tempDir } from '../helpers/mcp-harness.js';

interface Listener {
  child: ChildProcess;
  out(): string;
  err(): string;
  secret: string;
  exited: Promise<number | null>;
}

async function startListen(cwd: string, receiver: Receiver): Promise<Listener> {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, [cliPath, 'listen', '--forward-to', receiver.url], { cwd, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const secret = (await waitFor(() => err, /webhook signing secret (\S+);/, 'listen ready'))[1]!;
  return { child, out: () => out, err: () => err, secret, exited };
}

function finalsFor(receiver: Receiver, sessionId: string, status: string) {
  return receiver.received.filter((d) => d.json.session_id === sessionId && d.json.status === status && d.json.webhook_type === 'status.updated');
}

async function triggerApproved(proj: string): Promise<{ sessionId: string; out: string }> {
  const r = await cli(proj, ['trigger', 'approved']);
  assert.equal(r.code, 0, r.err);
  return { sessionId: /^session (\S+) ->/m.exec(r.out)![1]!, out: r.out };
}

test('two listen processes on one project both receive every event; stopping or killing one leaves the other working', { timeout: 240_000 }, async () => {
  const t = tempDir('fm-listen-many-');
  const proj = join(t.dir, 'app');
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), '{"name":"app"}');
  const dbPath = join(proj, '.facematch', 'sandbox.db');
  const ra = await startReceiver();
  const rb = await startReceiver();
  const rc = await startReceiver();
  const running: Listener[] = [];
  try {
    const prov = await cli(proj, ['provision', '--email', 'dev@example.com']);
    assert.equal(prov.code, 0, prov.err);

    const a = await startListen(proj, ra);
    running.push(a);
    const b = await startListen(proj, rb);
    running.push(b);
    assert.equal(b.secret, a.secret, 'every listener signs with the one listen secret the app keeps in .env');
    assert.match(b.err(), /1 other listener\(s\) on this application keep receiving too/);

    const one = await triggerApproved(proj);
    assert.match(one.out, /status\.updated\s+Approved\s+-> facematch listen  HTTP 200, delivered/, one.out);
    assert.match(one.out, /status\.updated\s+Approved\s+-> facematch listen 2  HTTP 200, delivered/, one.out);
    await ra.waitFor(1, 15_000);
    await rb.waitFor(1, 15_000);
    await waitFor(() => String(finalsFor(ra, one.sessionId, 'Approved').length + finalsFor(rb, one.sessionId, 'Approved').length), /^2$/, 'both apps got Approved');
    for (const r of [ra, rb]) {
      const got = finalsFor(r, one.sessionId, 'Approved')[0]!;
      assert.equal(verifyWebhook({ rawBody: got.rawBody, headers: got.headers as Record<string, string>, secret: a.secret }).valid, true);
    }
    // Each listener calls only its own deliveries "this listener"; it sees the other's as another's.
    for (const [l, other] of [[a, "another listener \\('facematch listen 2'\\)"], [b, "another listener \\('facematch listen'\\)"]] as const) {
      await waitFor(l.out, new RegExp(`attempt\\s+status\\.updated\\s+Approved\\s+session ${one.sessionId}\\s+-> 200 delivered \\(attempt 1\\) to this listener`), 'own attempt');
      await waitFor(l.out, new RegExp(`attempt\\s+status\\.updated\\s+Approved\\s+session ${one.sessionId}\\s+-> 200 delivered \\(attempt 1\\) to ${other}`), "the other's attempt");
      const mine = l.out().split('\n').filter((x) => x.includes(one.sessionId) && x.includes('to this listener'));
      assert.equal(mine.length, l === a ? ra.received.filter((d) => d.json.session_id === one.sessionId).length : rb.received.filter((d) => d.json.session_id === one.sessionId).length, 'one "this listener" line per delivery its app got');
    }

    // The receiver refuses what a browser page could send it (Origin, foreign Host).
    const db = new Database(dbPath, { readonly: true });
    const listenUrl = (db.prepare("SELECT url FROM webhook_destinations WHERE label = 'facematch listen'").get() as { url: string }).url;
    db.close();
    const before = ra.received.length;
    const fromPage = await fetch(listenUrl, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: '{"event_id":"x"}' });
    assert.equal(fromPage.status, 403);
    assert.match(((await fromPage.json()) as { detail: string }).detail, /only the local sandbox posts here/);
    const rebound = await new Promise<number>((resolve, reject) => {
      const u = new URL(listenUrl);
      const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
    assert.equal(rebound, 403);
    assert.equal(ra.received.length, before, 'nothing was forwarded to the app');

    // Stopping B leaves A working, and A still receives.
    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0);
    running.splice(running.indexOf(b), 1);
    const two = await triggerApproved(proj);
    assert.match(two.out, /-> facematch listen  HTTP 200, delivered/, two.out);
    assert.doesNotMatch(two.out, /facematch listen 2/, 'a stopped listener gets nothing queued');
    await waitFor(() => String(finalsFor(ra, two.sessionId, 'Approved').length), /^1$/, 'A got the event after B stopped');
    assert.equal(finalsFor(rb, two.sessionId, 'Approved').length, 0);

    // A killed without cleanup: a new listener takes its slot instead of leaving a dead destination.
    a.child.kill('SIGKILL');
    await a.exited;
    running.splice(running.indexOf(a), 1);
    const c = await startListen(proj, rc);
    running.push(c);
    assert.doesNotMatch(c.err(), /other listener/, 'the killed listener is not counted as running');
    const three = await triggerApproved(proj);
    assert.doesNotMatch(three.out, /pending|failed|no answer/, three.out);
    await waitFor(() => String(finalsFor(rc, three.sessionId, 'Approved').length), /^1$/, 'C got the event');
  } finally {
    for (const l of running) l.child.kill('SIGKILL');
    await Promise.all([ra.close(), rb.close(), rc.close()]);
    t.cleanup();
  }
});
