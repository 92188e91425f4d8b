// The MCP server over a real stdio subprocess, driven by the SDK's Client: what it lists,
// and every tool with good and bad input (bad input -> isError with a sentence saying what to fix).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, connectStdio, effectiveHints, fails, ok, startReceiver, tempDir, type Connected } from '../helpers/mcp-harness.js';

const REQUIRED_TOOLS = [
  'provision_account',
  'use_application',
  'review_session',
  'delete_session',
  'list_webhook_destinations',
  'update_webhook_destination',
  'delete_webhook_destination',
  'create_workflow',
  'list_workflows',
  'create_session',
  'submit_session_images',
  'simulate_session_outcome',
  'get_session_decision',
  'list_sessions',
  'face_match',
  'create_webhook_destination',
  'list_webhook_deliveries',
  'resend_webhook',
  'verify_webhook_signature',
  'sign_webhook_payload',
  'calibrate_thresholds',
  'sandbox_status',
];

/** A PNG whose header claims 50000x50000 pixels (a decompression bomb) with a token of pixel data. */
function hugePngHeader(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50000, 0);
  ihdr.writeUInt32BE(50000, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let tmp: ReturnType<typeof tempDir>;
let conn: Connected;
/** Bad image files written once. */
const files: Record<string, string> = {};

before(async () => {
  tmp = tempDir();
  files.text = join(tmp.dir, 'notes.jpg');
  writeFileSync(files.text, 'this is not an image, whatever the extension says\n');
  files.empty = join(tmp.dir, 'empty.png');
  writeFileSync(files.empty, '');
  files.big = join(tmp.dir, 'big.jpg');
  writeFileSync(files.big, Buffer.alloc(6 * 1024 * 1024, 0xff));
  files.bomb = join(tmp.dir, 'bomb.png');
  writeFileSync(files.bomb, hugePngHeader());
  files.dir = join(tmp.dir, 'a-directory');
  mkdirSync(files.dir);
  if (hasFaces) {
    const jpeg = readFileSync(readPairs('lfw-funneled-dev')[0]!.a);
    files.truncated = join(tmp.dir, 'truncated.jpg');
    writeFileSync(files.truncated, jpeg.subarray(0, Math.floor(jpeg.length / 3)));
  }
  conn = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'sandbox.db'), FACEMATCH_LOG: 'silent' }, cwd: tmp.dir });
});

after(async () => {
  await conn?.close();
  tmp?.cleanup();
});

describe('listing', () => {
  test('initialize carries three lines of instructions naming the first tools', () => {
    const instructions = conn.client.getInstructions() ?? '';
    assert.equal(instructions.split('\n').length, 3);
    assert.match(instructions, /provision_account/);
    assert.match(instructions, /face_match/);
    assert.equal(conn.client.getServerVersion()?.name, 'facematch-mcp');
  });

  test('every tool has a title, an agent-facing description, object schemas and hints that say what it does', async () => {
    const { tools } = await conn.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of REQUIRED_TOOLS) assert.ok(names.includes(n), `missing tool ${n}`);
    for (const t of tools) {
      assert.match(t.name, /^[a-z][a-z0-9_]*$/, `${t.name} is not snake_case`);
      assert.ok(t.title && t.title.length > 3, `${t.name} has no title`);
      assert.ok((t.description ?? '').length >= 90, `${t.name}: description too thin for an agent`);
      assert.equal(t.inputSchema.type, 'object');
      assert.equal(t.outputSchema?.type, 'object', `${t.name} has no output schema`);
      // Hints equal to MCP's defaults are left out of the listing; every listed one is a boolean.
      for (const [k, v] of Object.entries(t.annotations ?? {})) assert.equal(typeof v, 'boolean', `${t.name}.${k}`);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    const hints = (n: string) => effectiveHints(byName[n]!);
    assert.deepEqual(hints('get_session_decision'), { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    assert.equal(hints('simulate_session_outcome').destructiveHint, true);
    assert.equal(hints('delete_session').destructiveHint, true);
    assert.equal(hints('review_session').destructiveHint, false);
    assert.equal(hints('create_session').readOnlyHint, false);
    assert.equal(hints('verify_webhook_signature').openWorldHint, false);
    assert.deepEqual((byName.face_match!.inputSchema.required as string[]).sort(), ['ref_image', 'user_image']);
  });

  test('prompts: three templates, arguments rendered into the text', async () => {
    const { prompts } = await conn.client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name).sort(), ['choose_thresholds', 'debug_webhook_signature', 'integrate_face_match']);
    const integrate = prompts.find((p) => p.name === 'integrate_face_match')!;
    assert.deepEqual(integrate.arguments?.map((a) => [a.name, a.required]), [['my_stack', true]]);
    const got = await conn.client.getPrompt({ name: 'integrate_face_match', arguments: { my_stack: 'Django 5 + Celery' } });
    const text = (got.messages[0]!.content as { text: string }).text;
    assert.match(text, /Django 5 \+ Celery/);
    assert.match(text, /provision_account/);
    const dbg = await conn.client.getPrompt({ name: 'debug_webhook_signature', arguments: { framework: 'Express' } });
    assert.match((dbg.messages[0]!.content as { text: string }).text, /verify_webhook_signature[\s\S]*Express/);
    await assert.rejects(conn.client.getPrompt({ name: 'integrate_face_match', arguments: {} }), /my_stack/);
  });

  test('resources: spec, calibration and the session decision template', async () => {
    const { resources } = await conn.client.listResources();
    const uris = resources.map((r) => r.uri);
    assert.ok(uris.includes('facematch://spec') && uris.includes('facematch://calibration'), uris.join(', '));
    const { resourceTemplates } = await conn.client.listResourceTemplates();
    assert.ok(resourceTemplates.some((t) => t.uriTemplate === 'facematch://sessions/{id}'));
    const spec = await conn.client.readResource({ uri: 'facematch://spec' });
    assert.match((spec.contents[0] as { text: string }).text, /x-api-key/);
    const cal = JSON.parse(((await conn.client.readResource({ uri: "facematch://calibration" })).contents[0] as { text: string }).text) as { knots: unknown[]; defaults: Record<string, number> };
    assert.ok(cal.knots.length >= 2);
    assert.equal(cal.defaults.standalone_decline_threshold, 30);
  });
});

describe('before any account exists', () => {
  test('account-bound tools say to call provision_account first', async () => {
    for (const [name, args] of [
      ['create_workflow', {}],
      ['list_sessions', {}],
      ['get_session_decision', { session_id: 'x' }],
    ] as const) {
      const text = await fails(conn.client, name, args);
      assert.match(text, /provision_account/, `${name}: ${text}`);
    }
  });

  test('sandbox_status works and shows no application', async () => {
    const st = await ok<{ application_id: string | null; base_url: string | null; db_path: string; platform: string }>(conn.client, 'sandbox_status');
    assert.equal(st.platform, 'local');
    assert.equal(st.application_id, null);
    assert.equal(st.base_url, null);
    assert.equal(st.db_path, join(tmp.dir, 'sandbox.db'));
  });
});

describe('tools with good and bad input', () => {
  let workflowId = '';
  let sessionId = '';

  test('unknown tool and unknown or mistyped arguments', async () => {
    const unknown = await call(conn.client, 'face_matcher', {});
    assert.equal(unknown.result.isError, true);
    assert.match(unknown.text, /face_match/);
    assert.match(await fails(conn.client, 'sandbox_status', { verbose: true }), /verbose/);
    assert.match(await fails(conn.client, 'list_sessions', { limit: 'ten' }), /limit/);
    assert.match(await fails(conn.client, 'list_workflows', { limit: 0 }), /limit must be from 1 to 100/);
  });

  test('provision_account', async () => {
    assert.match(await fails(conn.client, 'provision_account', { email: 'not-an-email' }), /email/);
    const a = await ok<{ api_key: string; created: boolean }>(conn.client, 'provision_account', { email: 'dev@example.com', password: 'Str0ng!Pass' });
    assert.equal(a.created, true);
    // An existing account's key only with proof: no take-over by e-mail alone.
    assert.match(await fails(conn.client, 'provision_account', { email: 'dev@example.com' }), /already exists.*password.*facematch-mcp provision/);
    assert.match(await fails(conn.client, 'provision_account', { email: 'dev@example.com', password: 'Wr0ng!Pass' }), /password is wrong/);
    const again = await ok<{ api_key: string; created: boolean }>(conn.client, 'provision_account', { email: 'dev@example.com', password: 'Str0ng!Pass' });
    assert.equal(again.created, false);
    assert.notEqual(again.api_key, a.api_key);
  });

  test('create_workflow and list_workflows', async () => {
    assert.match(await fails(conn.client, 'create_workflow', { features: [{ feature: 'face_match' }] }), /UPPERCASE/);
    assert.match(
      await fails(conn.client, 'create_workflow', { features: [{ feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 150 } }] }),
      /0 (to|and) 100/,
    );
    assert.match(
      await fails(conn.client, 'create_workflow', {
        features: [{ feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 80, face_match_score_review_threshold: 60 } }],
      }),
      /must be <=/,
    );
    assert.match(await fails(conn.client, 'create_workflow', { features: [] }), /at least one feature/);
    const wf = await ok<{ workflow_id: string; version: number }>(conn.client, 'create_workflow', { workflow_label: 'default', features: [{ feature: 'FACE_MATCH' }] });
    workflowId = wf.workflow_id;
    assert.equal(wf.version, 1);
    const list = await ok<{ count: number; results: Array<{ workflow_id: string }>; next_offset: number | null }>(conn.client, 'list_workflows', {});
    assert.ok(list.results.some((w) => w.workflow_id === workflowId));
    const page = await ok<{ results: unknown[] }>(conn.client, 'list_workflows', { limit: 1, offset: 5 });
    assert.equal(page.results.length, 0);
  });

  test('create_session, get_session_decision, list_sessions', async () => {
    assert.match(await fails(conn.client, 'create_session', {}), /workflow_id/);
    assert.match(await fails(conn.client, 'create_session', { workflow_id: 'no-such-workflow' }), /not found|unknown|does not exist/i);
    assert.match(await fails(conn.client, 'create_session', { workflow_id: workflowId, callback: 'ftp://x.example' }), /http/);
    assert.match(await fails(conn.client, 'create_session', { workflow_id: workflowId, portrait_image: files.text! }), /JPEG|image/i);
    const s = await ok<{ session_id: string; status: string; session_token: string }>(conn.client, 'create_session', { workflow_id: workflowId, vendor_data: 'u-1' });
    sessionId = s.session_id;
    const again = await ok<{ session_id: string }>(conn.client, 'create_session', { workflow_id: workflowId, vendor_data: 'u-1' });
    assert.equal(again.session_id, sessionId, 'idempotent on vendor_data');
    const d = await ok<{ status: string; face_matches: unknown }>(conn.client, 'get_session_decision', { session_id: sessionId });
    assert.equal(d.status, 'Not Started');
    assert.match(await fails(conn.client, 'get_session_decision', { session_id: 'nope' }), /not found/i);
    assert.match(await fails(conn.client, 'list_sessions', { status: 'approved' }), /Approved/);
    const l = await ok<{ count: number }>(conn.client, 'list_sessions', { vendor_data: 'u-1' });
    assert.equal(l.count, 1);
  });

  test('submit_session_images rejects bad images with what to fix', { skip: hasFaces ? false : noFacesReason }, async () => {
    const good = readPairs('lfw-funneled-dev')[0]!.a;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ session_id: 'nope', selfie: good, reference: good }, /not found/i],
      [{ session_id: sessionId, selfie: 'missing.jpg', reference: good }, /cannot read a file at .*missing\.jpg/],
      [{ session_id: sessionId, selfie: files.dir, reference: good }, /not a regular file/],
      [{ session_id: sessionId, selfie: files.empty, reference: good }, /empty/],
      [{ session_id: sessionId, selfie: files.big, reference: good }, /5 MB/],
      [{ session_id: sessionId, selfie: files.text, reference: good }, /JPEG, PNG, WebP or TIFF/],
      [{ session_id: sessionId, selfie: files.truncated, reference: good }, /truncated|corrupt|re-export|damaged|incomplete/i],
      [{ session_id: sessionId, selfie: 'ftp://example.com/a.jpg', reference: good }, /only http\(s\)/],
    ];
    for (const [args, re] of cases) assert.match(await fails(conn.client, 'submit_session_images', args), re);
  });

  test('simulate_session_outcome and resend_webhook', async () => {
    assert.match(await fails(conn.client, 'simulate_session_outcome', { session_id: sessionId, outcome: 'Great' }), /outcome must be one of/);
    const receiver = await startReceiver();
    try {
      await ok(conn.client, 'create_webhook_destination', { url: receiver.url });
      const s = await ok<{ session_id: string }>(conn.client, 'create_session', { workflow_id: workflowId, vendor_data: 'u-sim' });
      const d = await ok<{ status: string }>(conn.client, 'simulate_session_outcome', { session_id: s.session_id, outcome: 'Declined' });
      assert.equal(d.status, 'Declined');
      await receiver.waitFor((w) => w.rawBody.includes(s.session_id) && w.rawBody.includes('Declined'));
      assert.match(await fails(conn.client, 'resend_webhook', {}), /session_id/);
      assert.match(await fails(conn.client, 'resend_webhook', { session_id: s.session_id, event_id: 'no-such-event' }), /no delivery of event no-such-event/);
      const before = receiver.received.length;
      const r = await ok<{ queued: number }>(conn.client, 'resend_webhook', { session_id: s.session_id });
      assert.ok(r.queued >= 1);
      await receiver.waitFor(() => receiver.received.length > before);
      const deliveries = await ok<{ count: number }>(conn.client, 'list_webhook_deliveries', { session_id: s.session_id, wait_ms: 3000 });
      assert.ok(deliveries.count >= 2);
      assert.match(await fails(conn.client, 'list_webhook_deliveries', { session_id: s.session_id, wait_ms: 99999 }), /30000/);
      assert.match(await fails(conn.client, 'list_webhook_deliveries', { session_id: 'nope' }), /not found/i);
    } finally {
      await receiver.close();
    }
  });

  test('create_webhook_destination rejects bad urls and empty event lists', async () => {
    assert.match(await fails(conn.client, 'create_webhook_destination', { url: 'ftp://example.com/hook' }), /http\(s\)/);
    assert.match(await fails(conn.client, 'create_webhook_destination', { url: 'http://127.0.0.1:9/h', subscribed_events: [] }), /at least one event/);
    assert.match(await fails(conn.client, 'create_webhook_destination', { url: 'http://127.0.0.1:9/h', subscribed_events: ['user.created'] }), /status\.updated/);
  });

  test('sign_webhook_payload and verify_webhook_signature agree, and the doctor explains failures', async () => {
    const payload = '{"timestamp": 1700000000, "session_id": "s-1", "status": "Approved", "webhook_type": "status.updated", "vendor_data": "Zoë 😀", "n": 12345678901234567890}';
    const signed = await ok<{ body: string; headers: Record<string, string> }>(conn.client, 'sign_webhook_payload', { payload, secret: 'topsecret' });
    assert.match(signed.body, /\\u00eb/);
    assert.match(signed.body, /12345678901234567890/);
    const good = await ok<{ valid: boolean }>(conn.client, 'verify_webhook_signature', { raw_body: signed.body, headers: signed.headers, secret: 'topsecret', now: 1700000010 });
    assert.equal(good.valid, true);
    const stale = await ok<{ valid: boolean; timestamp: { ok: boolean; reason?: string } }>(conn.client, 'verify_webhook_signature', {
      raw_body: signed.body,
      headers: signed.headers,
      secret: 'topsecret',
      now: 1700009999,
    });
    assert.equal(stale.valid, false);
    assert.match(stale.timestamp.reason ?? '', /stale/);
    const reserialised = JSON.stringify(JSON.parse(signed.body));
    const bad = await ok<{ valid: boolean; signatures: Record<string, { ok: boolean; reason: string }> }>(conn.client, 'verify_webhook_signature', {
      raw_body: reserialised,
      headers: signed.headers,
      secret: 'topsecret',
      now: 1700000010,
    });
    assert.equal(bad.valid, false);
    assert.match(bad.signatures['X-Signature']!.reason, /re-serialised|raw/);
    assert.match(await fails(conn.client, 'verify_webhook_signature', { headers: {}, secret: 's' }), /raw_body/);
    assert.match(await fails(conn.client, 'sign_webhook_payload', { payload: '{"a": ', secret: 's' }), /not valid JSON/);
    assert.match(await fails(conn.client, 'sign_webhook_payload', { payload: '[1,2]', secret: 's' }), /JSON object/);
    assert.match(await fails(conn.client, 'sign_webhook_payload', { payload: {}, secret: '' }), /secret/);
  });

  test('calibrate_thresholds rejects missing folders and pair files', async () => {
    assert.match(await fails(conn.client, 'calibrate_thresholds', { folder: join(tmp.dir, 'nope') }), /not a directory/);
    assert.match(await fails(conn.client, 'calibrate_thresholds', { folder: files.dir }), /pairs\.tsv/);
    writeFileSync(join(files.dir!, 'pairs.tsv'), 'a.jpg b.jpg yes\n');
    assert.match(await fails(conn.client, 'calibrate_thresholds', { folder: files.dir }), /no usable pairs/);
    assert.match(await fails(conn.client, 'calibrate_thresholds', { folder: files.dir, target_far: 2 }), /target_far/);
  });
});

describe('what a first-time agent trips over', () => {
  test('a misspelt FACE_MATCH config key or a top-level threshold is refused, not silently ignored', async () => {
    const typo = await fails(conn.client, 'create_workflow', { features: [{ feature: 'FACE_MATCH', config: { decline_threshold: 40 } }] });
    assert.match(typo, /'decline_threshold'/);
    assert.match(typo, /face_match_score_decline_threshold/);
    const misplaced = await fails(conn.client, 'create_workflow', { face_match_score_decline_threshold: 40 });
    assert.match(misplaced, /create_workflow takes workflow_label, features/);
  });

  test('a duplicate webhook url says how to rotate a lost secret, and replace_existing does it', async () => {
    const url = 'http://127.0.0.1:9/dup-hook';
    const first = await ok<{ uuid: string; secret_shared_key: string }>(conn.client, 'create_webhook_destination', { url });
    const dup = await fails(conn.client, 'create_webhook_destination', { url });
    assert.match(dup, /replace_existing: true/);
    assert.ok(dup.includes(first.uuid));
    assert.ok(!dup.includes(first.secret_shared_key), 'the old secret is never shown again');
    const replaced = await ok<{ uuid: string; secret_shared_key: string }>(conn.client, 'create_webhook_destination', { url, replace_existing: true });
    assert.notEqual(replaced.uuid, first.uuid);
    assert.notEqual(replaced.secret_shared_key, first.secret_shared_key);
  });

  test('ambiguous or mangled input to the webhook tools is an error, and outputs stay small', async () => {
    assert.match(await fails(conn.client, 'resend_webhook', { session_id: 'no-such-session' }), /not found/i);
    assert.match(await fails(conn.client, 'verify_webhook_signature', { raw_body_base64: '!!!', headers: {}, secret: 's' }), /not valid base64/);
    const huge = await call(conn.client, 'sign_webhook_payload', { payload: { a: 'x'.repeat(100_000) }, secret: 's' });
    assert.equal(huge.result.isError, true);
    assert.match(huge.text, /at most 32768 bytes/);
    assert.ok(huge.bytes < 2000, `error result is ${huge.bytes} bytes`);
  });

  test('a long non-path, non-base64 image argument is not echoed back in full', async () => {
    const r = await call(conn.client, 'face_match', { user_image: `${'A'.repeat(20_000)}!!`, ref_image: `${'a/'.repeat(3000)}x.jpg` });
    assert.equal(r.result.isError, true);
    assert.match(r.text, /neither an existing file path nor valid base64/);
    assert.ok(r.bytes < 2000, `error result is ${r.bytes} bytes`);
  });

  test('an unknown session resource is "resource not found" (-32002), and an offset past the end is explained', async () => {
    await assert.rejects(conn.client.readResource({ uri: 'facematch://sessions/no-such-session' }), (err: { code?: number; message: string }) => {
      assert.equal(err.code, -32002);
      assert.match(err.message, /not found/);
      return true;
    });
    const page = await call(conn.client, 'list_sessions', { offset: 10_000 });
    assert.equal(page.result.isError, undefined);
    assert.match(page.text, /none at offset 10000/);
  });

  test('submit_session_images names its own arguments in errors and explains a missing reference', { skip: hasFaces ? false : noFacesReason }, async () => {
    const wf = await ok<{ workflow_id: string }>(conn.client, 'create_workflow', { features: [{ feature: 'FACE_MATCH' }] });
    const s = await ok<{ session_id: string }>(conn.client, 'create_session', { workflow_id: wf.workflow_id });
    const good = readPairs('lfw-funneled-dev')[0]!.a;
    const bad = await fails(conn.client, 'submit_session_images', { session_id: s.session_id, selfie: files.text!, reference: good });
    assert.match(bad, /selfie is not a JPEG/);
    assert.doesNotMatch(bad, /user_image/);
    const noRef = await call(conn.client, 'submit_session_images', { session_id: s.session_id, selfie: good });
    assert.equal(noRef.result.isError, undefined);
    assert.match(noRef.text, /no reference was passed/);
  });
});

describe('face engine tools', { skip: hasFaces ? false : noFacesReason }, () => {
  test('face_match: same person Approved with a picture, different people Declined, bad input explained', async () => {
    const pairs = readPairs('lfw-funneled-dev');
    const same = pairs.find((p) => p.same)!;
    const diff = pairs.find((p) => !p.same)!;
    const m = await ok<{ face_match: { status: string; score: number; user_image: { entities: unknown[] } }; source: string }>(conn.client, 'face_match', {
      user_image: same.a,
      ref_image: same.b,
    });
    assert.equal(m.face_match.status, 'Approved');
    assert.equal(m.source, 'local');
    assert.equal(m.face_match.user_image.entities.length, 1);
    const img = m.__outcome.result.content.find((c) => c.type === 'image') as { data: string; mimeType: string } | undefined;
    assert.ok(img, 'expected image content');
    assert.equal(img.mimeType, 'image/png');
    assert.deepEqual([...Buffer.from(img.data, 'base64').subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.ok(m.__outcome.text.length < 3000 && !m.__outcome.text.includes(img.data.slice(0, 40)), 'no base64 in the text');
    assert.ok(m.__outcome.bytes < 100_000, `result too large: ${m.__outcome.bytes}`);

    const d = await ok<{ face_match: { status: string; warnings: Array<{ risk: string }> } }>(conn.client, 'face_match', { user_image: same.a, ref_image: diff.b });
    assert.equal(d.face_match.status, 'Declined');
    assert.equal(d.face_match.warnings[0]!.risk, 'LOW_FACE_MATCH_SIMILARITY');

    // Relative paths resolve against the server's cwd (the temp dir); base64 and data: URLs work.
    const bytes = readFileSync(same.a);
    writeFileSync(join(tmp.dir, 'selfie.jpg'), bytes);
    const rel = await ok<{ face_match: { score: number } }>(conn.client, 'face_match', { user_image: 'selfie.jpg', ref_image: `data:image/jpeg;base64,${readFileSync(same.b).toString('base64')}` });
    assert.equal(rel.face_match.score, m.face_match.score);

    assert.match(await fails(conn.client, 'face_match', { user_image: same.a, ref_image: same.b, face_match_score_decline_threshold: 150 }), /0 to 100/);
    assert.match(await fails(conn.client, 'face_match', { user_image: same.a }), /ref_image/);
    assert.match(await fails(conn.client, 'face_match', { user_image: files.text, ref_image: same.b }), /JPEG, PNG, WebP or TIFF/);
    assert.match(await fails(conn.client, 'face_match', { user_image: 'not base64 and not a file', ref_image: same.b }), /cannot read a file at/);
    assert.match(await fails(conn.client, 'face_match', { user_image: files.bomb, ref_image: same.b }), /50000x50000 pixels.*downscale/);
    const sixMb = Buffer.alloc(6 * 1024 * 1024, 7).toString('base64');
    assert.match(await fails(conn.client, 'face_match', { user_image: sixMb, ref_image: same.b }), /5 MB/);
  });

  test('face_match by http URL: served, 404, oversize', async () => {
    const pairs = readPairs('lfw-funneled-dev');
    const same = pairs.find((p) => p.same)!;
    const server = http.createServer((req, res) => {
      if (req.url === '/a.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(readFileSync(same.a));
      if (req.url === '/big') return void res.writeHead(200).end(Buffer.alloc(6 * 1024 * 1024, 1));
      if (req.url === '/moved') return void res.writeHead(302, { location: '/a.jpg' }).end();
      res.writeHead(404).end('nope');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const m = await ok<{ face_match: { status: string } }>(conn.client, 'face_match', { user_image: `${base}/a.jpg`, ref_image: `${base}/moved` });
      assert.equal(m.face_match.status, 'Approved');
      assert.match(await fails(conn.client, 'face_match', { user_image: `${base}/missing.jpg`, ref_image: same.b }), /no image from .*HTTP error/);
      assert.match(await fails(conn.client, 'face_match', { user_image: `${base}/big`, ref_image: same.b }), /5 MB/);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  test('calibrate_thresholds on a small labelled folder, with progress notifications', async () => {
    const pairs = readPairs('lfw-funneled-dev');
    const chosen = [...pairs.filter((p) => p.same).slice(0, 6), ...pairs.filter((p) => !p.same).slice(0, 6)];
    const dir = join(tmp.dir, 'my-pairs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'pairs.tsv'), `path_a\tpath_b\tsame\n${chosen.map((p) => `${p.a}\t${p.b}\t${p.same ? 1 : 0}`).join('\n')}\nmissing.jpg\t${chosen[0]!.a}\t1\n`);
    const r = await ok<{
      pairs_used: number;
      genuine: { pairs: number; percentiles: Record<string, number> };
      impostor: { pairs: number; percentiles: Record<string, number> };
      suggested: { face_match_score_decline_threshold: number; face_match_score_review_threshold: number };
      failures_total: number;
      table: unknown[];
    }>(conn.client, 'calibrate_thresholds', { folder: 'my-pairs' });
    assert.equal(r.pairs_used, 13);
    assert.equal(r.genuine.pairs, 7);
    assert.equal(r.impostor.pairs, 6);
    assert.ok(r.genuine.percentiles.p50! > r.impostor.percentiles.p50!);
    assert.ok(r.suggested.face_match_score_decline_threshold <= r.suggested.face_match_score_review_threshold);
    assert.equal(r.failures_total, 1);
    assert.equal(r.table.length, 21);
    assert.ok(r.__outcome.progress.length >= 2, `progress notifications: ${r.__outcome.progress.length}`);
    const values = r.__outcome.progress.map((p) => p.progress);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), 'progress must increase');
  });
});

test('an unusable database path is a sentence, and tools that need no database still work', async () => {
  const bad = await connectStdio({ env: { FACEMATCH_DB: join(files.text!, 'sub', 'db.sqlite'), FACEMATCH_LOG: 'silent' } });
  try {
    assert.match(await fails(bad.client, 'sandbox_status', {}), /Cannot open the sandbox database.*FACEMATCH_DB/);
    const signed = await ok<{ body: string }>(bad.client, 'sign_webhook_payload', { payload: { a: 1.0 }, secret: 's', timestamp: 5 });
    assert.equal(signed.body, '{"a":1}');
  } finally {
    await bad.close();
  }
});
