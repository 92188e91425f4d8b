// The prompts: right shapes, advice specific to the named stack, the base URL of the running
// server (read over a real MCP stdio connection), and no blind application of suggestions.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROMPTS } from '../../prompts/index.js';
import { adviceFor } from '../../prompts/stacks.js';
import { SNIPPET_LANGUAGES } from '../../src/webhooks/snippets/index.js';
import { connectStdio, startServe, tempDir } from '../helpers/mcp-harness.js';

const prompt = (name: string) => PROMPTS.find((p) => p.name === name)!;

const STACK_TOKENS: Array<[string, RegExp, string | null]> = [
  ['Express 4 + Postgres', /express\.raw\(\{ type: "application\/json" \}\)/, 'cjs'],
  ['Fastify', /addContentTypeParser\("application\/json", \{ parseAs: "buffer" \}/, 'cjs'],
  ['Next.js 15 app router', /await req\.arrayBuffer\(\)/, 'ts'],
  ['NestJS 10', /rawBody: true/, 'ts'],
  ['Django 5, Celery', /request\.body.*csrf_exempt/, 'python'],
  ['FastAPI', /await request\.body\(\)/, 'python'],
  ['Flask 3', /request\.get_data\(\)/, 'python'],
  ['Rails 7', /request\.raw_post/, null],
  ['Laravel 11', /\$request->getContent\(\)/, null],
  ['Go net/http', /io\.ReadAll\(http\.MaxBytesReader/, 'go'],
];

test('integrate_face_match: stack-specific raw body, dedupe and verifier for ten stacks', () => {
  for (const [stack, token, snippet] of STACK_TOKENS) {
    const text = prompt('integrate_face_match').render({ my_stack: stack });
    assert.match(text, token, stack);
    assert.equal(adviceFor(stack)?.snippet ?? null, snippet, stack);
    assert.match(text, /event_id/, `${stack}: dedupe by event_id`);
    if (snippet) assert.match(text, new RegExp(`webhook snippet --lang ${snippet}`), stack);
    else assert.match(text, /port the Python one/, stack);
    assert.match(text, /features \["OCR", "FACE_MATCH"\]/, 'features as create_workflow takes them: names');
    assert.match(text, /or an object \{"feature": "FACE_MATCH", "config": \{\.\.\.\}\}/);
    assert.match(text, /save_api_request \(default true\) each call also creates a session .* sends a status\.updated webhook/);
    assert.match(text, /must not depend on facematch-mcp at run time/);
  }
  const unknown = prompt('integrate_face_match').render({ my_stack: 'Elixir Phoenix' });
  assert.match(unknown, /stacks with ready advice: .*Express.*Go net\/http/);
});

test('integrate_face_match leads with the vendor SDK: the tested Python one first, the others named with their page as untested, then the dependency-free verifier', () => {
  const render = (stack: string): string => prompt('integrate_face_match').render({ my_stack: stack });
  const before = (text: string, a: string, b: string, stack: string): void => {
    assert.ok(text.includes(a), `${stack}: ${a}`);
    assert.ok(text.includes(b), `${stack}: ${b}`);
    assert.ok(text.indexOf(a) < text.indexOf(b), `${stack}: "${a}" comes before "${b}"`);
  };
  for (const stack of ['Django 5, Celery', 'FastAPI', 'Flask 3']) {
    const text = render(stack);
    before(text, 'Vendor SDK first: didit-sdk on PyPI (https://docs.didit.me/integration/server-sdks/python)', 'Verifier without dependencies (tested fallback)', stack);
    assert.match(text, /webhook_verifier_snippet \(language "python-sdk"\)/, stack);
    assert.match(text, /PyPI serves didit-sdk only up to 0\.4\.0 here, a community client/, stack);
    assert.match(text, /\[new_secret, old_secret\]/, stack);
    assert.match(text, /client = didit_client\(\), client\.sessions\.create\(/, `${stack}: the SDK's client calls in path A`);
    assert.ok(SNIPPET_LANGUAGES.includes('python-sdk'));
  }
  const untested: Array<[string, string, RegExp]> = [
    ['Express 4', '@didit-protocol/sdk-node on npm (https://docs.didit.me/integration/server-sdks/node)', /Not tested: it is not on the npm registry this machine reaches/],
    ['Next.js 15 app router', '@didit-protocol/sdk-node on npm', /Not tested/],
    ['Go net/http', 'the module github.com/didit-protocol/sdk-go (https://docs.didit.me/integration/server-sdks/go)', /Not tested: the Go module proxy refuses it/],
    ['Rails 7', 'the didit-sdk gem on RubyGems', /Not tested: RubyGems is not reachable/],
    ['Laravel 11', 'didit-protocol/sdk-php on Packagist (https://docs.didit.me/integration/server-sdks/php)', /Not tested: Packagist is not reachable/],
  ];
  for (const [stack, pkg, why] of untested) {
    const text = render(stack);
    before(text, `Vendor SDK: ${pkg}`, 'Verifier without dependencies (', stack);
    assert.match(text, why, stack);
    assert.doesNotMatch(text, /Vendor SDK first/, stack);
  }
  assert.match(render('Rails 7'), /Verifier without dependencies \(fallback\): no ready-made snippet for Rails: port the Python one/);
  assert.match(render('Elixir Phoenix'), /server SDKs \(Python, Node\.js, Go, Java, PHP, Ruby, \.NET: https:\/\/docs\.didit\.me\/integration\/server-sdks\/overview\)/);
  assert.match(prompt('debug_webhook_signature').render({ framework: 'Flask' }), /language "python"\) or, through the vendor's SDK package, language "python-sdk"/);
});

test('the verifier form fits the Node stack: ES module stacks get js, TypeScript ts, plain or CommonJS cjs', () => {
  const forms: Array<[string, string]> = [
    ['Express (ESM)', 'js'],
    ['Express 4 (ESM, "type": "module")', 'js'],
    ['Express 5, "type": "module"', 'js'],
    ['Express with TypeScript', 'ts'],
    ['Express 4 + Postgres', 'cjs'],
    ['Express, CommonJS', 'cjs'],
    ['Fastify (ESM)', 'js'],
    ['Fastify with TypeScript', 'ts'],
    ['Koa', 'cjs'],
    ['Hono on Node, ESM', 'js'],
  ];
  for (const [stack, form] of forms) {
    assert.equal(adviceFor(stack)?.snippet, form, stack);
    const text = prompt('integrate_face_match').render({ my_stack: stack });
    assert.match(text, new RegExp(`language "${form}"`), stack);
    assert.match(text, new RegExp(`webhook snippet --lang ${form}\\b`), stack);
  }
  // Not named: the prompt says which form it picked and when to take another.
  assert.match(prompt('integrate_face_match').render({ my_stack: 'Express 4' }), /language "cjs", CommonJS \(require\); use "ts" for TypeScript, "js" for an ES module \(package.json "type": "module"\)/);
  assert.doesNotMatch(prompt('integrate_face_match').render({ my_stack: 'Express (ESM)' }), /"cjs" for CommonJS/);
});

test('unknown Node frameworks get the raw-body rule, not Express\'s API', () => {
  for (const stack of ['Koa', 'Hono on Node', 'hapi']) {
    const text = prompt('integrate_face_match').render({ my_stack: stack });
    assert.doesNotMatch(text, /express\.raw|Raw body in Express/, stack);
    assert.match(text, /read the raw request body bytes before any JSON parser/, stack);
    const debug = prompt('debug_webhook_signature').render({ framework: stack });
    assert.doesNotMatch(debug, /express\.raw|Express/, stack);
    assert.match(debug, /raw request body bytes before any JSON parser/, stack);
  }
});

test('debug_webhook_signature: only the asked framework\'s advice, bodies need include_bodies, every snippet language', () => {
  const fastapi = prompt('debug_webhook_signature').render({ framework: 'FastAPI' });
  assert.match(fastapi, /In FastAPI: `raw = await request\.body\(\)`/);
  assert.doesNotMatch(fastapi, /express|Next\.js|req\.text|arrayBuffer|Starlette\)/i);
  assert.match(fastapi, /webhook_verifier_snippet \(language "python"\)/);
  for (const fw of ['FastAPI', 'Express', undefined]) {
    const text = prompt('debug_webhook_signature').render({ framework: fw });
    assert.match(text, /list_webhook_deliveries shows each attempt .*include_bodies: true.* exact body and headers/, String(fw));
    assert.doesNotMatch(text, /shows each attempt with the exact body/, String(fw));
  }
  const express = prompt('debug_webhook_signature').render({ framework: 'Express' });
  assert.match(express, /In Express: mount `express\.raw/);
  assert.doesNotMatch(express, /request\.body\(\)|FastAPI|Next\.js/);
  const any = prompt('debug_webhook_signature').render({});
  assert.match(any, new RegExp(`webhook_verifier_snippet \\(${SNIPPET_LANGUAGES.join(', ')}\\)`));
  assert.ok(SNIPPET_LANGUAGES.includes('cjs'));
  const any2 = prompt('integrate_face_match').render({ my_stack: 'Elixir Phoenix' });
  assert.match(any2, new RegExp(`webhook_verifier_snippet \\(${SNIPPET_LANGUAGES.join(', ')}\\)`));
});

test('choose_thresholds never tells the agent to apply suggestions blindly', () => {
  const text = prompt('choose_thresholds').render({ pairs_dir: '/data/pairs', risk_tolerance: 'strict' });
  assert.match(text, /not an answer/);
  assert.match(text, /Apply only what the user approves/);
  assert.match(text, /engine_floor/);
  assert.match(text, /impostor_share_above_review/);
  assert.doesNotMatch(text, /applies exactly this rule/);
});

test('debug_webhook_signature: delivery ids, the receiver check and the V2 variant', () => {
  const text = prompt('debug_webhook_signature').render({ framework: 'Express' });
  assert.match(text, /delivery_id/);
  assert.match(text, /receiver_computed/);
  assert.match(text, /\{timestamp\}:\{canonical\}/);
});

test('over MCP stdio the prompt carries the base URL the running serve recorded', { timeout: 120_000 }, async () => {
  const t = tempDir('fm-prompts-');
  const db = join(t.dir, 'sandbox.db');
  const serve = await startServe({ FACEMATCH_DB: db, FACEMATCH_LOG: 'silent' });
  try {
    const conn = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_LOG: 'silent' }, cwd: t.dir });
    try {
      const r = await conn.client.getPrompt({ name: 'integrate_face_match', arguments: { my_stack: 'FastAPI' } });
      const text = (r.messages[0]!.content as { text: string }).text;
      assert.ok(text.includes(`FACEMATCH_API_BASE=${serve.url}`), text.slice(0, 600));
      assert.match(text, /last `npx facematch-mcp serve` on this sandbox listened on/);
      assert.match(text, /await request\.body\(\)/);
    } finally {
      await conn.close();
    }
  } finally {
    await serve.stop();
    t.cleanup();
  }
});
