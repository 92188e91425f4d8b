// The onnxruntime tuning cache: keyed by CPU, onnxruntime version, model hash and threads;
// a cached level is used without measuring; a corrupt file is ignored and rewritten; a
// forced level wins. Real models, real files in a temporary cache folder.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelsDir } from '../../src/paths.js';
import { MODEL_DIMS, MODEL_FILES } from '../../src/engine/models.js';
import { OPT_LEVELS, cacheFile, cpuIdentity, fileSha, ortVersion, tunedSession, tuningKey } from '../../src/engine/tuning.js';

const dir = mkdtempSync(join(tmpdir(), 'fm-tune-'));
process.env.FACEMATCH_CACHE_DIR = dir;
after(() => rmSync(dir, { recursive: true, force: true }));
const landmark = join(modelsDir, MODEL_FILES.landmark);

test('the key names the CPU model, its flags, the onnxruntime version, the model hash and threads', () => {
  const key = tuningKey(fileSha(landmark), 1);
  const cpu = cpuIdentity();
  assert.ok(key.startsWith(cpu.model));
  assert.match(key, new RegExp(`flags ${cpu.flagsHash}`));
  assert.match(key, new RegExp(`onnxruntime-node ${ortVersion().replace(/\./g, '\\.')}`));
  assert.match(key, new RegExp(`model ${fileSha(landmark).slice(0, 16)}`));
  assert.notEqual(key, tuningKey(fileSha(landmark), 2));
  assert.equal(cacheFile(), join(dir, 'ort-tuning.json'));
});

test('first load measures every level and caches the winner; the next load reads it', async () => {
  const first = await tunedSession(landmark, MODEL_DIMS.landmark, 1);
  assert.equal(first.fromCache, false);
  assert.deepEqual(Object.keys(first.tuning.ms).sort(), [...OPT_LEVELS].sort());
  const fastest = Math.min(...Object.values(first.tuning.ms));
  assert.ok(first.tuning.ms[first.tuning.level]! <= fastest / 0.95 + 1e-9, JSON.stringify(first.tuning));
  await first.session.release();
  const file = JSON.parse(readFileSync(cacheFile(), 'utf8')) as { entries: Record<string, { level: string }> };
  const key = tuningKey(fileSha(landmark), 1);
  assert.equal(file.entries[key]!.level, first.tuning.level);
  // A hand-edited cached level is used as is (proof that nothing was measured).
  file.entries[key]!.level = 'basic';
  writeFileSync(cacheFile(), JSON.stringify(file));
  const again = await tunedSession(landmark, MODEL_DIMS.landmark, 1);
  assert.equal(again.fromCache, true);
  assert.equal(again.tuning.level, 'basic');
  await again.session.release();
});

test('a corrupt cache file is ignored and rewritten; an invalid entry is measured again', async () => {
  writeFileSync(cacheFile(), '{"version":1,"entries":{"x":');
  const t = await tunedSession(landmark, MODEL_DIMS.landmark, 1);
  assert.equal(t.fromCache, false);
  await t.session.release();
  const file = JSON.parse(readFileSync(cacheFile(), 'utf8')) as { version: number; entries: Record<string, { level: string }> };
  assert.equal(file.version, 1);
  const key = tuningKey(fileSha(landmark), 1);
  assert.ok(OPT_LEVELS.includes(file.entries[key]!.level as never));
  file.entries[key]!.level = 'turbo';
  writeFileSync(cacheFile(), JSON.stringify(file));
  const t2 = await tunedSession(landmark, MODEL_DIMS.landmark, 1);
  assert.equal(t2.fromCache, false);
  await t2.session.release();
});

test('FACEMATCH_ORT_LEVEL forces a level without measuring; the session still runs', async () => {
  process.env.FACEMATCH_ORT_LEVEL = 'extended';
  try {
    const t = await tunedSession(landmark, MODEL_DIMS.landmark, 1);
    assert.equal(t.tuning.level, 'extended');
    assert.deepEqual(t.tuning.ms, {});
    await t.session.release();
  } finally {
    delete process.env.FACEMATCH_ORT_LEVEL;
  }
});
