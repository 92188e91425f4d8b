// The docs' tables against the code: docs/mcp.md lists exactly the registered tools, docs/cli.md
// exactly the CLI's commands, every flag a row shows is one the command's --help shows (same
// metavariable for --db), and the snippet languages are the CLI's. Also two messages that
// drifted: the /mcp 401 names the command that writes the credential, and an oversized upload
// states the documented per-image limit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../src/paths.js';
import { SNIPPET_LANGUAGES } from '../src/webhooks/snippets/index.js';
import { TOOLS } from '../tools/index.js';
import { childEnv, cliPath, startServe, tempDir } from './mcp.harness.js';

const doc = (name: string): string => readFileSync(join(packageRoot, 'docs', name), 'utf8');

/** The first cells of a Markdown table's rows under `heading`, without backticks. */
function firstCells(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `no "${heading}" section`);
  const lines = markdown.slice(start + heading.length + 2).split('\n');
  const rows: string[] = [];
  let inTable = false;
  for (const l of lines) {
    if (/^## /.test(l)) break;
    if (!l.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cell = l.split(/(?<!\\)\|/)[1]!.trim();
    if (/^-+$/.test(cell) || /^(Tool|command)$/i.test(cell)) continue;
    rows.push(cell.replace(/\\\|/g, '|'));
  }
  return rows;
}

function help(args: string[]): string {
  const r = spawnSync(process.execPath, [cliPath, ...args, '--help'], { encoding: 'utf8', env: childEnv({}) });
  assert.equal(r.status, 0, `${args.join(' ')} --help: ${r.stderr}`);
  return r.stdout;
}

test('docs/mcp.md lists every registered tool, and nothing else', () => {
  const documented = firstCells(doc('mcp.md'), '## Tools').map((c) => c.replace(/`/g, ''));
  assert.deepEqual([...documented].sort(), TOOLS.map((t) => t.name).sort());
});

test("docs/cli.md's command table is the CLI's commands, with the flags their --help shows", () => {
  const rows = firstCells(doc('cli.md'), '## Commands');
  // Each backticked span of a first cell is one command line: `match USER REF`, `eval SET_DIR`, ...
  const spans = rows.flatMap((r) => [...r.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim()));
  const names = new Set(spans.map((part) => part.split(/\s+/)[0]!));
  const usage = help([]);
  const commands = new Set([...usage.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!));
  assert.deepEqual([...names].sort(), [...commands].sort(), 'the same commands in the docs and in --help');
  {
    for (const part of spans) {
      const words = part.split(/\s+/);
      const cmd = words[0]!;
      if (['match', 'eval', 'bench'].includes(cmd)) continue;
      const sub = cmd === 'webhook' || cmd === 'keys' ? [cmd, words[1]!] : [cmd];
      const text = help(sub);
      for (const m of part.matchAll(/(--[a-z-]+)(?: ([A-Z_]+))?/g)) {
        assert.ok(text.includes(m[1]!), `${sub.join(' ')} --help shows ${m[1]} (docs/cli.md: ${part})`);
        if (m[1] === '--db') assert.match(text, /--db PATH/, `${sub.join(' ')} --help names --db PATH, as the README and docs do`);
      }
    }
  }
  const langs = /webhook snippet --lang ([a-z|-]+)/.exec(rows.join('\n'))![1]!.split('|');
  assert.deepEqual(langs, [...SNIPPET_LANGUAGES]);
  assert.match(readFileSync(join(packageRoot, 'README.md'), 'utf8'), /Every sandbox command takes --db PATH/);
});

test('the /mcp 401 names init --http; an oversized upload names the 5 MB per-image limit', { timeout: 120_000 }, async () => {
  const t = tempDir('fm-drift-');
  const db = join(t.dir, 'sandbox.db');
  const prov = spawnSync(process.execPath, [cliPath, 'provision', '--email', 'dev@example.com', '--db', db], { encoding: 'utf8', env: childEnv({ FACEMATCH_LOG: 'silent' }) });
  assert.equal(prov.status, 0, prov.stderr);
  const key = (JSON.parse(prov.stdout) as { api_key: string }).api_key;
  const serve = await startServe({ FACEMATCH_DB: db, FACEMATCH_LOG: 'silent' });
  try {
    const mcp = await fetch(`${serve.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    assert.equal(mcp.status, 401);
    const text = await mcp.text();
    assert.match(text, /init --http/, text);
    assert.doesNotMatch(text, /`facematch-mcp init` writes/);

    const big = new FormData();
    big.append('user_image', new Blob([Buffer.alloc(12 * 1024 * 1024, 0xff)], { type: 'image/jpeg' }), 'big.jpg');
    const res = await fetch(`${serve.url}/v3/face-match/`, { method: 'POST', headers: { 'x-api-key': key }, body: big });
    assert.equal(res.status, 413);
    const detail = ((await res.json()) as { detail: string }).detail;
    assert.match(detail, /each image may be at most 5 MB/, detail);
    assert.match(doc('http-api.md'), /at most 5 MB each/, 'the limit the message states is the documented one');
  } finally {
    await serve.stop();
    t.cleanup();
  }
});
