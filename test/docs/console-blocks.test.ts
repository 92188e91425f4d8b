// Every ```console block in README.md and docs/*.md is a claimed transcript: lines starting
// with "$ " are commands run from the repo root (bash, stderr merged into stdout), the lines
// after them are the expected output, and a line "..." matches any number of lines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';

export interface Step {
  command: string;
  expected: string[];
  line: number;
}

/** The console blocks of a Markdown text, as command + expected-output steps. */
export function consoleSteps(markdown: string): Step[][] {
  const blocks: Step[][] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```console\s*$/.test(lines[i]!)) continue;
    const steps: Step[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) {
      const l = lines[i]!;
      if (l.startsWith('$ ')) steps.push({ command: l.slice(2), expected: [], line: i + 1 });
      else if (steps.length) steps[steps.length - 1]!.expected.push(l);
      else throw new Error(`line ${i + 1}: a console block must start with a "$ " command`);
    }
    blocks.push(steps);
  }
  return blocks;
}

/** Whether `actual` lines match `expected` lines, where "..." matches any run of lines. */
export function matches(expected: string[], actual: string[]): boolean {
  const e = expected.map((l) => l.trimEnd());
  const a = actual.map((l) => l.trimEnd());
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === e.length) r = j === a.length;
    else if (e[i] === '...') r = go(i + 1, j) || (j < a.length && go(i, j + 1));
    else r = j < a.length && e[i] === a[j] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

function docFiles(): string[] {
  const files = [join(packageRoot, 'README.md')];
  const dir = join(packageRoot, 'docs');
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) if (f.endsWith('.md')) files.push(join(dir, f));
  return files;
}

test('the matcher: exact lines, "..." for any run, trailing spaces ignored', () => {
  assert.ok(matches(['a', '...', 'd'], ['a', 'b', 'c', 'd']));
  assert.ok(matches(['a', '...'], ['a']));
  assert.ok(matches(['a  '], ['a']));
  assert.ok(!matches(['a', 'd'], ['a', 'b', 'd']));
  assert.ok(!matches(['a'], ['a', 'b']));
  assert.deepEqual(consoleSteps('x\n```console\n$ echo hi\nhi\n```\n```sh\n$ no\n```\n'), [[{ command: 'echo hi', expected: ['hi'], line: 3 }]]);
});

/** Lines of non-console code blocks that look like a transcript ("$ cmd"): claims no test would run. */
export function untestedTranscriptLines(markdown: string): number[] {
  const found: number[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((l, i) => {
    const open = /^```(\S*)\s*$/.exec(l);
    if (fence === null && open) fence = open[1]!;
    else if (fence !== null && /^```\s*$/.test(l)) fence = null;
    else if (fence !== null && fence !== 'console' && /^(sh|bash|shell|)$/.test(fence) && l.startsWith('$ ')) found.push(i + 1);
  });
  return found;
}

test('a shell block that shows a "$ " prompt is a console block, so its output claim is run', () => {
  assert.deepEqual(untestedTranscriptLines('```sh\n$ echo hi\nhi\n```\n```console\n$ echo ok\nok\n```\n'), [2]);
  for (const file of docFiles()) {
    const lines = untestedTranscriptLines(readFileSync(file, 'utf8'));
    assert.deepEqual(lines, [], `${file}: lines ${lines.join(', ')} look like a transcript; tag the block \`\`\`console (checked) or drop the "$ " prompt`);
  }
});

for (const file of docFiles()) {
  const name = file.slice(packageRoot.length + 1);
  test(`console blocks in ${name} match what the commands print`, { timeout: 300_000 }, () => {
    const blocks = consoleSteps(readFileSync(file, 'utf8'));
    for (const steps of blocks) {
      for (const step of steps) {
        const r = spawnSync('bash', ['-c', `${step.command} 2>&1`], { cwd: packageRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FACEMATCH_LOG: 'silent' } });
        const actual = (r.stdout ?? '').replace(/\n$/, '').split('\n');
        const got = r.stdout === '' ? [] : actual;
        assert.ok(matches(step.expected, got), `${name}:${step.line}: \`${step.command}\` printed:\n${got.join('\n')}\n--- expected:\n${step.expected.join('\n')}`);
      }
    }
  });
}
