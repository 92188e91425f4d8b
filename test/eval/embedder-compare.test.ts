// The embedder comparison (test/eval/embedder-compare.ts), run as a process on a four-pair KYC-style
// set of real photos (links to the LFW dev photos in a temporary folder): the engine's own model
// given as the candidate, with the engine's preprocessing, must come out identical to the
// engine's side (the candidate path reads the aligned crop exactly as the engine does), and the
// card-vs-selfie impostors are every pair of two different people, which can be counted by hand.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { modelsDir } from '../../src/paths.js';
import { facesDir, hasFaces, noFacesReason } from '../helpers/data.js';

const tool = join(dirname(fileURLToPath(import.meta.url)), 'embedder-compare.js');
const dir = mkdtempSync(join(tmpdir(), 'fm-embcmp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const r = await promisify(execFile)(process.execPath, [tool, ...args], { timeout: 240_000, maxBuffer: 16 << 20 });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

test('without a candidate it prints its usage and exits 2', async () => {
  const r = await run([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: embedder-compare --cand/);
});

test('a malformed candidate is refused with the spec it could not read', async () => {
  const r = await run(['--cand', 'only-a-name']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /bad --cand only-a-name/);
});

interface ModelReport {
  dim: number;
  accuracy_lofo: string;
  eer: number;
  kyc_card_vs_selfie: { pooled_impostor_pairs: number; cosine_at_far_1e3: number; conditions: Record<string, { impostor_pairs: number; genuine_pairs: number; impostor_max: number }> };
}

test('the engine\'s model as candidate matches the engine exactly; KYC impostors are every card-selfie pair of two people', { skip: hasFaces ? false : noFacesReason, timeout: 300_000 }, async () => {
  // Source rows: 0 A-A (same), 1 B-B (same), 2 A-C, 3 B-D. KYC image NNNNN comes from row NNNNN.
  const lfw = join(facesDir, 'lfw-funneled-dev');
  const img = (who: string, n: number): string => `images/${who}/${who}_000${n}.jpg`;
  const [A, B, C, D] = ['Aaron_Sorkin', 'Abdoulaye_Wade', 'Carolina_Barco', 'Caroline_Kennedy'];
  const rows: Array<[string, string, number]> = [[img(A!, 1), img(A!, 2), 1], [img(B!, 1), img(B!, 2), 1], [img(A!, 1), img(C!, 1), 0], [img(B!, 2), img(D!, 1), 0]];
  const source = join(dir, 'source');
  const kyc = join(dir, 'kyc');
  mkdirSync(source);
  mkdirSync(join(kyc, 'ref'), { recursive: true });
  mkdirSync(join(kyc, 'selfie'));
  writeFileSync(join(source, 'pairs.tsv'), 'path_a\tpath_b\tsame\tfold\n' + rows.map((r) => `${r.join('\t')}\t1\n`).join(''));
  const conds = ['dim', 'ordinary', 'dim', 'ordinary'];
  rows.forEach(([a, b], i) => {
    symlinkSync(join(lfw, a), join(kyc, 'ref', `0000${i}.jpg`));
    symlinkSync(join(lfw, b), join(kyc, 'selfie', `0000${i}.jpg`));
  });
  writeFileSync(join(kyc, 'pairs.tsv'), 'path_a\tpath_b\tsame\tfold\tcondition\n' + conds.map((c, i) => `ref/0000${i}.jpg\tselfie/0000${i}.jpg\t${i < 2 ? 1 : 0}\t${(i % 2) + 1}\t${c}\n`).join(''));
  writeFileSync(join(kyc, 'params.json'), '{}');

  const r = await run(['--set', kyc, '--source', source, '--cand', `engine-again|${join(modelsDir, 'fr_feature.onnx')}|112|127|128|bgr`]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { photos: number; no_face: number; models: Record<string, ModelReport>; cost_vs_current: Record<string, number> };
  assert.equal(out.photos, 8);
  assert.equal(out.no_face, 0);
  const base = out.models['fr_feature (current)']!;
  const again = out.models['engine-again']!;
  assert.equal(again.dim, 512);
  assert.deepEqual(again.kyc_card_vs_selfie, base.kyc_card_vs_selfie);
  assert.equal(again.accuracy_lofo, base.accuracy_lofo);
  assert.equal(again.eer, base.eer);
  // Cards: A, B, A, B. Dim selfies A (row 0) and C (row 2): 2 + 4 cross pairs; ordinary B and D: 2 + 4.
  const k = base.kyc_card_vs_selfie;
  assert.equal(k.pooled_impostor_pairs, 12);
  for (const c of ['dim', 'ordinary']) {
    assert.equal(k.conditions[c]!.impostor_pairs, 6, c);
    assert.equal(k.conditions[c]!.genuine_pairs, 1, c);
    // Four different people: no impostor pair looks like the same face.
    assert.ok(k.conditions[c]!.impostor_max < 0.5, `${c}: ${k.conditions[c]!.impostor_max}`);
  }
  assert.ok(out.cost_vs_current['engine-again']! > 0);
});
