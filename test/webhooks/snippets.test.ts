// The verifiers users copy into their app (`webhook snippet --lang ...`), run for real: the
// generated JavaScript under node, the TypeScript compiled with this repo's tsc, the Python
// under python3, Go where a Go toolchain exists. Each one checks every shared signature vector
// and real deliveries captured from a sandbox by a real HTTP receiver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { canonicalizeBody } from '../../src/webhooks/index.js';
import { hasVectors, loadVectors, noVectorsReason } from '../helpers/webhook-cases.js';
import { provisionApp, startReceiver, tempDb, testSandbox } from '../helpers/sandbox.js';

const CLI = join(packageRoot, 'dist', 'src', 'cli.js');

interface Case {
  name: string;
  body_b64: string;
  headers: Record<string, string>;
  secret: string;
  now: number;
  allow_simple?: boolean;
  expect: { valid: boolean; matched: string | null };
}

interface Outcome {
  name: string;
  valid: boolean;
  matched: string | null;
  reason: string | null;
}

function snippet(lang: string): string {
  return snippetWithPlace(lang).source;
}

/** The snippet and the file the CLI says to save it as (the tests save it exactly there). */
function snippetWithPlace(lang: string): { source: string; file: string; hint: string } {
  const r = spawnSync(process.execPath, [CLI, 'webhook', 'snippet', '--lang', lang], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = /save it as (\S+?),/.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.doesNotMatch(r.stdout, /facematch-mcp\/|from '\.\.?\/|require\('\.\.?\//, 'the snippet must not import this package or relative files');
  return { source: r.stdout, file: m[1]!, hint: r.stderr };
}

/** Python interpreters to try: python3, plus the oldest pyenv versions still in wide use, when installed. */
function pythons(): Array<{ label: string; cmd: string }> {
  const out: Array<{ label: string; cmd: string }> = [{ label: 'python3', cmd: 'python3' }];
  const root = spawnSync('pyenv', ['root'], { encoding: 'utf8' });
  if (root.status === 0) {
    const versions = spawnSync('pyenv', ['versions', '--bare'], { encoding: 'utf8' }).stdout.split('\n').map((v) => v.trim());
    for (const v of versions.filter((x) => /^3\.(7|8|9)\.\d+$/.test(x))) out.push({ label: `python ${v}`, cmd: join(root.stdout.trim(), 'versions', v, 'bin', 'python3') });
  }
  return out;
}

/** Cases from the shared vectors: all headers, V2 alone, Simple alone (off and on), tampered, stale, wrong secret. */
function vectorCases(): Case[] {
  const v = loadVectors();
  const now = 1790000000;
  const out: Case[] = [];
  for (const [name, c] of Object.entries(v.cases)) {
    const b64 = Buffer.from(c.body, 'utf8').toString('base64');
    const all = { 'X-Signature': c.signatures['X-Signature'], 'X-Signature-V2': c.signatures['X-Signature-V2'], 'X-Signature-Simple': c.signatures['X-Signature-Simple'], 'X-Timestamp': String(now) };
    out.push({ name: `${name}/all`, body_b64: b64, headers: all, secret: v.secret, now, expect: { valid: true, matched: 'X-Signature' } });
    // V2 over a body re-encoded with raw UTF-8 (what a middleware re-serialisation does).
    const reencoded = Buffer.from(c.body_v2, 'utf8').toString('base64');
    out.push({ name: `${name}/v2-reencoded`, body_b64: reencoded, headers: { 'x-signature-v2': c.signatures['X-Signature-V2'] }, secret: v.secret, now, expect: { valid: true, matched: 'X-Signature-V2' } });
    out.push({ name: `${name}/simple-off`, body_b64: b64, headers: { 'X-Signature-Simple': c.signatures['X-Signature-Simple'] }, secret: v.secret, now, expect: { valid: false, matched: null } });
    out.push({ name: `${name}/simple-on`, body_b64: b64, headers: { 'X-Signature-Simple': c.signatures['X-Signature-Simple'] }, secret: v.secret, now, allow_simple: true, expect: { valid: true, matched: 'X-Signature-Simple' } });
    const tampered = Buffer.from(c.body.replace('"environment":"sandbox"', '"environment":"sandboy"'), 'utf8').toString('base64');
    out.push({ name: `${name}/tampered`, body_b64: tampered, headers: all, secret: v.secret, now, expect: { valid: false, matched: null } });
    out.push({ name: `${name}/stale`, body_b64: b64, headers: all, secret: v.secret, now: now + 301, expect: { valid: false, matched: null } });
    out.push({ name: `${name}/wrong-secret`, body_b64: b64, headers: all, secret: `${v.secret}x`, now, expect: { valid: false, matched: null } });
  }
  return out;
}

/** Real deliveries from a sandbox to a real receiver: every outcome, non-ASCII metadata. */
async function deliveryCases(): Promise<Case[]> {
  const tmp = tempDb();
  const receiver = await startReceiver();
  const sb = testSandbox(tmp.db);
  try {
    const { app } = provisionApp(sb);
    const wf = sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    const dest = sb.webhooks.createDestination(app, { url: receiver.url, subscribed_events: ['status.updated', 'data.updated'] });
    const outcomes = ['Approved', 'In Review', 'Declined', 'NO_REFERENCE_IMAGE', 'Abandoned', 'Expired'] as const;
    for (const [i, outcome] of outcomes.entries()) {
      const s = sb.sessions.create(app, { workflow_id: wf, vendor_data: `user-${i}`, metadata: { city: 'São Paulo', emoji: '\u{1F600}', big: 12345678901234567891n.toString() } });
      sb.sessions.simulate(app, s.session_id, outcome);
    }
    await sb.webhooks.flush(15_000);
    assert.ok(receiver.received.length >= outcomes.length, `got ${receiver.received.length} deliveries`);
    return receiver.received.flatMap((r, i): Case[] => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k] = v;
      const name = `delivery-${i}-${String(r.json.status)}`;
      const now = Number(r.json.timestamp);
      // The same delivery after a middleware re-encoded it with raw UTF-8: only V2 can hold.
      const reencoded = Buffer.from(canonicalizeBody(r.rawBody.toString('utf8')).v2, 'utf8');
      assert.notDeepEqual(reencoded, r.rawBody, 'the metadata has non-ASCII text, so re-encoding changes the bytes');
      return [
        { name, body_b64: r.rawBody.toString('base64'), headers, secret: dest.secret_shared_key, now, expect: { valid: true, matched: 'X-Signature' } },
        { name: `${name}/v2-reencoded`, body_b64: reencoded.toString('base64'), headers, secret: dest.secret_shared_key, now, expect: { valid: true, matched: 'X-Signature-V2' } },
      ];
    });
  } finally {
    await sb.close();
    await receiver.close();
    tmp.cleanup();
  }
}

const CJS_RUNNER = `const { readFileSync } = require('node:fs');
const { verifyWebhook } = require('./verify-webhook.cjs');
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = cases.map((c) => {
  const r = verifyWebhook(Buffer.from(c.body_b64, 'base64'), c.headers, c.secret, { now: c.now, allowSimple: !!c.allow_simple });
  return { name: c.name, valid: r.valid, matched: r.matched, reason: r.reason };
});
process.stdout.write(JSON.stringify(out));
`;

const JS_RUNNER = `import { readFileSync } from 'node:fs';
import { verifyWebhook } from './verify-webhook.mjs';
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = cases.map((c) => {
  const r = verifyWebhook(Buffer.from(c.body_b64, 'base64'), c.headers, c.secret, { now: c.now, allowSimple: !!c.allow_simple });
  return { name: c.name, valid: r.valid, matched: r.matched, reason: r.reason };
});
process.stdout.write(JSON.stringify(out));
`;

const TS_RUNNER = `import { readFileSync } from 'node:fs';
import { verifyWebhook, type VerifyWebhookResult } from './verify-webhook.js';
interface Case { name: string; body_b64: string; headers: Record<string, string>; secret: string; now: number; allow_simple?: boolean }
const cases = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Case[];
const out = cases.map((c) => {
  const r: VerifyWebhookResult = verifyWebhook(Buffer.from(c.body_b64, 'base64'), c.headers, c.secret, { now: c.now, allowSimple: !!c.allow_simple });
  return { name: c.name, valid: r.valid, matched: r.matched, reason: r.reason };
});
process.stdout.write(JSON.stringify(out));
`;

const PY_RUNNER = `import base64, json, sys
from verify_webhook import verify_webhook
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    r = verify_webhook(base64.b64decode(c["body_b64"]), c["headers"], c["secret"], now=c["now"],
                       allow_simple=bool(c.get("allow_simple")))
    assert isinstance(r["valid"], bool)
    out.append({"name": c["name"], "valid": r["valid"], "matched": r["matched"], "reason": r["reason"]})
sys.stdout.write(json.dumps(out))
`;

function check(lang: string, cases: Case[], outcomes: Outcome[]): void {
  assert.equal(outcomes.length, cases.length, `${lang}: one answer per case`);
  for (const [i, c] of cases.entries()) {
    const o = outcomes[i]!;
    assert.equal(o.name, c.name);
    assert.equal(o.valid, c.expect.valid, `${lang} ${c.name}: valid (${o.reason ?? 'no reason'})`);
    assert.equal(o.matched, c.expect.matched, `${lang} ${c.name}: matched`);
    if (!c.expect.valid) assert.ok(o.reason && o.reason.length > 10, `${lang} ${c.name}: a reason is given`);
  }
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

test('verifier snippets pass every shared vector and real sandbox deliveries', async (t) => {
  if (!hasVectors) {
    t.diagnostic(`NOT RUN: ${noVectorsReason}`);
    t.skip(noVectorsReason);
    return;
  }
  const cases = [...vectorCases(), ...(await deliveryCases())];
  t.diagnostic(`${cases.length} cases (${cases.filter((c) => /^delivery-\d+-[^/]+$/.test(c.name)).length} real deliveries)`);
  const dir = mkdtempSync(join(tmpdir(), 'fm-snippets-'));
  try {
    const casesFile = join(dir, 'cases.json');
    writeFileSync(casesFile, JSON.stringify(cases));

    await t.test('JavaScript (node)', () => {
      writeFileSync(join(dir, 'verify-webhook.mjs'), snippet('js'));
      writeFileSync(join(dir, 'run.mjs'), JS_RUNNER);
      check('js', cases, JSON.parse(run(process.execPath, ['run.mjs', casesFile], dir)) as Outcome[]);
    });

    await t.test('JavaScript as CommonJS (require, in a package without "type")', () => {
      const cjs = join(dir, 'cjs');
      run('mkdir', ['-p', cjs], dir);
      const got = snippetWithPlace('cjs');
      assert.equal(got.file, 'verify-webhook.cjs');
      writeFileSync(join(cjs, 'package.json'), '{"name":"express-app"}');
      writeFileSync(join(cjs, got.file), got.source);
      writeFileSync(join(cjs, 'run.cjs'), CJS_RUNNER);
      check('cjs', cases, JSON.parse(run(process.execPath, ['run.cjs', casesFile], cjs)) as Outcome[]);
    });

    await t.test('TypeScript (compiled with the repo tsc, strict)', () => {
      const ts = join(dir, 'ts');
      run('mkdir', ['-p', ts], dir);
      writeFileSync(join(ts, 'verify-webhook.ts'), snippet('ts'));
      writeFileSync(join(ts, 'run.ts'), TS_RUNNER);
      writeFileSync(join(ts, 'package.json'), '{"type":"module"}');
      const tsc = join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');
      run(process.execPath, [tsc, '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--typeRoots', join(packageRoot, 'node_modules', '@types'), '--types', 'node', '--outDir', 'out', 'verify-webhook.ts', 'run.ts'], ts);
      writeFileSync(join(ts, 'out', 'package.json'), '{"type":"module"}');
      check('ts', cases, JSON.parse(run(process.execPath, [join('out', 'run.js'), casesFile], ts)) as Outcome[]);
    });

    for (const py of pythons()) {
      await t.test(`Python (${py.label})`, (tt) => {
        const has = spawnSync(py.cmd, ['--version'], { encoding: 'utf8' });
        assert.equal(has.status, 0, `${py.cmd} was not found`);
        tt.diagnostic(`ran under ${(has.stdout || has.stderr).trim()}`);
        const got = snippetWithPlace('python');
        writeFileSync(join(dir, got.file), got.source);
        writeFileSync(join(dir, 'run.py'), PY_RUNNER);
        check(py.label, cases, JSON.parse(run(py.cmd, ['run.py', casesFile], dir)) as Outcome[]);
      });
    }

    await t.test('Go', (tt) => {
      const go = spawnSync('go', ['version'], { encoding: 'utf8' });
      if (go.error || go.status !== 0) {
        const msg = 'NO GO TOOLCHAIN ON THIS MACHINE: the Go verifier (webhook snippet --lang go) was NOT compiled or run';
        process.stderr.write(`\n*** ${msg} ***\n\n`);
        tt.diagnostic(msg);
        tt.skip(msg);
        return;
      }
      tt.diagnostic(go.stdout.trim());
      const mod = join(dir, 'go');
      // Saved where the CLI says (its own package folder), beside a main.go as in a real app.
      const got = snippetWithPlace('go');
      assert.match(got.hint, /not beside main\.go/);
      run('mkdir', ['-p', join(mod, dirname(got.file))], dir);
      writeFileSync(join(mod, 'go.mod'), 'module example.test/verify\n\ngo 1.21\n');
      writeFileSync(join(mod, got.file), got.source);
      writeFileSync(
        join(mod, 'main.go'),
        `package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"

	"example.test/verify/webhookverify"
)

type c struct {
	Name        string            \`json:"name"\`
	Body        string            \`json:"body_b64"\`
	Headers     map[string]string \`json:"headers"\`
	Secret      string            \`json:"secret"\`
	Now         int64             \`json:"now"\`
	AllowSimple bool              \`json:"allow_simple"\`
}

func main() {
	raw, _ := os.ReadFile(os.Args[1])
	var cases []c
	_ = json.Unmarshal(raw, &cases)
	out := []map[string]interface{}{}
	for _, k := range cases {
		body, _ := base64.StdEncoding.DecodeString(k.Body)
		h := http.Header{}
		for n, v := range k.Headers {
			h.Set(n, v)
		}
		now := k.Now
		r := webhookverify.VerifyWebhook(body, h, k.Secret, &webhookverify.Options{Now: &now, AllowSimple: k.AllowSimple})
		var matched interface{}
		if r.Matched != "" {
			matched = r.Matched
		}
		var reason interface{}
		if r.Reason != "" {
			reason = r.Reason
		}
		out = append(out, map[string]interface{}{"name": k.Name, "valid": r.Valid, "matched": matched, "reason": reason})
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
`,
      );
      check('go', cases, JSON.parse(run('go', ['run', '.', casesFile], mod)) as Outcome[]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Python verifier shows the raw-body call of each framework the prompt advises', async () => {
  const { adviceFor } = await import('../../prompts/stacks.js');
  const source = snippet('python');
  for (const [stack, call] of [['Django', 'request.body'], ['FastAPI', 'await request.body()'], ['Flask', 'request.get_data()']] as const) {
    assert.ok(adviceFor(stack)!.rawBody.includes(call), `the ${stack} advice uses ${call}`);
    assert.ok(source.includes(`verify_webhook(${call}, dict(request.headers), secret)`), `the snippet shows ${stack}'s ${call}`);
  }
  assert.match(source, /FACEMATCH_WEBHOOK_SECRET/);
});
