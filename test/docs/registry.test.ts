// The docs' tables against the code's registries: docs/mcp.md lists exactly the registered tools,
// docs/cli.md exactly the CLI's commands (every flag a row shows is one the command's --help
// shows, same metavariable for --db; the snippet languages are the CLI's), docs/webhooks.md
// exactly the event names of the contract, docs/http-api.md exactly the router's API routes, and
// docs/contract.md and the spec summary the contract's risk codes. Each comparison is both ways:
// a row missing from the docs or an entry added to a registry fails. Also two messages that
// drifted: the /mcp 401 names the command that writes the credential, and an oversized upload
// states the documented per-image limit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { SNIPPET_LANGUAGES } from '../../src/webhooks/snippets/index.js';
import { COMMANDS } from '../../src/cli/commands.js';
import {
  FACE_MATCH_ITEM_STATUSES,
  FACE_MATCH_RISKS,
  FACE_SEARCH_RISKS,
  LIVENESS_RISKS,
  PLATFORM_ONLY_WEBHOOK_EVENTS,
  SESSION_STATUSES,
  SUBSCRIBABLE_WEBHOOK_EVENTS,
  WEBHOOK_EVENTS,
} from '../../src/contract/index.js';
import { ALL_ROUTES } from '../../src/http/routes/index.js';
import { SPEC_SUMMARY } from '../../src/mcp/spec-summary.js';
import { TOOLS } from '../../tools/index.js';
import { childEnv, cliPath, startServe, tempDir } from '../helpers/mcp-harness.js';

const doc = (name: string): string => readFileSync(join(packageRoot, 'docs', name), 'utf8');

/** The cells of each body row of the first Markdown table after `heading` (header and rule skipped). */
function tableRows(markdown: string, heading: string): string[][] {
  const start = markdown.startsWith(`${heading}\n`) ? 0 : markdown.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `no "${heading}" section`);
  const lines = markdown.slice(start + heading.length + 1).split('\n');
  const rows: string[][] = [];
  let seen = 0;
  for (const l of lines) {
    if (/^## /.test(l)) break;
    if (!l.startsWith('|')) {
      if (seen) break;
      continue;
    }
    seen++;
    const cells = l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/\\\|/g, '|'));
    if (seen === 1 || cells.every((c) => /^-+$/.test(c))) continue;
    rows.push(cells);
  }
  return rows;
}

/** The first cells of a Markdown table's rows under `heading`. */
function firstCells(markdown: string, heading: string): string[] {
  return tableRows(markdown, heading).map((r) => r[0]!);
}

/** The backticked spans of a text. */
const spans = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
/** The UPPER_SNAKE codes among a text's backticked spans. */
const codes = (text: string): string[] => spans(text).filter((s) => /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(s));

/** The row of a table (anywhere in the page) whose first cell is `first`. */
function rowOf(markdown: string, first: string): string {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${first} |`));
  assert.ok(line, `no table row "${first}"`);
  return line;
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
  assert.deepEqual([...commands].sort(), Object.keys(COMMANDS).sort(), '--help lists the commands the CLI dispatches');
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

test("docs/webhooks.md's events table is the contract's event names; listen and contract.md name the session events", () => {
  const rows = tableRows(doc('webhooks.md'), '## Events');
  assert.deepEqual(rows.map((r) => r[0]!.replace(/`/g, '')), [...SUBSCRIBABLE_WEBHOOK_EVENTS]);
  for (const r of rows) {
    const name = r[0]!.replace(/`/g, '');
    // Events of entities the sandbox does not have are accepted for subscriptions, never sent.
    if ((PLATFORM_ONLY_WEBHOOK_EVENTS as readonly string[]).includes(name)) assert.match(r[1]!, /never sent/, `${name}: ${r[1]}`);
  }
  assert.deepEqual(spans(rowOf(doc('contract.md'), 'Event names for sessions')).filter((s) => s.includes('.')), [...WEBHOOK_EVENTS]);
  assert.ok(help(['listen']).includes(`--events ${WEBHOOK_EVENTS.join(',')}`), 'listen --help names the session events');
});

test("docs/http-api.md's route table is the router's API routes, both ways", () => {
  const norm = (path: string): string => path.replace(/\{[^}]+\}|:[a-z]+/g, ':p');
  const documented: string[] = [];
  for (const [methods, paths] of tableRows(doc('http-api.md'), '# HTTP twin: endpoints')) {
    const ms = methods!.split(/,\s*/);
    const ps = spans(paths!);
    assert.ok(ps.length > 0, `a route row without a path: ${paths}`);
    // "POST, GET | `/a`, `/b`" pairs them in order; one method with several paths applies to each.
    if (ms.length === ps.length && ps.length > 1) ms.forEach((m, i) => documented.push(`${m} ${norm(ps[i]!)}`));
    else for (const m of ms) for (const p of ps) documented.push(`${m} ${norm(p)}`);
  }
  // The table is the hosted platform's paths; the console aliases, /sandbox/ helpers, the capture
  // page and media links are described beside it and in capture-page.md and security.md.
  const api = ALL_ROUTES.filter((r) => /^\/(v3|v2|auth)\//.test(r.pattern) && !r.pattern.startsWith('/v3/organization/')).map((r) => `${r.method} ${norm(r.pattern)}`);
  assert.deepEqual([...documented].sort(), [...api].sort());
});

test('docs/contract.md and the spec summary name exactly the contract\'s risk codes and statuses', () => {
  const contract = doc('contract.md');
  assert.deepEqual(codes(rowOf(contract, 'Exactly five risk codes')).sort(), [...FACE_MATCH_RISKS].sort());
  assert.deepEqual([...new Set(codes(rowOf(contract, 'Warnings')))].sort(), [...FACE_SEARCH_RISKS].sort());
  const liveness = contract.slice(contract.indexOf('## Liveness and age estimation'), contract.indexOf('## Face search 1:N'));
  for (const code of LIVENESS_RISKS) assert.ok(codes(liveness).includes(code), `docs/contract.md's liveness section names ${code}`);
  for (const code of FACE_MATCH_RISKS) assert.ok(SPEC_SUMMARY.includes(code), `the spec summary names ${code}`);
  assert.ok(SPEC_SUMMARY.includes(`Session statuses: ${SESSION_STATUSES.join(', ')}.`));
  assert.ok(SPEC_SUMMARY.includes(`Face match item statuses: ${FACE_MATCH_ITEM_STATUSES.join(', ')}.`));
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
