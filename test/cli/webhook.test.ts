// `facematch-mcp webhook verify|sign` as a user runs it: a real node process, real files,
// exit codes 0 (valid) / 1 (not valid) / 2 (bad input) and JSON on stdout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { hasVectors, loadVectors, noVectorsReason } from '../helpers/webhook-cases.js';

const CLI = join(packageRoot, 'dist', 'src', 'cli.js');
let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'facematch-webhook-cli-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Run {
  const cleanEnv = { ...process.env, ...env };
  if (!('FACEMATCH_WEBHOOK_SECRET' in env)) delete cleanEnv.FACEMATCH_WEBHOOK_SECRET;
  const r = spawnSync(process.execPath, [CLI, 'webhook', ...args], { encoding: 'utf8', env: cleanEnv });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function headerArgs(h: Record<string, string>): string[] {
  return Object.entries(h).flatMap(([k, v]) => ['--header', `${k}: ${v}`]);
}

/** A bad-input run: exit 2, nothing on stdout, one sentence on stderr. */
function assertBadInput(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line on stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('verify: every vector case is valid (exit 0) and JSON names each header', { skip: hasVectors ? false : noVectorsReason }, () => {
  const v = loadVectors();
  for (const [name, c] of Object.entries(v.cases)) {
    const ts = c.simple_message.split(':')[0]!;
    const body = file(`${name}.json`, c.body);
    const r = cli(['verify', '--secret', v.secret, '--body', body, ...headerArgs({ ...c.signatures, 'X-Timestamp': ts }), '--now', String(Number(ts) + 5)]);
    assert.equal(r.code, 0, `${name}: ${r.stdout}${r.stderr}`);
    const out = JSON.parse(r.stdout) as { valid: boolean; signatures: Record<string, { ok: boolean; reason: string }>; timestamp: { ok: boolean; age_s: number } };
    assert.equal(out.valid, true);
    assert.deepEqual(Object.keys(out.signatures).sort(), ['X-Signature', 'X-Signature-Simple', 'X-Signature-V2']);
    for (const s of Object.values(out.signatures)) assert.equal(s.ok, true);
    assert.deepEqual(out.timestamp, { ok: true, age_s: 5 });
  }
});

test('verify: wrong secret, stale timestamp and a re-serialised body exit 1 with reasons', { skip: hasVectors ? false : noVectorsReason }, () => {
  const v = loadVectors();
  const c = v.cases.numeric_like_keys ?? Object.values(v.cases)[0]!;
  const ts = Number(c.simple_message.split(':')[0]);
  const body = file('nk.json', c.body);

  const wrong = cli(['verify', '--secret', 'not-the-secret', '--body', body, ...headerArgs(c.signatures), '--now', String(ts)]);
  assert.equal(wrong.code, 1);
  const w = JSON.parse(wrong.stdout) as { valid: boolean; signatures: Record<string, { ok: boolean; reason: string }> };
  assert.equal(w.valid, false);
  assert.match(w.signatures['X-Signature']!.reason, /wrong secret/);

  const stale = cli(['verify', '--secret', v.secret, '--body', body, ...headerArgs(c.signatures), '--now', String(ts + 3600)]);
  assert.equal(stale.code, 1);
  const s = JSON.parse(stale.stdout) as { timestamp: { ok: boolean; age_s: number; reason: string } };
  assert.deepEqual([s.timestamp.ok, s.timestamp.age_s], [false, 3600]);
  assert.equal(cli(['verify', '--secret', v.secret, '--body', body, ...headerArgs(c.signatures), '--now', String(ts + 3600), '--tolerance', '7200']).code, 0);

  const reserialised = file('nk-js.json', JSON.stringify(JSON.parse(c.body)));
  const re = cli(['verify', '--secret', v.secret, '--body', reserialised, ...headerArgs(c.signatures), '--now', String(ts)]);
  assert.equal(re.code, 1);
  const rj = JSON.parse(re.stdout) as { signatures: Record<string, { ok: boolean; reason: string }> };
  assert.match(rj.signatures['X-Signature']!.reason, /re-serialised.*integer-like keys/);
  assert.equal(rj.signatures['X-Signature-V2']!.ok, true);
});

test('sign: prints the vector headers; sign -> verify round trip keeps integers past 2^53', { skip: hasVectors ? false : noVectorsReason }, () => {
  const v = loadVectors();
  for (const [name, c] of Object.entries(v.cases)) {
    const r = cli(['sign', '--secret', v.secret, '--body', file(`s-${name}.json`, `${JSON.stringify(JSON.parse(c.body), null, 2)}\n`)]);
    // Pretty-printing the input is fine for sign: only big integers would be lost, and none are here.
    assert.equal(r.code, 0, r.stderr);
    const h = JSON.parse(r.stdout) as Record<string, string>;
    for (const k of ['X-Signature', 'X-Signature-V2', 'X-Signature-Simple'] as const) assert.equal(h[k], c.signatures[k], `${name} ${k}`);
    assert.equal(h['User-Agent'], 'DiditWebhook/2.0');
    assert.equal(h['Content-Type'], 'application/json');
  }
});

test('sign then verify through files: big integers, tiny floats, astral keys, DEL', () => {
  const payload = `{"webhook_type":"status.updated","status":"Approved","session_id":"s-9","timestamp":1790000000,
    "metadata":{"big":123456789012345678901234567890,"tiny":0.0000001,"\u{1F600}":"\x7f","\uffff":-0.0,"10":1,"2":2}}`;
  const src = file('payload.json', payload);
  const out = join(dir, 'sent.json');
  const headersFile = join(dir, 'headers.json');
  const s = cli(['sign', '--secret', 'whsec_cli', '--body', src, '--body-out', out]);
  assert.equal(s.code, 0, s.stderr);
  writeFileSync(headersFile, s.stdout);
  const sent = readFileSync(out, 'utf8');
  assert.ok(sent.includes('"big":123456789012345678901234567890'), sent);
  assert.ok(sent.includes('"tiny":1e-07'));
  assert.ok(sent.includes('"\\uffff":0,"\\ud83d\\ude00":"\\u007f"'), sent);
  assert.ok(sent.indexOf('"10"') < sent.indexOf('"2"'));

  const ok = cli(['verify', '--secret', 'whsec_cli', '--body', out, '--headers', headersFile, '--now', '1790000001']);
  assert.equal(ok.code, 0, ok.stdout);
  // The secret can come from the environment instead of the command line.
  assert.equal(cli(['verify', '--body', out, '--headers', headersFile, '--now', '1790000001'], { FACEMATCH_WEBHOOK_SECRET: 'whsec_cli' }).code, 0);

  // Without a timestamp field, --timestamp sets X-Timestamp.
  const noTs = cli(['sign', '--secret', 'k', '--body', file('nots.json', '{"session_id":"s","status":"Declined","webhook_type":"status.updated"}'), '--timestamp', '1700000000']);
  assert.equal(noTs.code, 0, noTs.stderr);
  assert.equal((JSON.parse(noTs.stdout) as Record<string, string>)['X-Timestamp'], '1700000000');
});

test('bad input exits 2 with one sentence: files, secret, headers, numbers, subcommands', () => {
  const body = file('ok.json', '{"timestamp":1790000000}');
  const sig = ['--header', `X-Signature: ${'a'.repeat(64)}`];
  assertBadInput(cli(['verify', '--secret', 's', '--body', join(dir, 'missing.json'), ...sig]), /does not exist/);
  assertBadInput(cli(['verify', '--secret', 's', '--body', dir, ...sig]), /directory/);
  assertBadInput(cli(['verify', '--secret', 's', '--body', file('empty.json', ''), ...sig]), /empty/);
  assertBadInput(cli(['verify', '--body', body, ...sig]), /no webhook secret/);
  assertBadInput(cli(['verify', '--secret', 's', ...sig]), /no body/);
  assertBadInput(cli(['verify', '--secret', 's', '--body', body]), /no signature to check/);
  assertBadInput(cli(['verify', '--secret', 's', '--body', body, '--header', 'X-Signature abc']), /Name: value/);
  assertBadInput(cli(['verify', '--secret', 's', '--body', body, ...sig, '--now', 'yesterday']), /--now must be a number/);
  assertBadInput(cli(['verify', '--secret', 's', '--body', body, ...sig, '--bogus', '1']), /unknown option/);
  assertBadInput(cli(['verify', '--secret', 's', '--body', body, '--headers', file('h.json', '[1]')]), /JSON object/);
  assertBadInput(cli(['verify', '--secret']), /needs a value/);
  assertBadInput(cli(['sign', '--secret', 's', '--body', file('bad.json', '{"a":')]), /not valid JSON/);
  assertBadInput(cli(['sign', '--secret', 's', '--body', file('arr.json', '[1,2]')]), /JSON object/);
  assertBadInput(cli(['sign', '--secret', 's', '--body', file('nan.json', '{"a":NaN}')]), /NaN/);
  assertBadInput(cli(['sign', '--secret', 's', '--body', file('inf.json', '{"a":1e999}')]), /too large/);
  assertBadInput(cli(['frobnicate']), /unknown webhook subcommand/);
  assertBadInput(cli([]), /verify.*sign/);
  const help = cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /webhook verify --secret S --body FILE/);
});

test('verify: malformed signature header and non-JSON body are reported, not crashed on (exit 1)', () => {
  const body = file('nojson.txt', 'hello, not json');
  const r = cli(['verify', '--secret', 's', '--body', body, '--header', 'X-Signature: zz', '--header', `X-Signature-V2: ${'0'.repeat(64)}`, '--now', '1']);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as { valid: boolean; signatures: Record<string, { ok: boolean; reason: string }>; timestamp: { ok: boolean; age_s: null } };
  assert.match(out.signatures['X-Signature']!.reason, /not a 64-character hex/);
  assert.match(out.signatures['X-Signature-V2']!.reason, /not valid JSON/);
  assert.deepEqual([out.timestamp.ok, out.timestamp.age_s], [false, null]);
});
