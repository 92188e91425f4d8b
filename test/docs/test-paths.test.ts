// The docs name test files and scripts as evidence ("`test/http/face-search.test.ts` covers ...").
// After tests move between folders those names must still point at files, or the docs lie.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';

const TEST_PATH = /(?:dist\/)?test\/[\w./-]+\.(?:test\.)?(?:ts|js)\b/g;

function referencedTestPaths(text: string): string[] {
  return [...text.matchAll(TEST_PATH)].map((m) => m[0]);
}

/** `dist/test/x/y.js` was built from `test/x/y.ts`. */
function sourceOf(ref: string): string {
  return ref.startsWith('dist/') ? ref.slice('dist/'.length).replace(/\.js$/, '.ts') : ref;
}

test('test/ is grouped by area: no test file sits at its root', () => {
  const loose = readdirSync(join(packageRoot, 'test')).filter((f) => f.endsWith('.test.ts'));
  assert.deepEqual(loose, [], 'move these into the folder of the area they test (test/engine, test/http, ...)');
});

test('every test file or script the README and docs name exists', () => {
  const pages = ['README.md', ...readdirSync(join(packageRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const missing: string[] = [];
  let seen = 0;
  for (const page of pages) {
    for (const ref of referencedTestPaths(readFileSync(join(packageRoot, page), 'utf8'))) {
      if (ref.includes('<')) continue;
      seen++;
      if (!existsSync(join(packageRoot, sourceOf(ref)))) missing.push(`${page}: ${ref}`);
    }
  }
  assert.ok(seen >= 10, `expected the docs to cite test files, found ${seen}`);
  assert.deepEqual(missing, []);
});

test('the reference check sees a moved file as missing', () => {
  const refs = referencedTestPaths('see `test/http.face-search.test.ts` and `node dist/test/http/face-search.test.js`');
  assert.deepEqual(refs, ['test/http.face-search.test.ts', 'dist/test/http/face-search.test.js']);
  assert.equal(existsSync(join(packageRoot, sourceOf(refs[0]!))), false);
  assert.equal(existsSync(join(packageRoot, sourceOf(refs[1]!))), true);
});
