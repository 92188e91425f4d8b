// The face store's search: the onnxruntime scan ranks exactly as the JS loop does (also over an
// index whose buffer is larger than its rows), and the in-memory index follows the database:
// a face added or deleted through another sandbox on the same file (another process, as `serve`
// and the MCP server are) is in or out of the next search.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMBED_DIM } from '../../src/engine/embed.js';
import { OrtScanner, scanJs } from '../../src/services/face-scan.js';
import { provisionApp, tempDb, testSandbox } from '../helpers/sandbox.js';
import { rng } from '../helpers/rng.js';

function unit(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n * EMBED_DIM);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < EMBED_DIM; k++) s += (out[i * EMBED_DIM + k] = r() - 0.5) ** 2;
    for (let k = 0; k < EMBED_DIM; k++) out[i * EMBED_DIM + k]! /= Math.sqrt(s);
  }
  return out;
}

test('the onnxruntime scan returns the JS scan\'s hits, best first, within the first n rows only', async () => {
  const vecs = unit(3000, 1);
  const query = new Float32Array(vecs.subarray(17 * EMBED_DIM, 18 * EMBED_DIM));
  // Row 2500 would be the best hit, but only 2000 rows are in the index.
  vecs.set(query, 2500 * EMBED_DIM);
  const ort = await new OrtScanner().scan(vecs, 2000, query, -1, 10);
  const js = scanJs(vecs, 2000, query, -1, 10);
  assert.deepEqual(ort.map((h) => h.row), js.map((h) => h.row));
  assert.equal(ort[0]!.row, 17);
  assert.ok(Math.abs(ort[0]!.cosine - 1) < 1e-5);
  for (let i = 0; i < ort.length; i++) assert.ok(Math.abs(ort[i]!.cosine - js[i]!.cosine) < 1e-4);
  assert.deepEqual(await new OrtScanner().scan(vecs, 2000, query, 0.5, 10).then((h) => h.map((x) => x.row)), [17], 'the floor keeps only the copy');
});

test('the index follows inserts and deletes made by another sandbox on the same file', async () => {
  const tmp = tempDb();
  const a = testSandbox(tmp.db);
  const b = testSandbox(tmp.db);
  try {
    const { app } = provisionApp(a);
    const vecs = unit(3, 2);
    const put = (sb: typeof a, i: number) =>
      sb.db.transaction(() => {
        sb.db.prepare("INSERT INTO sessions (id, application_id, kind, session_number, status, attempts, created_at, updated_at) VALUES (?, ?, 'face_match', ?, 'Approved', 1, 0, 0)").run(`s${i}`, app.applicationId, i + 1);
        sb.faces.put(app.applicationId, { sessionId: `s${i}` }, 'selfie', vecs.subarray(i * EMBED_DIM, (i + 1) * EMBED_DIM), null);
      })();
    const q = (i: number) => vecs.subarray(i * EMBED_DIM, (i + 1) * EMBED_DIM);
    put(a, 0);
    assert.equal((await a.faces.search(app.applicationId, q(0), { floor: 0.9, limit: 5 })).length, 1);
    put(b, 1);
    assert.equal((await a.faces.search(app.applicationId, q(1), { floor: 0.9, limit: 5 })).length, 1, 'appended from the file');
    b.db.prepare("DELETE FROM sessions WHERE id = 's0'").run();
    assert.deepEqual(await a.faces.search(app.applicationId, q(0), { floor: 0.9, limit: 5 }), [], 'deleted elsewhere, gone here');
    assert.equal((await a.faces.search(app.applicationId, q(1), { floor: 0.9, limit: 5 })).length, 1);
    assert.equal(a.faces.count(app.applicationId), 1);
  } finally {
    await a.close();
    await b.close();
    tmp.cleanup();
  }
});
