// Several processes on one DB file: concurrent opening (migrations) and writing, and the
// outbox surviving kill -9 mid-delivery (the restarted process sends the same event, same bytes).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startReceiver, tempDb, testSandbox, type Receiver } from '../helpers/sandbox.js';

const servicesModule = fileURLToPath(new URL('../../src/services/index.js', import.meta.url));

/** Runs an ES module snippet in a new node process with the sandbox module imported as `S`. */
function child(code: string, env: Record<string, string>): { proc: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const src = `import * as S from ${JSON.stringify(servicesModule)};\n${code}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', src], {
    env: { ...process.env, FACEMATCH_LOG: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { proc, done };
}

const OPEN = `const sb = S.openSandbox({ dbPath: process.env.FM_DB, publicBaseUrl: 'http://127.0.0.1:9', webhookDelivery: { baseDelayMs: 20, timeoutMs: 30000, pollMs: 50 } });`;

describe('processes sharing one DB', () => {
  const tmp = tempDb();
  let receiver: Receiver | undefined;
  after(async () => {
    await receiver?.close();
    tmp.cleanup();
  });

  it('two processes open a fresh file, provision and create sessions at the same time', async () => {
    const provision = `${OPEN}
      const p = sb.accounts.provision({ email: 'race@example.com' }, { localCli: true });
      process.stdout.write(JSON.stringify({ app: p.application_id }));
      await sb.close();`;
    const first = await Promise.all([child(provision, { FM_DB: tmp.db }).done, child(provision, { FM_DB: tmp.db }).done]);
    for (const r of first) assert.equal(r.code, 0, r.stderr);
    const apps = first.map((r) => (JSON.parse(r.stdout) as { app: string }).app);
    assert.equal(apps[0], apps[1], 'both processes found the same account');

    const sb = testSandbox(tmp.db, { deliverWebhooks: false });
    const { api_key } = sb.accounts.provision({ email: 'race@example.com' }, { localCli: true });
    const app = sb.accounts.authenticate(api_key);
    const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    await sb.close();

    const create = `${OPEN}
      const app = sb.accounts.authenticate(process.env.FM_KEY);
      const ids = [];
      for (let i = 0; i < 30; i++) {
        ids.push(sb.sessions.create(app, { workflow_id: process.env.FM_WF, vendor_data: process.env.FM_NAME + '-' + i }).session_id);
        ids.push(sb.sessions.create(app, { workflow_id: process.env.FM_WF, vendor_data: 'shared-' + (i % 10) }).session_id);
      }
      process.stdout.write(JSON.stringify(ids));
      await sb.close();`;
    const runs = await Promise.all(
      ['a', 'b'].map((name) => child(create, { FM_DB: tmp.db, FM_KEY: api_key, FM_WF: wf, FM_NAME: name }).done),
    );
    for (const r of runs) assert.equal(r.code, 0, r.stderr);

    const check = testSandbox(tmp.db, { deliverWebhooks: false });
    try {
      const all = check.sessions.list(app, { limit: 1000 });
      assert.equal(all.count, 30 + 30 + 10, 'unique vendor_data made new sessions; shared vendor_data reused one session');
      const numbers = all.results.map((r) => r.session_number).sort((x, y) => x - y);
      assert.deepEqual(numbers, Array.from({ length: 70 }, (_, i) => i + 1));
      for (let k = 0; k < 10; k++) assert.equal(check.sessions.list(app, { vendor_data: `shared-${k}` }).count, 1);
      const ids = runs.flatMap((r) => JSON.parse(r.stdout) as string[]);
      assert.equal(new Set(ids).size, 70);
      // each new session queued nothing (no destinations) and the DB is consistent
      assert.equal((check.db.pragma('integrity_check', { simple: true }) as string), 'ok');
    } finally {
      await check.close();
    }
  });

  it('kill -9 during delivery: a restarted process delivers the same event_id and the same bytes', async () => {
    receiver = await startReceiver();
    receiver.stall = true;
    const setup = testSandbox(tmp.db, { deliverWebhooks: false });
    const { api_key } = setup.accounts.provision({ email: 'crash@example.com' });
    const app = setup.accounts.authenticate(api_key);
    const wf = setup.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    const secret = setup.webhooks.createDestination(app, { url: receiver.url, subscribed_events: ['status.updated'] }).secret_shared_key;
    await setup.close();

    // Process 1 creates a session (its status.updated goes to the outbox in the same
    // transaction) and starts delivering; the receiver never answers; we kill -9 it.
    const first = child(
      `${OPEN}
       const app = sb.accounts.authenticate(process.env.FM_KEY);
       const s = sb.sessions.create(app, { workflow_id: process.env.FM_WF, vendor_data: 'crash' });
       process.stdout.write(s.session_id + '\\n');
       setInterval(() => {}, 1000);`,
      { FM_DB: tmp.db, FM_KEY: api_key, FM_WF: wf },
    );
    const [hit] = await receiver.waitFor(1, 15_000);
    first.proc.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const sessionId = killed.stdout.trim();
    assert.equal(hit!.json.session_id, sessionId);

    // Process 2 opens the same file and flushes: the pending row is taken over at once
    // (its lease belonged to a dead process) and delivered.
    receiver.stall = false;
    const second = await child(
      `${OPEN}
       await sb.webhooks.flush(15000);
       const app = sb.accounts.authenticate(process.env.FM_KEY);
       process.stdout.write(JSON.stringify({ deliveries: sb.webhooks.listDeliveries(app, process.env.FM_SESSION), counts: sb.status().counts }));
       await sb.close();`,
      { FM_DB: tmp.db, FM_KEY: api_key, FM_SESSION: sessionId },
    ).done;
    assert.equal(second.code, 0, second.stderr);
    assert.equal(receiver.received.length, 2);
    const again = receiver.received[1]!;
    assert.equal(again.json.event_id, hit!.json.event_id, 'same event_id');
    assert.ok(again.rawBody.equals(hit!.rawBody), 'same body bytes');
    assert.equal(again.headers['x-signature'], hit!.headers['x-signature']);
    const out = JSON.parse(second.stdout) as { deliveries: Array<{ outcome: string; event_id: string }>; counts: Record<string, number> };
    assert.deepEqual(out.deliveries.map((d) => [d.event_id, d.outcome]), [[String(hit!.json.event_id), 'delivered']]);
    assert.equal(out.counts.webhook_deliveries_pending, 0);
    assert.equal(out.counts.webhook_deliveries_delivered, 1);
    assert.ok(secret.length === 43);
  });
});
