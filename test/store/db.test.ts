// The SQLite store: file and parents created, WAL, busy timeout, foreign keys, migrations
// applied once at open and recorded in user_version.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, schemaVersion } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { tempDb } from '../helpers/sandbox.js';

describe('store', () => {
  const tmp = tempDb();
  after(() => tmp.cleanup());

  it('creates the file and its parent folders, in WAL mode with foreign keys and a busy timeout', () => {
    assert.equal(existsSync(tmp.db), false);
    const db = openStore(tmp.db);
    try {
      assert.ok(existsSync(tmp.db));
      assert.equal(String(db.pragma('journal_mode', { simple: true })).toLowerCase(), 'wal');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.ok(Number(db.pragma('busy_timeout', { simple: true })) >= 1000);
      assert.equal(schemaVersion(db), MIGRATIONS.length);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => (r as { name: string }).name);
      for (const t of ['accounts', 'api_keys', 'workflows', 'workflow_versions', 'sessions', 'media', 'webhook_destinations', 'webhook_outbox', 'webhook_attempts']) {
        assert.ok(tables.includes(t), `table ${t} exists`);
      }
      assert.throws(
        () => db.prepare("INSERT INTO api_keys (id, application_id, key_hash, prefix, created_at) VALUES ('k', 'no-such-app', x'00', 'p', 0)").run(),
        /FOREIGN KEY/,
      );
    } finally {
      db.close();
    }
  });

  it('re-opening keeps the data and runs no migration twice', () => {
    const db = openStore(tmp.db);
    db.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'kept')").run();
    db.close();
    const again = openStore(tmp.db);
    try {
      assert.equal(schemaVersion(again), MIGRATIONS.length);
      assert.equal((again.prepare("SELECT value FROM meta WHERE key = 'probe'").get() as { value: string }).value, 'kept');
    } finally {
      again.close();
    }
  });

  it('upgrades an older file step by step (version 1 -> latest)', () => {
    const older = tempDb('old.db');
    try {
      mkdirSync(older.db.replace(/\/[^/]+$/, ''), { recursive: true });
      const raw = new Database(older.db);
      raw.exec(MIGRATIONS[0]!);
      raw.pragma('user_version = 1');
      raw.close();
      const db = openStore(older.db);
      try {
        assert.equal(schemaVersion(db), MIGRATIONS.length);
        const idx = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'sessions_workflow'").get();
        assert.ok(idx, 'migration 2 ran');
      } finally {
        db.close();
      }
    } finally {
      older.cleanup();
    }
  });

  it('refuses a database written by a newer version instead of damaging it', () => {
    const raw = new Database(tmp.db);
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    assert.throws(() => openStore(tmp.db), /newer than this facematch-mcp/);
    const fix = new Database(tmp.db);
    fix.pragma(`user_version = ${MIGRATIONS.length}`);
    fix.close();
  });
});
