// The KYC evaluation tools (test/eval/kyc-far.ts, kyc-ceiling.ts) count what the docs quote:
// run as processes on a four-pair set whose embeddings dump is written here, so every
// expected count can be worked out by hand.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const tools = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fm-kyc-tools-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = async (tool: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const r = await promisify(execFile)(process.execPath, [join(tools, tool), ...args], { timeout: 60_000 });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

// Source rows: 0 A-A (same), 1 B-B (same), 2 A-C, 3 B-D. KYC image NNNNN comes from row NNNNN.
const img = (who: string, n: number): string => `images/${who}/${who}_000${n}.jpg`;
const source = join(dir, 'source');
const kyc = join(dir, 'kyc');
mkdirSync(source);
mkdirSync(kyc);
writeFileSync(join(source, 'pairs.tsv'), [[img('A', 1), img('A', 2), 1], [img('B', 1), img('B', 2), 1], [img('A', 1), img('C', 1), 0], [img('B', 2), img('D', 1), 0]].map((r) => `${r.join('\t')}\t1\n`).join(''));
const conds = ['dim', 'ordinary', 'dim', 'ordinary'];
writeFileSync(join(kyc, 'pairs.tsv'), 'path_a\tpath_b\tsame\tfold\tcondition\n' + conds.map((c, i) => `ref/0000${i}.jpg\tselfie/0000${i}.jpg\t${i < 2 ? 1 : 0}\t1\t${c}\n`).join(''));
const unit = (k: number): number[] => Array.from({ length: 8 }, (_, i) => (i === k ? 1 : 0));

test('kyc-ceiling scores each condition\'s genuine pairs on their untouched source photos', async () => {
  // Row 0 (dim): both photos the same embedding (score 100); row 1 (ordinary): orthogonal.
  const dump = join(dir, 'source-dump.json');
  writeFileSync(dump, JSON.stringify({ [img('A', 1)]: unit(0), [img('A', 2)]: unit(0), [img('B', 1)]: unit(1), [img('B', 2)]: unit(2) }));
  const r = await run('kyc-ceiling.js', [kyc, dump, '--source', source]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { conditions: Record<string, { genuine: number; source_above_30: number; source_above_70: number }> };
  assert.deepEqual(out.conditions.dim, { genuine: 1, source_above_30: 1, source_above_50: 1, source_above_70: 1 });
  assert.deepEqual(out.conditions.ordinary, { genuine: 1, source_above_30: 0, source_above_50: 0, source_above_70: 0 });
});

test('kyc-far counts every cross-identity (card, selfie) pair per selfie condition, and none of the same person', async () => {
  // All eight images one embedding: every pair scores 100, so the counts are the pairs themselves.
  const dump = join(dir, 'kyc-dump.json');
  writeFileSync(dump, JSON.stringify(Object.fromEntries([0, 1, 2, 3].flatMap((i) => [[`ref/0000${i}.jpg`, unit(0)], [`selfie/0000${i}.jpg`, unit(0)]]))));
  const r = await run('kyc-far.js', [kyc, dump, '--source', source]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { conditions: Record<string, { impostor_pairs: number; pairs_above_70: number; far_above_70: number }> };
  // Cards: A, B, A, B. Dim selfies A (row 0) and C (row 2): 2 + 4 cross pairs; ordinary B and D: 2 + 4.
  for (const c of ['dim', 'ordinary']) {
    assert.equal(out.conditions[c]!.impostor_pairs, 6, c);
    assert.equal(out.conditions[c]!.pairs_above_70, 6, c);
    assert.equal(out.conditions[c]!.far_above_70, 1, c);
  }
});

test('kyc-far counts each card once on a set with several selfie renderings per pair', async () => {
  // kyc-set --renderings: rows 0 (A-A) and 2 (A-C), each selfie in two renderings, one card per pair.
  const multi = join(dir, 'kyc-multi');
  mkdirSync(multi);
  const rows = [0, 2].flatMap((i) => ['dim', 'dim_lifted'].map((c) => `ref/0000${i}.jpg\tselfie/${c}/0000${i}.jpg\t${i === 0 ? 1 : 0}\t1\t${c}\n`));
  writeFileSync(join(multi, 'pairs.tsv'), 'path_a\tpath_b\tsame\tfold\tcondition\n' + rows.join(''));
  const dump = join(dir, 'kyc-multi-dump.json');
  writeFileSync(dump, JSON.stringify(Object.fromEntries([0, 2].flatMap((i) => [[`ref/0000${i}.jpg`, unit(0)], ...['dim', 'dim_lifted'].map((c) => [`selfie/${c}/0000${i}.jpg`, unit(0)])]))));
  const r = await run('kyc-far.js', [multi, dump, '--source', source]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { conditions: Record<string, { impostor_pairs: number }> };
  // Two cards, both A: only selfie C crosses identities, once per card.
  for (const c of ['dim', 'dim_lifted']) assert.equal(out.conditions[c]!.impostor_pairs, 2, c);
});

test('the KYC tools say how to call them when an argument is missing', async () => {
  for (const tool of ['kyc-far.js', 'kyc-ceiling.js']) {
    const r = await run(tool, [kyc]);
    assert.equal(r.code, 2, tool);
    assert.match(r.stderr, /^usage: kyc-\w+ KYC_DIR DUMP\.json \[--source SET\]/);
  }
});
