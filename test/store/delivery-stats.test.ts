// Each destination's delivery summary (webhook_destination_stats, migration 7) is kept by
// triggers. It must equal a count from scratch: after the upgrade of a file that already has
// deliveries (backfill), and after every write path the services use (enqueue, an attempt, a
// state change, a session's deliveries deleted, a destination deleted).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { tempDb } from '../helpers/sandbox.js';

type Db = InstanceType<typeof Database>;

const STATS_MIGRATION = 7;

function fromScratch(db: Db, dest: string): Record<string, number | null> {
  const c = (state: string): number => (db.prepare('SELECT COUNT(*) AS n FROM webhook_outbox WHERE destination_id = ? AND state = ?').get(dest, state) as { n: number }).n;
  const last = db
    .prepare('SELECT a.created_at, a.status_code FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id WHERE o.destination_id = ? ORDER BY a.id DESC LIMIT 1')
    .get(dest) as { created_at: number; status_code: number | null } | undefined;
  const attempts = (db.prepare('SELECT COUNT(*) AS n FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id WHERE o.destination_id = ?').get(dest) as { n: number }).n;
  return { pending: c('pending'), delivered: c('delivered'), failed: c('failed'), attempts, last_attempt_at: last?.created_at ?? null, last_status_code: last?.status_code ?? null };
}

function kept(db: Db, dest: string): Record<string, number | null> | undefined {
  return db.prepare('SELECT pending, delivered, failed, attempts, last_attempt_at, last_status_code FROM webhook_destination_stats WHERE destination_id = ?').get(dest) as
    | Record<string, number | null>
    | undefined;
}

let seq = 0;
function destination(db: Db, id: string): void {
  db.prepare("INSERT INTO webhook_destinations (id, application_id, label, url, subscribed_events, enabled, webhook_version, secret, created_at) VALUES (?, 'app', 'l', ?, '[]', 1, 'v3', 's', 0)").run(id, `http://127.0.0.1/${id}`);
}
function enqueue(db: Db, dest: string, session: string, state = 'pending'): number {
  return Number(
    db
      .prepare("INSERT INTO webhook_outbox (event_id, webhook_type, application_id, session_id, destination_id, payload, state, next_attempt_at, created_at) VALUES (?, 'status.updated', 'app', ?, ?, '{}', ?, 0, 0)")
      .run(`ev-${++seq}`, session, dest, state).lastInsertRowid,
  );
}
function attempt(db: Db, outbox: number, code: number | null): void {
  db.prepare("INSERT INTO webhook_attempts (outbox_id, attempt, status_code, duration_ms, outcome, created_at) VALUES (?, 1, ?, 5, 'x', ?)").run(outbox, code, 1000 + ++seq);
}

describe('destination delivery stats', () => {
  const tmp = tempDb('stats.db');
  after(() => tmp.cleanup());

  it('the upgrade backfills them from the deliveries already in the file', () => {
    mkdirSync(dirname(tmp.db), { recursive: true });
    const raw = new Database(tmp.db);
    raw.pragma('foreign_keys = OFF');
    for (const m of MIGRATIONS.slice(0, STATS_MIGRATION - 1)) raw.exec(m);
    raw.pragma(`user_version = ${STATS_MIGRATION - 1}`);
    destination(raw, 'd1');
    destination(raw, 'd2');
    const a = enqueue(raw, 'd1', 's1', 'delivered');
    attempt(raw, a, 500);
    attempt(raw, a, 200);
    enqueue(raw, 'd1', 's2', 'failed');
    enqueue(raw, 'd1', 's2');
    raw.close();
    const db = openStore(tmp.db);
    try {
      assert.deepEqual(kept(db, 'd1'), fromScratch(db, 'd1'));
      assert.deepEqual(kept(db, 'd1'), { pending: 1, delivered: 1, failed: 1, attempts: 2, last_attempt_at: fromScratch(db, 'd1').last_attempt_at, last_status_code: 200 });
      assert.deepEqual(kept(db, 'd2'), { pending: 0, delivered: 0, failed: 0, attempts: 0, last_attempt_at: null, last_status_code: null });
    } finally {
      db.close();
    }
  });

  it('every write path keeps them equal to a count from scratch', () => {
    const db = openStore(tmp.db);
    db.pragma('foreign_keys = OFF');
    try {
      destination(db, 'd3');
      assert.deepEqual(kept(db, 'd3'), fromScratch(db, 'd3'), 'a new destination starts at zero');
      const rows = [enqueue(db, 'd3', 's3'), enqueue(db, 'd3', 's3'), enqueue(db, 'd3', 's4')];
      assert.deepEqual(kept(db, 'd3'), fromScratch(db, 'd3'));
      attempt(db, rows[0]!, 503);
      db.prepare('UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = 5 WHERE id = ?').run(rows[0]); // a retry: state unchanged
      attempt(db, rows[0]!, 200);
      db.prepare("UPDATE webhook_outbox SET state = 'delivered' WHERE id = ?").run(rows[0]);
      attempt(db, rows[1]!, null);
      db.prepare("UPDATE webhook_outbox SET state = 'failed' WHERE id = ?").run(rows[1]);
      assert.deepEqual(kept(db, 'd3'), fromScratch(db, 'd3'));
      assert.equal(kept(db, 'd3')!.last_status_code, null, 'the last attempt was a network error');
      // A session's deliveries deleted (session-deletion.ts order: attempts, then outbox rows).
      db.prepare('DELETE FROM webhook_attempts WHERE outbox_id IN (SELECT id FROM webhook_outbox WHERE session_id = ?)').run('s3');
      db.prepare('DELETE FROM webhook_outbox WHERE session_id = ?').run('s3');
      const after = kept(db, 'd3')!;
      const truth = fromScratch(db, 'd3');
      assert.deepEqual({ ...after, last_attempt_at: null, last_status_code: null }, { ...truth, last_attempt_at: null, last_status_code: null });
      assert.equal(after.pending, 1);
      assert.equal(after.attempts, 0);
      // The destination deleted (webhooks.ts order): its stats go with it.
      db.prepare('DELETE FROM webhook_attempts WHERE outbox_id IN (SELECT id FROM webhook_outbox WHERE destination_id = ?)').run('d3');
      db.prepare('DELETE FROM webhook_outbox WHERE destination_id = ?').run('d3');
      db.prepare('DELETE FROM webhook_destinations WHERE id = ?').run('d3');
      assert.equal(kept(db, 'd3'), undefined);
      // Other destinations untouched throughout.
      assert.deepEqual(kept(db, 'd1'), fromScratch(db, 'd1'));
    } finally {
      db.close();
    }
  });
});
