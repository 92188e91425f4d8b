// The capture page's script is source code: a TypeScript file checked against the DOM by its own
// project, which the build (`tsc -b` from the root tsconfig) compiles, and the file the server
// sends as /static/capture.js is that compiled output. The browser behaviour itself is covered by
// capture-page, capture-sdk, capture-quality and capture-screens in real Chromium.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { CAPTURE_JS_PATH } from '../../src/http/capture/script.js';
import { call, startTwin } from '../helpers/http-twin.js';

const browserDir = join(packageRoot, 'src', 'http', 'capture', 'browser');
const tsc = join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');

function typeCheck(project: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--noEmit'], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('the build compiles the browser project: the root tsconfig references it and every build script runs tsc -b', () => {
  const root = readFileSync(join(packageRoot, 'tsconfig.json'), 'utf8');
  assert.match(root, /"references": \[\{ "path": "\.\/src\/http\/capture\/browser" \}\]/);
  assert.match(root, /"exclude": \["src\/http\/capture\/browser"\]/, 'the Node program does not see DOM code');
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const name of ['prepare', 'build', 'test']) assert.match(pkg.scripts[name]!, /^tsc -b( |$)/, `npm run ${name} builds both projects`);
});

test('the capture script type-checks against the DOM, and the check catches a wrong DOM call', { timeout: 240_000 }, () => {
  const ok = typeCheck(join(browserDir, 'tsconfig.json'));
  assert.equal(ok.status, 0, ok.out);
  // The same project with one mistake a plain string constant never caught: a method the DOM lacks.
  const dir = mkdtempSync(join(tmpdir(), 'fm-capture-ts-'));
  try {
    const source = readFileSync(join(browserDir, 'capture.ts'), 'utf8');
    assert.ok(source.includes('s.input.focus();'));
    writeFileSync(join(dir, 'capture.ts'), source.replace('s.input.focus();', 's.input.focusIn();'));
    copyFileSync(join(browserDir, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    const bad = typeCheck(join(dir, 'tsconfig.json'));
    assert.notEqual(bad.status, 0);
    assert.match(bad.out, /Property 'focusIn' does not exist on type 'HTMLInputElement'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/static/capture.js is the compiled browser script, without Node or TypeScript left in it', async () => {
  const twin = await startTwin({ sandbox: { deliverWebhooks: false } });
  try {
    const r = await call(twin.url, 'GET', '/static/capture.js');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(r.text, readFileSync(CAPTURE_JS_PATH, 'utf8'));
    assert.match(r.text, /^"use strict";/);
    assert.match(r.text, /post\('didit:ready', \{ status: sessionStatus \}\);/);
    assert.doesNotMatch(r.text, /^(import|export) /m, 'a classic script, as the page loads it');
    assert.doesNotMatch(r.text, /: (HTMLElement|CaptureStep|string)\b[^']/, 'types are stripped');
    assert.doesNotMatch(r.text, /sourceMappingURL/);
  } finally {
    await twin.close();
  }
});
