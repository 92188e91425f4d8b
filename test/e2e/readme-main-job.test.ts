// The README's set-up and main job, run verbatim in an empty folder: every shell line of those
// sections through bash (real npx, which finds the package in node_modules as after
// `npm install --save-dev`), the receiver saved under the name the README gives it, then a
// real trigger whose delivery the receiver verifies. Two substitutions only: the tarball
// install becomes a link to this checkout (same node_modules layout, no registry), and port
// 3000 becomes a free one. The example output's lines are compared with what really printed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { waitFor as waitForText } from '../helpers/cli-process.js';
import { childEnv, cliPath, tempDir } from '../helpers/mcp-harness.js';

interface Block {
  lang: string;
  lines: string[];
}

/** The fenced blocks of the README from "## Set up" to the end of the main job. */
export function mainJobBlocks(readme: string): Block[] {
  const start = readme.indexOf('## Set up');
  const end = readme.indexOf('\nStacks:', start);
  assert.ok(start >= 0 && end > start, 'the README has a Set up section and a main job');
  const blocks: Block[] = [];
  const lines = readme.slice(start, end).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    blocks.push({ lang: m[1]!, lines: body });
  }
  return blocks;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const waitFor = (get: () => string, re: RegExp, what: string, ms = 60_000): Promise<RegExpExecArray> => waitForText(get, re, what, ms, 100);

test('README set-up and main job run verbatim in an empty folder; the receiver verifies a real delivery', { timeout: 300_000 }, async () => {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const blocks = mainJobBlocks(readme);
  const t = tempDir('fm-readme-');
  const app = join(t.dir, 'empty-app');
  mkdirSync(app);
  const port = await freePort();
  const env = childEnv({ npm_config_offline: 'true', npm_config_update_notifier: 'false' });
  delete env.FACEMATCH_DB;
  delete env.FACEMATCH_LOG;
  const background: ChildProcess[] = [];
  const outputs = new Map<string, { out: string; err: string }>();
  try {
    let sawInstall = false;
    for (const block of blocks) {
      if (block.lang === 'js' || block.lang === 'ts') {
        const name = /^\/\/ (\S+\.(?:m?js|cjs|ts))\s*$/.exec(block.lines[0] ?? '')?.[1];
        assert.ok(name, `a code block of the main job names its file in its first line: ${block.lines[0]}`);
        writeFileSync(join(app, name), block.lines.join('\n').replaceAll('3000', String(port)));
        continue;
      }
      if (block.lang !== 'sh') continue;
      for (const raw of block.lines) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        if (/^(\S+=\S+ )*npm install --save-dev /.test(line)) {
          // What npm install --save-dev of the tarball leaves: package.json, the package and its bin.
          sawInstall = true;
          writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'empty-app', devDependencies: { 'facematch-mcp': `file:${packageRoot}` } }));
          mkdirSync(join(app, 'node_modules', '.bin'), { recursive: true });
          symlinkSync(packageRoot, join(app, 'node_modules', 'facematch-mcp'));
          const bin = join(app, 'node_modules', '.bin', 'facematch-mcp');
          writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
          chmodSync(bin, 0o755);
          continue;
        }
        const command = line.replaceAll('3000', String(port));
        if (/^node /.test(line) || / listen --forward-to /.test(line)) {
          const child = spawn('bash', ['-c', `exec ${command}`], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
          const o = { out: '', err: '' };
          child.stdout!.on('data', (d: Buffer) => (o.out += d.toString()));
          child.stderr!.on('data', (d: Buffer) => (o.err += d.toString()));
          outputs.set(line, o);
          background.push(child);
          if (/ listen /.test(line)) await waitFor(() => o.err, /ready; webhook signing secret/, `${line} to be ready`);
          continue;
        }
        const r = spawnSync('bash', ['-c', command], { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
        assert.equal(r.status, 0, `README line failed: ${line}\n${r.stderr}${r.stdout}`);
        outputs.set(line, { out: r.stdout, err: r.stderr });
      }
    }
    assert.ok(sawInstall, 'the set-up installs the package');
    const triggerLine = [...outputs.keys()].find((l) => / trigger approved/.test(l));
    assert.ok(triggerLine, 'the main job triggers an outcome');
    const session = /^session (\S+) -> Approved/m.exec(outputs.get(triggerLine)!.out)?.[1];
    assert.ok(session, outputs.get(triggerLine)!.out);
    const appOut = outputs.get([...outputs.keys()].find((l) => /^node /.test(l))!)!;
    const listenOut = outputs.get([...outputs.keys()].find((l) => / listen --forward-to /.test(l))!)!;
    await waitFor(() => appOut.out, new RegExp(`app: X-Signature ok  status\\.updated Approved session ${session}`), 'the app to verify the Approved delivery');
    await waitFor(() => listenOut.out, new RegExp(`event\\s+status\\.updated\\s+Approved\\s+session ${session}\\s+-> 200 from http://localhost:${port}/webhooks/didit\\s+signature ok`), "listen's line for it");
    assert.doesNotMatch(appOut.err, /Error/, appOut.err);

    // The example output: the same deliveries and line shapes as a real `trigger in-review`.
    const inReview = spawnSync('bash', ['-c', 'npx facematch-mcp trigger in-review'], { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(inReview.status, 0, inReview.stderr);
    const example = /```text\ntrigger:\n([\s\S]*?)\n\nlisten:\n([\s\S]*?)\n\napp:\n([\s\S]*?)\n```/.exec(readme);
    assert.ok(example, 'the README shows trigger, listen and app output');
    const deliveries = (text: string) => text.split('\n').filter((l) => /^  \S+\s+.+->/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim());
    assert.deepEqual(deliveries(example[1]!), deliveries(inReview.stdout), 'the example shows exactly the deliveries trigger in-review makes');
    const sessionId = /^session (\S+) ->/m.exec(inReview.stdout)![1]!;
    await waitFor(() => appOut.out, new RegExp(`app: X-Signature ok  status\\.updated In Review session ${sessionId}`), 'the In Review delivery');
    const exampleApp = example[3]!.replace(/session \S+$/, '');
    assert.ok(appOut.out.includes(`${exampleApp}session ${sessionId}`), `the app line has the example's shape: ${exampleApp}`);
  } finally {
    for (const c of background) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    t.cleanup();
  }
});
