// What an agent with only this server's prompts, tools and resources is told, over a real MCP
// client on stdio: that a Declined attempt is not final while attempts remain, that the delivery
// uuid it is shown is accepted by the signature doctor, that the doctor judges a replayed
// delivery at now, which default thresholds apply on which path, where the base URL comes
// from, what to do without a database or a multipart library, and tool and resource texts that
// match what the tools do.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SPEC_SUMMARY } from '../../src/mcp/spec-summary.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { connectStdio, fails, ok, startReceiver, tempDir, type Connected } from '../helpers/mcp-harness.js';

type Decision = { status: string; face_matches: Array<{ status: string; warnings: Array<{ risk: string }> }> | null; face_match_attempts_remaining: number; __outcome: { text: string } };

let tmp: ReturnType<typeof tempDir>;
let conn: Connected;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let workflowId: string;

before(async () => {
  tmp = tempDir();
  receiver = await startReceiver();
  conn = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'sandbox.db'), FACEMATCH_LOG: 'silent' }, cwd: tmp.dir });
  await ok(conn.client, 'provision_account', { email: 'agent-path@example.com' });
  // Feature names, as the prompt now says create_workflow accepts.
  workflowId = (await ok<{ workflow_id: string }>(conn.client, 'create_workflow', { features: ['FACE_MATCH'] })).workflow_id;
  await ok(conn.client, 'create_webhook_destination', { url: receiver.url });
});

after(async () => {
  await conn?.close();
  await receiver?.close();
  tmp?.cleanup();
});

const sessionOf = (w: { rawBody: string }): string => (JSON.parse(w.rawBody) as { session_id: string }).session_id;
const statusOf = (w: { rawBody: string }): string => (JSON.parse(w.rawBody) as { status: string }).status;

describe('the signature doctor and the delivery log', () => {
  let uuid: string;
  let sentAt: number;

  before(async () => {
    const s = await ok<{ session_id: string }>(conn.client, 'create_session', { workflow_id: workflowId, vendor_data: 'doctor' });
    await ok(conn.client, 'simulate_session_outcome', { session_id: s.session_id, outcome: 'Approved' });
    const hook = await receiver.waitFor((w) => sessionOf(w) === s.session_id && statusOf(w) === 'Approved');
    sentAt = Number(hook.headers['x-timestamp']);
    const list = await ok<{ results: Array<{ uuid: string; status: string; webhook_type: string }> }>(conn.client, 'list_webhook_deliveries', { session_id: s.session_id, wait_ms: 5000 });
    uuid = list.results[0]!.uuid;
  });

  test('verify_webhook_signature takes the uuid list_webhook_deliveries shows', async () => {
    const r = await ok<{ valid: boolean }>(conn.client, 'verify_webhook_signature', { delivery_id: uuid });
    assert.equal(r.valid, true, r.__outcome.text);
    const missing = await fails(conn.client, 'verify_webhook_signature', { delivery_id: '00000000-0000-4000-8000-0000000fffff' });
    assert.match(missing, /list_webhook_deliveries/);
    assert.doesNotMatch(missing, /list_workflows/);
  });

  test('a replayed delivery is judged at now: an old one shows the stale-timestamp failure; now= judges it as it arrived', async () => {
    await new Promise((r) => setTimeout(r, 2200));
    const stale = await ok<{ valid: boolean; timestamp: { ok: boolean; age_s: number | null; reason?: string } }>(conn.client, 'verify_webhook_signature', { delivery_id: uuid, tolerance_seconds: 1 });
    assert.equal(stale.valid, false, stale.__outcome.text);
    assert.equal(stale.timestamp.ok, false);
    assert.ok((stale.timestamp.age_s ?? 0) >= 2, `age ${stale.timestamp.age_s}`);
    assert.match(stale.__outcome.text, new RegExp(`judged at now.*now=${sentAt}`));
    const then = await ok<{ valid: boolean }>(conn.client, 'verify_webhook_signature', { delivery_id: uuid, tolerance_seconds: 1, now: sentAt });
    assert.equal(then.valid, true, then.__outcome.text);
  });

  test('a re-serialised body: the doctor names the cause (parsed and serialised again), not only the escaping', async () => {
    const signed = await ok<{ body: string; headers: Record<string, string> }>(conn.client, 'sign_webhook_payload', { payload: { session_id: 's-1', status: 'Approved', webhook_type: 'status.updated', vendor_data: 'Zoë' }, secret: 'topsecret' });
    const now = Number(signed.headers['X-Timestamp']);
    const r = await ok<{ signatures: Record<string, { ok: boolean; reason: string }> }>(conn.client, 'verify_webhook_signature', {
      raw_body: JSON.stringify(JSON.parse(signed.body)),
      headers: signed.headers,
      secret: 'topsecret',
      now,
    });
    assert.match(r.signatures['X-Signature']!.reason, /parsed and written out again .*JSON\.stringify\(req\.body\)/);
    assert.match(r.signatures['X-Signature-V2']!.reason, /not the bytes that were sent: it was parsed and serialised again/);
  });
});

describe('what the prompts, tool descriptions and resources say', () => {
  const prompt = async (name: string, args: Record<string, string>): Promise<string> => {
    const got = await conn.client.getPrompt({ name, arguments: args });
    return got.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
  };

  test('thresholds: each path keeps its documented defaults, and prompt and tools say which applies where', async () => {
    const tools = (await conn.client.listTools()).tools;
    const desc = (n: string): string => tools.find((t) => t.name === n)!.description ?? '';
    assert.match(desc('face_match'), /default 30 here; sessions use 50\/70/);
    assert.match(desc('create_workflow'), /decline \(default 50\).*review \(default 70\).*30 is the standalone POST \/v3\/face-match\/ default/);
    assert.doesNotMatch(desc('create_workflow'), /face_match alone/);
    const now = (tools.find((t) => t.name === 'verify_webhook_signature')!.inputSchema.properties as Record<string, { description?: string }>).now!.description ?? '';
    assert.match(now, /Default: the current time; pass the delivery's X-Timestamp to judge it as it arrived/);
    const text = await prompt('integrate_face_match', { my_stack: 'Express on Node 20' });
    assert.match(text, /Sessions \(path A\): Declined at score <= 50, In Review at <= 70, Approved above/);
    assert.match(text, /Standalone \(path B\): Declined at <= 30/);
    assert.doesNotMatch(text, /Keep the default thresholds unless/);
  });

  test('the base URL comes from configuration: no URL is written before an API path', async () => {
    const text = await prompt('integrate_face_match', { my_stack: 'FastAPI' });
    assert.doesNotMatch(text, /https?:\/\/[^\s`'"]+\/v3\//);
    assert.match(text, /\{FACEMATCH_API_BASE\}\/v3\/session\//);
    assert.match(text, /\{FACEMATCH_API_BASE\}\/v3\/face-match\//);
    assert.match(text, /reads the base URL and keys from configuration/);
  });

  test('no database or multipart library assumed: the smallest dependency-free form, or what to add', async () => {
    for (const stack of ['Express on Node 20', 'FastAPI', 'a custom stack']) {
      const text = await prompt('integrate_face_match', { my_stack: stack });
      assert.match(text, /dependency-free form/, stack);
      assert.match(text, /Python's standard library has no multipart encoder, so add httpx or requests/, stack);
    }
  });

  test('provision_account states its password rule; features as create_workflow takes them; the secret is not "shown once"', async () => {
    const tools = (await conn.client.listTools()).tools;
    assert.match(tools.find((t) => t.name === 'provision_account')!.description ?? '', /password: 8-256 chars with upper, lower, digit, special/);
    const text = await prompt('integrate_face_match', { my_stack: 'Express' });
    assert.match(text, /features \["OCR", "FACE_MATCH"\]/);
    assert.doesNotMatch(text, /objects, not strings/);
    const spec = await conn.client.readResource({ uri: 'facematch://spec' });
    const specText = spec.contents.map((c) => ('text' in c ? c.text : '')).join('');
    assert.doesNotMatch(specText, /shown once/);
    // The summary shipped in the package (served when the full spec is absent).
    assert.doesNotMatch(SPEC_SUMMARY, /shown once/);
    assert.match(SPEC_SUMMARY, /GET \(list or one destination\) returns\s+it in full/);
  });

  test('facematch://spec is the shipped summary: no team notes, no tools the agent lacks, the engine\'s no-face codes', async () => {
    const spec = await conn.client.readResource({ uri: 'facematch://spec' });
    const text = spec.contents.map((c) => ('text' in c ? c.text : '')).join('');
    assert.equal(text, SPEC_SUMMARY);
    assert.doesNotMatch(text, /Weigh the sources|search tool|docs corpus|verifier's diagnosis|\.\.\/shared|SPEC\.md/);
    // Standalone no-face: the codes face_match returns, NO_REFERENCE_IMAGE only for a missing reference.
    assert.match(text, /no face in user_image -> Declined, NO_FACE_IN_SELFIE, score null/);
    assert.match(text, /no face in ref_image -> Declined, FACE_MATCH_NOT_COMPUTED, score null/);
    for (const line of text.split('\n').filter((l) => l.includes('NO_REFERENCE_IMAGE'))) assert.match(line, /no reference image/, line);
  });

  test('debug_webhook_signature cites no file the agent cannot see', async () => {
    const text = await prompt('debug_webhook_signature', { framework: 'FastAPI' });
    assert.doesNotMatch(text, /docs\/|\b[\w-]+\.md\b/);
  });
});

describe('the verifier an agent is told to take runs in the app the stack names', () => {
  const prompt = async (stack: string): Promise<string> =>
    (await conn.client.getPrompt({ name: 'integrate_face_match', arguments: { my_stack: stack } })).messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');

  for (const [stack, packageJson, form] of [
    ['Express 5, "type": "module"', { type: 'module' }, 'js'],
    ['Express 4 (ESM, "type": "module")', { type: 'module' }, 'js'],
    ['Fastify (ESM)', { type: 'module' }, 'js'],
    ['Express 4 + Postgres', {}, 'cjs'],
  ] as const) {
    test(`${stack}: the prompt's language, and the tool's usage line, load in that project`, async () => {
      const language = /webhook_verifier_snippet tool \(language "(\w+)"/.exec(await prompt(stack))?.[1];
      assert.equal(language, form, stack);
      const snip = await ok<{ file: string; source: string }>(conn.client, 'webhook_verifier_snippet', { language });
      const text = snip.__outcome.text;
      // The source once in the text, once in structuredContent: not a third time as JSON.
      assert.equal(text.split(snip.source.trim().slice(0, 200)).length - 1, 1, 'the source appears once in the text');
      assert.ok(!text.includes(JSON.stringify(snip.source).slice(1, 200)), 'no JSON-escaped copy of the source');
      const usage = /(import \{ verifyWebhook \} from '[^']+'|const \{ verifyWebhook \} = require\('[^']+'\))/.exec(text)?.[1];
      assert.ok(usage, text.slice(0, 400));
      const signed = await ok<{ body: string; headers: Record<string, string> }>(conn.client, 'sign_webhook_payload', { payload: { session_id: 's-1', status: 'Approved', webhook_type: 'status.updated' }, secret: 'topsecret' });
      const dir = join(tmp.dir, `app-${form}-${stack.replace(/\W+/g, '-')}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'receiver', private: true, ...packageJson }));
      writeFileSync(join(dir, snip.file), snip.source);
      writeFileSync(
        join(dir, 'app.js'),
        `${usage};\nconst r = verifyWebhook(${JSON.stringify(signed.body)}, ${JSON.stringify(signed.headers)}, 'topsecret', { now: ${Number(signed.headers['X-Timestamp'])} });\nconsole.log(JSON.stringify(r));\n`,
      );
      const run = spawnSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8' });
      assert.equal(run.status, 0, `${usage}\n${run.stderr}`);
      assert.equal((JSON.parse(run.stdout) as { valid: boolean }).valid, true, run.stdout);
    });
  }
});

describe('face_match_attempts_remaining is the attempts left, whatever the status', () => {
  test('a session decided without using its attempts still has all of them: 0 is never shown for unused attempts', async () => {
    const s = await ok<{ session_id: string }>(conn.client, 'create_session', { workflow_id: workflowId, vendor_data: 'remaining-approved' });
    await ok(conn.client, 'simulate_session_outcome', { session_id: s.session_id, outcome: 'Approved' });
    const d = await ok<Decision & { face_match_attempts: number; face_match_max_attempts: number }>(conn.client, 'get_session_decision', { session_id: s.session_id });
    assert.equal(d.status, 'Approved');
    assert.equal(d.face_match_attempts_remaining, d.face_match_max_attempts - d.face_match_attempts);
    assert.ok(d.face_match_attempts_remaining > 0);
    assert.doesNotMatch(d.__outcome.text, /Not final|no attempts remain/);
  });

  test('Approved after one attempt: 2 of 3 remain', { skip: hasFaces ? false : noFacesReason }, async () => {
    const same = readPairs('lfw-funneled-dev').find((p) => p.same)!;
    const s = await ok<{ session_id: string }>(conn.client, 'create_session', { workflow_id: workflowId, vendor_data: 'remaining-one' });
    const d = await ok<Decision>(conn.client, 'submit_session_images', { session_id: s.session_id, selfie: same.a, reference: same.b });
    assert.notEqual(d.status, 'In Progress', d.__outcome.text);
    assert.equal(d.face_match_attempts_remaining, 2, d.__outcome.text);
    assert.doesNotMatch(d.__outcome.text, /Not final/);
  });
});

describe('Declined is not final while attempts remain', { skip: hasFaces ? false : noFacesReason }, () => {
  test('a declined attempt keeps the session In Progress and says how many attempts remain; Declined sticks when they are used up', async () => {
    const diff = readPairs('lfw-funneled-dev').find((p) => !p.same)!;
    const s = await ok<{ session_id: string }>(conn.client, 'create_session', { workflow_id: workflowId, vendor_data: 'retry-loop' });
    const images = { session_id: s.session_id, selfie: diff.a, reference: diff.b };
    const first = await ok<Decision>(conn.client, 'submit_session_images', images);
    assert.equal(first.status, 'In Progress', first.__outcome.text);
    assert.equal(first.face_matches![0]!.status, 'Declined');
    assert.equal(first.face_match_attempts_remaining, 2);
    assert.match(first.__outcome.text, /Not final: 2 of 3 attempts remain/);
    const read = await ok<Decision>(conn.client, 'get_session_decision', { session_id: s.session_id });
    assert.equal(read.face_match_attempts_remaining, 2);
    assert.match(read.__outcome.text, /must not act on this decline yet/);

    await ok(conn.client, 'submit_session_images', images);
    const last = await ok<Decision>(conn.client, 'submit_session_images', images);
    assert.equal(last.status, 'Declined');
    assert.equal(last.face_match_attempts_remaining, 0);
    assert.ok(last.face_matches![0]!.warnings.some((w) => w.risk === 'FACE_MATCH_MAX_ATTEMPTS_EXCEEDED'));
    assert.match(last.__outcome.text, /Final for this session/);

    const hook = await receiver.waitFor((w) => sessionOf(w) === s.session_id && statusOf(w) === 'Declined');
    const body = JSON.parse(hook.rawBody) as { decision: { face_match_attempts_remaining: number } };
    assert.equal(body.decision.face_match_attempts_remaining, 0);
    const statuses = receiver.received.filter((w) => sessionOf(w) === s.session_id).map(statusOf);
    assert.deepEqual(statuses, ['Not Started', 'In Progress', 'Declined'], 'one Declined webhook, when it is final');

    const text = (await conn.client.getPrompt({ name: 'integrate_face_match', arguments: { my_stack: 'Express' } })).messages
      .map((m) => (m.content.type === 'text' ? m.content.text : ''))
      .join('\n');
    assert.match(text, /Declined is not always final/);
    assert.match(text, /face_match_attempts_remaining/);
    assert.match(text, /Resubmitted/);
    assert.ok(readFileSync(diff.a).length > 0);
  });
});
