// WAL checkpoints off the calling thread. SQLite's automatic checkpoint runs inside the commit
// that crosses 1000 WAL pages, on the thread that commits, and includes an fsync: under load
// that made the HTTP server's main thread stall (disabling it doubled the rate of session
// creation under the mixed benchmark). A long-running process instead turns the automatic
// checkpoint off and lets a worker thread, with its own connection, run PASSIVE checkpoints
// (which never block readers or writers) a few times a second.
import { Worker } from 'node:worker_threads';
import { log } from '../log.js';
import type { Db } from './db.js';

/** SQLite's default, restored if the worker cannot run. */
const AUTOCHECKPOINT_PAGES = 1000;
/** After a checkpoint resets the WAL, its file is cut back to this size. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface Checkpointer {
  /** Final checkpoint, then the worker stops (the connection's automatic checkpoint is back on). */
  stop(): Promise<void>;
  /** False once the worker has stopped or failed (the automatic checkpoint is then on again). */
  readonly running: boolean;
}

export interface CheckpointerOptions {
  /** Milliseconds between checkpoint passes (default 250). */
  intervalMs?: number;
}

export function startCheckpointer(db: Db, file: string, opts: CheckpointerOptions = {}): Checkpointer {
  const intervalMs = Math.max(10, Math.floor(opts.intervalMs ?? 250));
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { file, intervalMs } });
  // The process may exit while it runs; a checkpoint is never needed for correctness.
  worker.unref();
  let running = true;
  const fallback = (why: string): void => {
    if (!running) return;
    running = false;
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    log(`database checkpoints back on the main thread (${why})`);
  };
  worker.on('error', (err) => fallback(err.message));
  worker.on('exit', (code) => {
    if (running && code !== 0) fallback(`checkpoint worker stopped with code ${code}`);
  });
  db.pragma('wal_autocheckpoint = 0');
  return {
    get running() {
      return running;
    },
    async stop() {
      if (!running) return;
      running = false;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // Held alive until the last checkpoint is written.
      worker.ref();
      worker.postMessage('stop');
      await exited;
      if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    },
  };
}
