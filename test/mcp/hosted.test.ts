// What differs in hosted mode (the MCP server's hosted client pointed at the HTTP twin): the
// sandbox-only tools are hidden and refused in one place, errors give hosted advice (never
// "call provision_account"), lists page through the platform's envelope, and a half-configured
// hosted mode is reported in tool results, not only on stderr.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTwin, type Twin } from '../helpers/http-twin.js';
import { connectStdio, effectiveHints, fails, ok, tempDir, type Connected } from '../helpers/mcp-harness.js';

const SANDBOX_ONLY = ['provision_account', 'use_application', 'submit_session_images', 'simulate_session_outcome'];

describe('hosted mode against the HTTP twin', () => {
  let tmp: ReturnType<typeof tempDir>;
  let twin: Twin;
  let conn: Connected;
  let apiKey = '';

  before(async () => {
    tmp = tempDir();
    twin = await startTwin();
    apiKey = twin.apiKey('hosted@example.com');
    // A base URL ending in /v3 (as the vendor's own client spells it) works too.
    conn = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'local.db'), FACEMATCH_API_BASE: `${twin.url}/v3/`, FACEMATCH_API_KEY: apiKey, FACEMATCH_LOG: 'silent' } });
  });

  after(async () => {
    await conn?.close();
    await twin?.close();
    tmp?.cleanup();
  });

  test('sandbox-only tools are not listed, and calling one says why', async () => {
    const { tools } = await conn.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of SANDBOX_ONLY) assert.ok(!names.includes(n), `${n} is listed in hosted mode`);
    for (const n of ['create_workflow', 'review_session', 'delete_session', 'list_webhook_destinations', 'face_match', 'verify_webhook_signature']) assert.ok(names.includes(n), `${n} missing`);
    const hint = (n: string) => effectiveHints(tools.find((t) => t.name === n)!).openWorldHint;
    assert.equal(hint('list_workflows'), true, 'platform tools are open-world when hosted');
    assert.equal(hint('verify_webhook_signature'), false, 'pure tools stay closed-world');
    assert.match(conn.client.getInstructions() ?? '', /hosted/);
    for (const n of SANDBOX_ONLY) assert.match(await fails(conn.client, n, {}), /works only on the local sandbox/);
  });

  test('lists page through the platform with limit/offset and next_offset', async () => {
    for (let i = 0; i < 3; i++) await ok(conn.client, 'create_workflow', { workflow_label: `paged ${i}` });
    const first = await ok<{ count: number; next_offset: number | null; results: unknown[] }>(conn.client, 'list_workflows', { limit: 2 });
    assert.equal(first.count, 3);
    assert.equal(first.results.length, 2);
    assert.equal(first.next_offset, 2);
    const last = await ok<{ next_offset: number | null; results: unknown[] }>(conn.client, 'list_workflows', { limit: 2, offset: 2 });
    assert.equal(last.results.length, 1);
    assert.equal(last.next_offset, null);
    // Nothing reached the MCP server's own sandbox.
    assert.equal(twin.sandbox.status().counts.workflows, 3);
  });

  test('the platform\'s errors come back with hosted advice', async () => {
    const text = await fails(conn.client, 'create_session', { workflow_id: 'no-such-workflow' });
    assert.match(text, /hosted platform answered 4\d\d to POST \/v3\/session\//);
    assert.doesNotMatch(text, /provision_account/);
  });

  test('a refused key: the advice is about FACEMATCH_API_KEY, never provision_account', async () => {
    const bad = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'local2.db'), FACEMATCH_API_BASE: twin.url, FACEMATCH_API_KEY: 'fm_test_wrong', FACEMATCH_LOG: 'silent' } });
    try {
      const text = await fails(bad.client, 'list_workflows', {});
      assert.match(text, /401[\s\S]*FACEMATCH_API_KEY/);
      assert.doesNotMatch(text, /provision_account/);
    } finally {
      await bad.close();
    }
  });

  test('half-configured hosted mode is an error result with a sentence; pure tools still work', async () => {
    for (const [set, missing] of [
      ['FACEMATCH_API_BASE', 'FACEMATCH_API_KEY'],
      ['FACEMATCH_API_KEY', 'FACEMATCH_API_BASE'],
    ] as const) {
      const half = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, `half-${set}.db`), [set]: set === 'FACEMATCH_API_BASE' ? twin.url : apiKey, FACEMATCH_LOG: 'silent' } });
      try {
        for (const name of ['list_workflows', 'sandbox_status', 'provision_account']) {
          const text = await fails(half.client, name, {});
          assert.match(text, new RegExp(`half-configured: ${set} is set but ${missing} is not`), `${name}: ${text}`);
        }
        const signed = await ok<{ body: string }>(half.client, 'sign_webhook_payload', { payload: { a: 1 }, secret: 's' });
        assert.equal(signed.body, '{"a":1}');
      } finally {
        await half.close();
      }
    }
  });
});
