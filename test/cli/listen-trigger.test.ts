// `listen` and `trigger` as real child processes, beside a real `serve` on the same project
// database, forwarding to a real HTTP receiver: every outcome arrives signed, listen prints one
// line per event and per attempt, retries show up, and SIGTERM stops listen cleanly.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { attemptUuid } from '../../src/services/webhooks.js';
import { startReceiver } from '../helpers/sandbox.js';
import { cliEnv as env, runCli as cli, waitFor } from '../helpers/cli-process.js';
import { cliPath, startServe, tempDir } from '../helpers/mcp-harness.js';

const OUTCOMES: Array<[string[], string, string | null]> = [
  // [trigger arguments, session status, face match risk]
  [['approved'], 'Approved', null],
  [['In', 'Review'], 'In Review', 'LOW_FACE_MATCH_SIMILARITY'],
  [['DECLINED'], 'Declined', 'LOW_FACE_MATCH_SIMILARITY'],
  [['no_reference-image'], 'Declined', 'NO_REFERENCE_IMAGE'],
  [['abandoned'], 'Abandoned', null],
  [['Expired'], 'Expired', null],
];

test('listen + trigger beside serve: every outcome forwarded, signed and printed', { timeout: 240_000 }, async () => {
  const t = tempDir('fm-loop-');
  const proj = join(t.dir, 'my-app');
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), '{"name":"my-app"}');
  const dbPath = join(proj, '.facematch', 'sandbox.db');
  const receiver = await startReceiver();
  let listen: ChildProcess | undefined;
  const serve = await startServe({ FACEMATCH_DB: dbPath, FACEMATCH_LOG: 'silent' });
  try {
    const prov = await cli(proj, ['provision', '--email', 'dev@example.com']);
    assert.equal(prov.code, 0, prov.err);
    const { api_key: apiKey, application_id: appId } = JSON.parse(prov.out) as { api_key: string; application_id: string };

    let out = '';
    let err = '';
    listen = spawn(process.execPath, [cliPath, 'listen', '--forward-to', receiver.url], { cwd: proj, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    listen.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    listen.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => listen!.once('exit', (code) => resolve(code)));
    const secret = (await waitFor(() => err, /webhook signing secret (\S+);/, 'the listen secret'))[1]!;
    assert.match(err, new RegExp(`application ${appId} of dev@example.com`), 'listen says which application it acts for');
    assert.match(err, /sandbox \.facematch\/sandbox\.db \(this project\)/);

    // An event produced by the running server (another process) reaches the listener too.
    const wf = await fetch(`${serve.url}/v3/workflows/`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ workflow_label: 'KYC', features: [{ feature: 'FACE_MATCH' }] }) });
    assert.equal(wf.status, 201, await wf.clone().text());
    const workflowId = ((await wf.json()) as { uuid: string }).uuid;
    const made = await fetch(`${serve.url}/v3/session/`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ workflow_id: workflowId, vendor_data: 'from-serve' }) });
    assert.equal(made.status, 201);
    const fromServe = ((await made.json()) as { session_id: string }).session_id;
    await waitFor(() => out, new RegExp(`event\\s+status\\.updated\\s+Not Started\\s+session ${fromServe}\\s+-> 200 from ${receiver.url.replace(/[/.]/g, '\\$&')}\\s+signature ok`), 'the serve-made event in listen');

    for (const [args, status, risk] of OUTCOMES) {
      const before = receiver.received.length;
      const r = await cli(proj, ['trigger', ...args, '--workflow', workflowId]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, new RegExp(`application ${appId}`), 'trigger says which application it acts for');
      const m = /^session (\S+) -> (.+?)(?: \(face match (\S+(?: \S+)?), score (\S+?)(?:, (\w+))?\))?; workflow/m.exec(r.out);
      assert.ok(m, r.out);
      const sessionId = m[1]!;
      assert.equal(m[2], status, r.out);
      assert.equal(m[5] ?? null, risk, r.out);
      assert.match(r.out, /status\.updated\s+\S.*-> facematch listen\s+HTTP 200, delivered/, r.out);
      // The app got the final status, signed with the secret listen printed.
      const got = await receiver.waitFor(before + 1, 15_000);
      const finals = got.slice(before).filter((d) => d.json.session_id === sessionId && d.json.status === status && d.json.webhook_type === 'status.updated');
      if (finals.length === 0) await receiver.waitFor(receiver.received.length + 1, 10_000);
      const final = receiver.received.find((d) => d.json.session_id === sessionId && d.json.status === status && d.json.webhook_type === 'status.updated');
      assert.ok(final, `the receiver got ${status} for ${sessionId}`);
      const check = verifyWebhook({ rawBody: final.rawBody, headers: final.headers as Record<string, string>, secret });
      assert.equal(check.valid, true, JSON.stringify(check));
      await waitFor(() => out, new RegExp(`event\\s+status\\.updated\\s+${status}\\s+session ${sessionId}\\s+-> 200 from .*signature ok\\s+event ${String(final.json.event_id)}`), `listen's event line for ${status}`);
      await waitFor(() => out, new RegExp(`attempt\\s+status\\.updated\\s+${status}\\s+session ${sessionId}\\s+-> 200 delivered \\(attempt 1\\) to this listener\\s+signature ok\\s+event \\S+\\s+delivery 00000000-0000-4000-8000-[0-9a-f]{12}\\n`), `listen's attempt line for ${status}`);
    }

    // The app fails once: the sandbox retries, listen shows the failed attempt and the redelivery.
    receiver.responses.push(500);
    const flaky = await cli(proj, ['trigger', 'approved', '--workflow', workflowId]);
    assert.equal(flaky.code, 0, flaky.err);
    await waitFor(() => out, /attempt\s+status\.updated\s+\S.*-> 500 retrying \(attempt 1\) to this listener/, 'a retrying attempt');
    await waitFor(() => out, /redelivery\s+status\.updated/, 'the redelivery line');

    // The doctor replays a recorded attempt by the id listen printed.
    // The uuid listen prints is the one list_webhook_deliveries shows and the doctor takes.
    const deliveryId = /delivery (00000000-0000-4000-8000-[0-9a-f]{12})\n/.exec(out)![1]!;
    const doc = await cli(proj, ['webhook', 'verify', '--delivery', deliveryId]);
    assert.equal(doc.code, 0, doc.err + doc.out);
    const docJson = JSON.parse(doc.out) as { valid: boolean; delivery_id: number };
    assert.equal(docJson.valid, true);
    assert.equal(attemptUuid(docJson.delivery_id), deliveryId);
    const wrong = await cli(proj, ['webhook', 'verify', '--delivery', deliveryId, '--secret', 'not-the-secret']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.out, /wrong secret/);

    // Bad input is one sentence and exit 2.
    const bad = await cli(proj, ['trigger', 'approve']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown outcome 'approve'; choose one of approved, in-review, declined, no-reference-image, abandoned, expired/);

    listen.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    assert.match(err, /stopping \(SIGTERM\)/);
    listen = undefined;
    const db = new Database(dbPath, { readonly: true });
    try {
      const dest = db.prepare("SELECT enabled FROM webhook_destinations WHERE label = 'facematch listen'").get() as { enabled: number };
      assert.equal(dest.enabled, 0, 'the listener destination is disabled when listen stops');
    } finally {
      db.close();
    }
    // Restarted, it keeps the same secret, so the app's .env stays right.
    const again = await cli(proj, ['listen', '--print-secret']);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out.trim(), secret);
  } finally {
    listen?.kill('SIGKILL');
    await serve.stop();
    await receiver.close();
    t.cleanup();
  }
});
