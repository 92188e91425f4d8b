// Background WAL checkpoints (src/store/checkpointer.ts): while the worker runs, commits on
// the main connection never checkpoint (wal_autocheckpoint 0), yet the WAL file stays bounded
// because the worker's passive checkpoints let writers restart it; after stop() the automatic
// checkpoint is back. Without the worker the same writes grow the WAL without bound.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { startCheckpointer } from '../../src/store/checkpointer.js';
import { openStore, type Db } from '../../src/store/db.js';
import { tempDb } from '../helpers/sandbox.js';

const ROW = 'x'.repeat(3000);

/** 80 batches of 50 one-row commits (~12 MB of WAL frames in all), pausing between batches. */
async function writeLoad(db: Db): Promise<number> {
  db.exec('CREATE TABLE IF NOT EXISTS load (id INTEGER PRIMARY KEY, v TEXT)');
  const ins = db.prepare('INSERT INTO load (v) VALUES (?)');
  let maxWal = 0;
  for (let batch = 0; batch < 80; batch++) {
    for (let i = 0; i < 50; i++) db.transaction(() => ins.run(ROW)).immediate();
    maxWal = Math.max(maxWal, statSync(`${db.name}-wal`).size);
    await sleep(30);
  }
  return maxWal;
}

describe('background checkpoints', () => {
  const tmp = tempDb('ckpt.db');
  after(() => tmp.cleanup());

  it('keep the WAL bounded while commits never checkpoint themselves', async () => {
    const db = openStore(tmp.db);
    try {
      const cp = startCheckpointer(db, tmp.db, { intervalMs: 20 });
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
      const maxWal = await writeLoad(db);
      assert.ok(cp.running);
      await cp.stop();
      assert.equal(cp.running, false);
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000, 'automatic checkpoints back after stop()');
      // 50 commits between passes are ~150 pages (0.6 MB); a busy machine may delay a few passes,
      // but never most of them (without the worker the WAL reaches ~12 MB, next test).
      assert.ok(maxWal < 6 * 1024 * 1024, `WAL grew to ${maxWal} bytes`);
    } finally {
      db.close();
    }
  });

  it('the same writes without the worker and without automatic checkpoints grow the WAL (the test can fail)', async () => {
    const db = openStore(tmp.db);
    try {
      db.pragma('wal_autocheckpoint = 0');
      const maxWal = await writeLoad(db);
      assert.ok(maxWal > 10 * 1024 * 1024, `WAL only ${maxWal} bytes`);
    } finally {
      db.close();
    }
  });
});
