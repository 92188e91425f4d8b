// Worker side of checkpointer.ts: its own connection, PASSIVE checkpoints on a timer, a last
// one when told to stop. It never writes rows and never holds a read transaction.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file, { fileMustExist: true });
// A PASSIVE checkpoint does not wait for locks; the timeout only covers opening the WAL index.
db.pragma('busy_timeout = 1000');

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or the file went away: the next pass (or the main connection at close) does it.
  }
}

const timer = setInterval(checkpoint, intervalMs);
parentPort!.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort!.close();
});
