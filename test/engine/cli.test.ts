// The engine's CLI commands as a user runs them: exit codes, one-sentence errors, JSON lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../src/paths.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';

const cli = join(packageRoot, 'dist', 'src', 'cli.js');
const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const r = await promisify(execFile)(process.execPath, [cli, ...args], { timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

test('match: bad input exits 2 with one sentence', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-cli-'));
  try {
    writeFileSync(join(dir, 'a.jpg'), 'not an image');
    for (const args of [['match', join(dir, 'a.jpg'), join(dir, 'a.jpg')], ['match', join(dir, 'missing.jpg'), join(dir, 'a.jpg')], ['match', join(dir, 'a.jpg')], ['match', 'x', 'y', '--decline-threshold', 'abc']]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^facematch-mcp: /);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('match prints the report; workflow thresholds are validated', { skip: hasFaces ? false : noFacesReason }, async () => {
  const p = readPairs('lfw-original-dev').find((x) => x.same)!;
  const r = await run(['match', p.a, p.b]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; score: number };
  assert.equal(report.status, 'Approved');
  const w = await run(['match', p.a, p.b, '--decline-threshold', '80', '--review-threshold', '70']);
  assert.equal(w.code, 2);
  assert.match(w.stderr, /review/);
});

test('eval on a tiny set prints one JSON line with the documented fields', { skip: hasFaces ? false : noFacesReason }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-eval-'));
  try {
    const all = readPairs('lfw-original-dev');
    const pick = [...all.filter((p) => p.same && p.fold === 1).slice(0, 4), ...all.filter((p) => !p.same && p.fold === 1).slice(0, 4), ...all.filter((p) => p.same && p.fold === 2).slice(0, 4), ...all.filter((p) => !p.same && p.fold === 2).slice(0, 4)];
    writeFileSync(join(dir, 'pairs.tsv'), `path_a\tpath_b\tsame\tfold\n${pick.map((p) => `${relative(dir, p.a)}\t${relative(dir, p.b)}\t${p.same ? 1 : 0}\t${p.fold}`).join('\n')}\n`);
    const r = await run(['eval', dir, '--folds', '1-2', '--workers', '1']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    for (const k of ['pairs', 'accuracy', 'accuracy_std', 'accuracy_at_default', 'tar_far_1e-2', 'tar_far_1e-3', 'eer', 'no_face_images', 'images_per_s']) assert.ok(k in out, `missing ${k}`);
    assert.equal(out.pairs, 16);
    assert.equal(out.no_face_images, 0);
    assert.ok(out.accuracy! >= 0.85);
    const bad = await run(['eval', dir, '--folds', '3-1']);
    assert.equal(bad.code, 2);
    const none = await run(['eval', join(dir, 'nope')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /pairs\.tsv/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
