// Webhook destinations and delivery to a real receiver on 127.0.0.1: signatures, envelope,
// retries on 5xx/404 with each attempt recorded, giving up on other codes, redacted secrets.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import type { AppContext, Sandbox } from '../../src/services/index.js';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { provisionApp, startReceiver, tempDb, testSandbox, type Receiver } from '../helpers/sandbox.js';

const isCode = (code: string) => (e: unknown) => e instanceof FacematchError && e.code === code;

describe('webhooks', () => {
  const tmp = tempDb();
  let sb: Sandbox;
  let app: AppContext;
  let receiver: Receiver;
  let wf: string;
  before(async () => {
    receiver = await startReceiver();
    sb = testSandbox(tmp.db);
    app = provisionApp(sb).app;
    wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
  });
  after(async () => {
    await sb.close();
    await receiver.close();
    tmp.cleanup();
  });

  it('destination validation: events, url, uniqueness per application', () => {
    const fields = (input: unknown): string[] => {
      try {
        sb.webhooks.createDestination(app, input);
      } catch (err) {
        assert.ok(isCode('VALIDATION')(err), String(err));
        return Object.keys((err as FacematchError).fields ?? {});
      }
      assert.fail('accepted');
    };
    assert.deepEqual(fields({ url: 'http://127.0.0.1:1/x', subscribed_events: [] }), ['subscribed_events']);
    assert.deepEqual(fields({ url: 'http://127.0.0.1:1/x', subscribed_events: ['user.created'] }), ['subscribed_events.0']);
    assert.deepEqual(fields({ url: 'ftp://127.0.0.1/x', subscribed_events: ['status.updated'] }), ['url']);
    assert.deepEqual(fields({ url: 'not a url', subscribed_events: ['status.updated'] }), ['url']);
    assert.deepEqual(fields({ subscribed_events: ['status.updated'] }), ['url']);
    assert.deepEqual(fields({ url: 'http://127.0.0.1:1/x', subscribed_events: ['status.updated'], enabled: 'yes' }), ['enabled']);
    sb.webhooks.createDestination(app, { url: 'http://127.0.0.1:1/dup', subscribed_events: ['data.updated'], enabled: false });
    assert.throws(() => sb.webhooks.createDestination(app, { url: 'http://127.0.0.1:1/dup', subscribed_events: ['status.updated'] }), isCode('CONFLICT'));
    // another application may use the same url
    const other = provisionApp(sb, 'other@example.com').app;
    assert.ok(sb.webhooks.createDestination(other, { url: 'http://127.0.0.1:1/dup', subscribed_events: ['status.updated'] }).uuid);
  });

  it('the secret is 43 URL-safe characters, returned in full to the key owner with its last 4', () => {
    const created = sb.webhooks.createDestination(app, { label: 'main', url: receiver.url, subscribed_events: ['status.updated', 'data.updated'] });
    assert.match(created.secret_shared_key, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(created.enabled, true);
    assert.deepEqual(created.summary, { pending: 0, delivered: 0, failed: 0, attempts: 0, last_attempt_at: null, last_status_code: null });
    const listed = sb.webhooks.listDestinations(app);
    assert.ok(listed.length >= 2);
    // The platform returns the signing secret in full to the API key that owns it.
    const got = sb.webhooks.getDestination(app, created.uuid);
    assert.equal(got.secret_shared_key, created.secret_shared_key);
    assert.equal(got.secret_last4, created.secret_shared_key.slice(-4));
    assert.equal(got.previous_secret_expires_at, null);
    assert.equal(listed.find((d) => d.uuid === created.uuid)!.secret_shared_key, created.secret_shared_key);
    secret = created.secret_shared_key;
    destId = created.uuid;
  });
  let secret = '';
  let destId = '';

  it('every status change is delivered, signed as the hosted service signs', async () => {
    const s = sb.sessions.create(app, { workflow_id: wf, vendor_data: 'u-1', metadata: { note: 'café ☕' } });
    sb.sessions.simulate(app, s.session_id, 'Approved');
    await sb.webhooks.flush(5000);
    const got = receiver.received.filter((r) => r.json.session_id === s.session_id);
    // Not Started, then Approved: data.updated is only for reviewer edits of extracted data.
    assert.deepEqual(got.map((r) => `${r.json.webhook_type}:${r.json.status}`), ['status.updated:Not Started', 'status.updated:Approved']);
    for (const r of got) {
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['user-agent'], 'DiditWebhook/2.0');
      // X-Signature is the HMAC of the exact bytes received
      assert.equal(r.headers['x-signature'], createHmac('sha256', secret).update(r.rawBody).digest('hex'));
      const simple = `${r.json.timestamp}:${r.json.session_id}:${r.json.status}:${r.json.webhook_type}`;
      assert.equal(r.headers['x-signature-simple'], createHmac('sha256', secret).update(simple).digest('hex'));
      assert.equal(r.headers['x-timestamp'], String(r.json.timestamp));
      assert.ok(r.rawBody.every((b) => b < 0x80), 'body is ASCII (non-ASCII escaped)');
      const v = verifyWebhook({ rawBody: r.rawBody, headers: r.headers, secret, now: Number(r.json.timestamp) });
      assert.equal(v.valid, true, JSON.stringify(v));
      assert.equal(verifyWebhook({ rawBody: r.rawBody, headers: r.headers, secret: 'wrong', now: Number(r.json.timestamp) }).valid, false);
      for (const k of ['event_id', 'webhook_type', 'timestamp', 'created_at', 'application_id', 'environment', 'session_id', 'status', 'workflow_id', 'workflow_version', 'vendor_data', 'metadata']) {
        assert.ok(k in r.json, `envelope has ${k}`);
      }
      assert.match(String(r.json.event_id), /^[0-9a-f-]{36}$/);
      assert.equal(r.json.environment, 'sandbox');
      assert.equal(r.json.application_id, app.applicationId);
      assert.deepEqual(r.json.metadata, { note: 'café ☕' });
      assert.equal('decision' in r.json, r.json.status === 'Approved');
    }
    const decision = got[1]!.json.decision as { status: string; face_matches: Array<{ status: string }> };
    assert.equal(decision.status, 'Approved');
    assert.equal(decision.face_matches[0]!.status, 'Approved');
    assert.equal(new Set(got.map((r) => r.json.event_id)).size, 2);

    const log = sb.webhooks.listDeliveries(app, s.session_id);
    assert.equal(log.length, 2);
    assert.ok(log.every((d) => d.outcome === 'delivered' && d.status_code === 200 && d.attempt === 1 && d.url === receiver.url));
    assert.equal(sb.webhooks.getDestination(app, destId).summary.delivered >= 2, true);
  });

  it('retries on 500 and 404 with backoff, recording each attempt, then succeeds with the same event and body', async () => {
    const before = receiver.received.length;
    receiver.responses.push(500, 404, 503);
    const s = sb.sessions.create(app, { workflow_id: wf });
    await sb.webhooks.flush(10_000);
    const got = receiver.received.slice(before).filter((r) => r.json.session_id === s.session_id);
    assert.equal(got.length, 4);
    assert.equal(new Set(got.map((r) => r.json.event_id)).size, 1);
    assert.equal(new Set(got.map((r) => r.rawBody.toString('latin1'))).size, 1, 'retries send the same bytes');
    const log = sb.webhooks.listDeliveries(app, s.session_id);
    assert.deepEqual(log.map((d) => [d.attempt, d.status_code, d.outcome]), [
      [1, 500, 'retrying'],
      [2, 404, 'retrying'],
      [3, 503, 'retrying'],
      [4, 200, 'delivered'],
    ]);
    assert.ok(log.every((d) => d.duration_ms >= 0 && d.event_id === got[0]!.json.event_id));
  });

  it('gives up at once on other 4xx, and after the attempt cap on network errors', async () => {
    receiver.responses.push(400);
    const s = sb.sessions.create(app, { workflow_id: wf });
    await sb.webhooks.flush(5000);
    assert.deepEqual(sb.webhooks.listDeliveries(app, s.session_id).map((d) => [d.status_code, d.outcome]), [[400, 'failed']]);

    // a destination that refuses connections: 6 attempts, all recorded, then failed
    const dead = sb.webhooks.createDestination(app, { url: 'http://127.0.0.1:9/hooks', subscribed_events: ['status.updated'] });
    const s2 = sb.sessions.create(app, { workflow_id: wf });
    await sb.webhooks.flush(15_000);
    const deadLog = sb.webhooks.listDeliveries(app, s2.session_id).filter((d) => d.destination_id === dead.uuid);
    assert.equal(deadLog.length, 6);
    assert.ok(deadLog.slice(0, 5).every((d) => d.outcome === 'retrying' && d.status_code === null && d.error));
    assert.equal(deadLog[5]!.outcome, 'failed');
    assert.equal(sb.webhooks.getDestination(app, dead.uuid).summary.failed, 1);
    sb.webhooks.updateDestination(app, dead.uuid, { enabled: false });
    assert.equal(sb.webhooks.getDestination(app, dead.uuid).enabled, false);
  });

  it('resend by event_id sends the same event again; by session_id a fresh event for the current status', async () => {
    const s = sb.sessions.create(app, { workflow_id: wf });
    await sb.webhooks.flush(5000);
    const first = receiver.received.filter((r) => r.json.session_id === s.session_id);
    assert.equal(first.length, 1);
    const eventId = String(first[0]!.json.event_id);
    assert.deepEqual(sb.webhooks.resend(app, { eventId }), { event_id: eventId, queued: 1 });
    const fresh = sb.webhooks.resend(app, { sessionId: s.session_id });
    assert.notEqual(fresh.event_id, eventId);
    await sb.webhooks.flush(5000);
    const all = receiver.received.filter((r) => r.json.session_id === s.session_id);
    assert.deepEqual(all.map((r) => r.json.event_id), [eventId, eventId, fresh.event_id]);
    assert.throws(() => sb.webhooks.resend(app, {}), isCode('VALIDATION'));
    assert.throws(() => sb.webhooks.resend(app, { eventId: 'nope' }), isCode('NOT_FOUND'));
  });

  it("the platform's user/business/transaction event names are accepted but never sent", async () => {
    // SPEC: "others exist on the platform for users, businesses and transactions"; code that
    // subscribes to them must run unchanged here, and the sandbox has no such entities.
    const own = provisionApp(sb, 'platform-events@example.com').app;
    const ownWf = sb.workflows.create(own, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    const platformOnly = ['user.status.updated', 'business.data.updated', 'transaction.created'];
    const only = sb.webhooks.createDestination(own, { url: `${receiver.url}/platform-only`, subscribed_events: platformOnly });
    assert.deepEqual(only.subscribed_events, platformOnly);
    sb.webhooks.createDestination(own, { url: `${receiver.url}/mixed`, subscribed_events: ['status.updated', 'user.data.updated'] });
    const s = sb.sessions.create(own, { workflow_id: ownWf });
    sb.sessions.simulate(own, s.session_id, 'Declined');
    await sb.webhooks.flush(5000);
    const got = receiver.received.filter((r) => r.json.session_id === s.session_id);
    assert.deepEqual(
      got.map((r) => `${r.path}|${r.json.webhook_type}|${r.json.status}`),
      ['/hooks/mixed|status.updated|Not Started', '/hooks/mixed|status.updated|Declined'],
    );
    assert.equal(sb.webhooks.getDestination(own, only.uuid).summary.attempts, 0);
    // Still a strict list: a typo is refused, naming the entry.
    assert.throws(
      () => sb.webhooks.createDestination(own, { url: `${receiver.url}/typo`, subscribed_events: ['status.update'] }),
      (e) => isCode('VALIDATION')(e) && Object.keys((e as FacematchError).fields ?? {}).includes('subscribed_events.0'),
    );
  });

  it('the envelope carries `decision` exactly when the status is Approved, Declined, In Review or Abandoned', async () => {
    const own = provisionApp(sb, 'decision-envelope@example.com').app;
    const ownWf = sb.workflows.create(own, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    sb.webhooks.createDestination(own, { url: `${receiver.url}/decision`, subscribed_events: ['status.updated'] });
    const ids = new Set<string>();
    for (const outcome of ['Approved', 'Declined', 'In Review', 'Abandoned', 'Expired'] as const) {
      const s = sb.sessions.create(own, { workflow_id: ownWf });
      ids.add(s.session_id);
      sb.sessions.simulate(own, s.session_id, outcome);
    }
    await sb.webhooks.flush(5000);
    const got = receiver.received.filter((r) => ids.has(String(r.json.session_id)));
    const seen = got.map((r) => `${r.json.status}:${'decision' in r.json}`).sort();
    assert.deepEqual(seen, [
      'Abandoned:true',
      'Approved:true',
      'Declined:true',
      'Expired:false',
      'In Review:true',
      ...Array<string>(5).fill('Not Started:false'),
    ]);
    for (const r of got.filter((x) => 'decision' in x.json)) {
      assert.equal((r.json.decision as { status: string }).status, r.json.status);
    }
  });

  it('deleting a destination stops its deliveries; status() counts', () => {
    sb.webhooks.deleteDestination(app, destId);
    assert.throws(() => sb.webhooks.getDestination(app, destId), isCode('NOT_FOUND'));
    const st = sb.status();
    assert.equal(st.dbPath, tmp.db);
    assert.ok(st.counts.sessions! >= 5);
    assert.ok(st.counts.webhook_deliveries_failed! >= 1);
    assert.equal(st.counts.webhook_deliveries_pending, 0);
    assert.equal(JSON.stringify(st).includes(secret), false); // status() never shows secrets
  });
});
