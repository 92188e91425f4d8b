// Reference docs and notes stay apart and stay reachable: every relative link of the README, the
// reference pages and the research notes under test/ points at a file that exists; docs/ holds
// no pass-by-pass research log; and no code comment cites a tracker outside the repository.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';

function walk(dir: string, keep: (file: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

const markdown = [
  join(packageRoot, 'README.md'),
  ...walk(join(packageRoot, 'docs'), (f) => f.endsWith('.md')),
  ...walk(join(packageRoot, 'test'), (f) => f.endsWith('.md')),
];

/** Relative link targets of a Markdown text (no scheme, no pure #anchor), without their anchor. */
export function relativeLinks(text: string): string[] {
  const targets: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    targets.push(target.replace(/#.*$/, ''));
  }
  return targets;
}

test('every relative link in the README, docs/ and the notes under test/ reaches a file', () => {
  assert.deepEqual(relativeLinks('[a](engine.md#x) [b](https://x.y/z) [c](#top) [d](../test/eval/n.md)'), ['engine.md', '../test/eval/n.md']);
  const broken: string[] = [];
  for (const file of markdown) {
    for (const target of relativeLinks(readFileSync(file, 'utf8'))) {
      if (!existsSync(join(dirname(file), target))) broken.push(`${relative(packageRoot, file)} -> ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('docs/ is reference: no page is a log of research passes', () => {
  const pages = walk(join(packageRoot, 'docs'), (f) => f.endsWith('.md'));
  const logs = pages.filter((f) => /^#+ .*\b(first|second|third|fourth|fifth|sixth) pass\b/im.test(readFileSync(f, 'utf8')));
  assert.deepEqual(logs.map((f) => relative(packageRoot, f)), [], 'research logs live beside the scripts that made them (test/eval/)');
  assert.ok(existsSync(join(packageRoot, 'test', 'eval', 'kyc-research-log.md')));
});

/** Lines of comments that cite a tracker: an issue number, a pull request, an issue or PR URL. */
export function trackerCitations(source: string): string[] {
  const cite = /\bissues?[ -]?#?\d+|\bPR ?#?\d+|(?:^|\s)#\d{1,5}\b|github\.com\/[^\s)]+\/(?:issues|pull)\/|\bjira\b|linear\.app/i;
  return source
    .split('\n')
    .filter((line) => /^\s*(\/\/|\/\*|\*|#(?!!))/.test(line) && cite.test(line))
    .map((line) => line.trim());
}

test('no comment in src/, tools/, prompts/ or test/ cites a tracker outside the repository', () => {
  assert.deepEqual(trackerCitations('// fine: quality issues\n// (issue 10 defect 2)\nconst c = "#808080";\n  # see #12\n#!/usr/bin/env node'), [
    '// (issue 10 defect 2)',
    '# see #12',
  ]);
  const code = ['src', 'tools', 'prompts', 'test'].flatMap((d) => walk(join(packageRoot, d), (f) => /\.(ts|mjs|js|py|go)$/.test(f)));
  assert.ok(code.length > 100);
  const found = code.flatMap((f) => trackerCitations(readFileSync(f, 'utf8')).map((l) => `${relative(packageRoot, f)}: ${l}`));
  assert.deepEqual(found, []);
});
