// The engine's worker threads lower their own scheduling priority (nice 10 by default), so face
// work takes only the CPU the calling thread leaves free; the calling thread keeps its own.
// Read from /proc (Linux: nice values are per thread).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { FaceEngine, DEFAULT_ENGINE_NICE } from '../../src/engine/index.js';

const linux = process.platform === 'linux';

function niceByThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after "(comm)": state is field 3; nice is field 19.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), Number(fields[16]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

test('engine workers run at the configured niceness; the calling thread does not', { skip: linux ? false : 'per-thread nice values are read from Linux /proc' }, async () => {
  // Relative to how this test process was started (a runner under `nice` starts above 0).
  const base = getPriority();
  const want = Math.max(base, DEFAULT_ENGINE_NICE);
  const before = new Set(niceByThread().keys());
  const engine = new FaceEngine({ workers: 2 });
  try {
    await engine.load();
    const now = niceByThread();
    const niced = [...now.entries()].filter(([t, n]) => n === want && !before.has(t));
    assert.ok(want === base || niced.length >= 2, `new threads at nice ${want}: ${niced.length} (want one per worker)`);
    assert.equal(now.get(process.pid), base, 'the calling (main) thread keeps its nice value');
  } finally {
    await engine.close();
  }
  const plain = new FaceEngine({ workers: 1, niceness: 0 });
  try {
    const threadsBefore = new Set(niceByThread().keys());
    await plain.load();
    const added = [...niceByThread().entries()].filter(([t]) => !threadsBefore.has(t));
    assert.ok(added.length > 0, 'the worker started threads');
    assert.ok(added.every(([, n]) => n === base), `niceness 0 leaves new threads at ${base}: ${JSON.stringify(added)}`);
  } finally {
    await plain.close();
  }
});
