// `facematch-mcp serve` as a real child process: prints its base URL on stderr, session URLs
// use the bound port, SIGTERM/SIGINT close it cleanly (exit 0), bad options exit 2 with a sentence.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import type { SessionCreated, VerifyEmailResult, Workflow } from '../../src/contract/index.js';
import { call } from '../helpers/http-twin.js';
import { tempDb } from '../helpers/sandbox.js';

const CLI = join(packageRoot, 'dist', 'src', 'cli.js');

function serve(args: string[]): { child: ChildProcess; url: Promise<string>; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FACEMATCH_LOG: '' } });
  let err = '';
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    void exit.then((code) => reject(new Error(`serve exited (${code}) before listening: ${err}`)));
  });
  return { child, url, stderr: () => `${err}${out ? `\nSTDOUT: ${out}` : ''}`, exit };
}

test('serve: base URL on stderr, session URLs on the bound port, clean exit on SIGTERM and SIGINT', async () => {
  const tmp = tempDb();
  try {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const s = serve(['--port', '0', '--db', tmp.db, '--no-mcp']);
      const url = await s.url;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const email = `serve-${signal.toLowerCase()}@example.com`;
      assert.equal((await call(url, 'POST', '/auth/v2/programmatic/register/', { json: { email, password: 'Serve!pass1' } })).status, 201);
      const credential = /sandbox credential[^\n]*: (fmsb_\S+)/.exec(s.stderr())?.[1];
      assert.ok(credential, `serve prints the sandbox credential: ${s.stderr()}`);
      const code = (await call(url, 'GET', `/sandbox/verification-code/?email=${email}`, { headers: { authorization: `Bearer ${credential}` } })).json as { code: string };
      const key = ((await call(url, 'POST', '/auth/v2/programmatic/verify-email/', { json: { email, code: code.code } })).json as VerifyEmailResult).application.api_key;
      const wf = (await call(url, 'POST', '/v3/workflows/', { key, json: { features: [{ feature: 'FACE_MATCH' }] } })).json as Workflow;
      const session = (await call(url, 'POST', '/v3/session/', { key, json: { workflow_id: wf.workflow_id } })).json as SessionCreated;
      assert.ok(session.url.startsWith(`${url}/session/`), `session url ${session.url} uses the bound port`);
      s.child.kill(signal);
      assert.equal(await s.exit, 0, s.stderr());
      assert.match(s.stderr(), new RegExp(`stopping \\(${signal}\\)`));
      assert.doesNotMatch(s.stderr(), /STDOUT/, 'nothing is written to stdout');
    }
  } finally {
    tmp.cleanup();
  }
});

test('serve: bad options and a busy port exit 2 with one sentence', async () => {
  const tmp = tempDb();
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const busy = (blocker.address() as AddressInfo).port;
  try {
    const cases: Array<[string[], RegExp]> = [
      [['--host', '0.0.0.0'], /loopback/],
      [['--port', 'eighty'], /--port/],
      [['--port', '70000'], /--port/],
      [['--frobnicate'], /unknown option --frobnicate/],
      [['--rate-limit-write', '0'], /rate-limit-write/],
      [['--public-url', 'ftp://x'], /public-url/],
      [['--port', String(busy)], /already in use/],
    ];
    for (const [args, message] of cases) {
      const s = serve([...args, '--db', tmp.db, '--no-mcp']);
      s.url.catch(() => undefined);
      assert.equal(await s.exit, 2, `${args.join(' ')}: ${s.stderr()}`);
      assert.match(s.stderr(), message);
      assert.doesNotMatch(s.stderr(), /\n\s+at /, 'no stack trace');
    }
  } finally {
    blocker.close();
    tmp.cleanup();
  }
});
