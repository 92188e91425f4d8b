// completion/complete for prompt arguments over a real stdio MCP client: the stacks with ready
// advice for integrate_face_match's my_stack and debug_webhook_signature's framework.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { KNOWN_STACKS } from '../../prompts/stacks.js';
import { startReceiver } from '../helpers/sandbox.js';
import { connectStdio, tempDir } from '../helpers/mcp-harness.js';

test('prompt arguments complete: stacks by prefix, case-insensitive', { timeout: 60_000 }, async () => {
  const t = tempDir('fm-complete-');
  const mcp = await connectStdio({ env: { FACEMATCH_DB: join(t.dir, 'sandbox.db'), FACEMATCH_LOG: 'silent' } });
  try {
    assert.ok(mcp.client.getServerCapabilities()?.completions, 'the server advertises completions');
    const fa = await mcp.client.complete({ ref: { type: 'ref/prompt', name: 'integrate_face_match' }, argument: { name: 'my_stack', value: 'fa' } });
    assert.deepEqual([...fa.completion.values].sort(), KNOWN_STACKS.filter((s) => /^fa/i.test(s)).sort());
    assert.ok(fa.completion.values.includes('FastAPI'));
    const all = await mcp.client.complete({ ref: { type: 'ref/prompt', name: 'integrate_face_match' }, argument: { name: 'my_stack', value: '' } });
    assert.deepEqual([...all.completion.values].sort(), [...KNOWN_STACKS].sort());
    const dj = await mcp.client.complete({ ref: { type: 'ref/prompt', name: 'debug_webhook_signature' }, argument: { name: 'framework', value: 'Dj' } });
    assert.deepEqual(dj.completion.values, ['Django']);
  } finally {
    await mcp.close();
    t.cleanup();
  }
});

test("debug_webhook_signature's delivery_id completes with the acting application's recent deliveries", { timeout: 60_000 }, async () => {
  const t = tempDir('fm-complete-d-');
  const db = join(t.dir, 'sandbox.db');
  const receiver = await startReceiver();
  const mcp = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_LOG: 'silent' } });
  try {
    const none = await mcp.client.complete({ ref: { type: 'ref/prompt', name: 'debug_webhook_signature' }, argument: { name: 'delivery_id', value: '' } });
    assert.deepEqual(none.completion.values, [], 'no account yet: nothing to offer, and no error');
    for (const [name, args] of [
      ['provision_account', { email: 'dev@example.com' }],
      ['create_webhook_destination', { url: receiver.url, subscribed_events: ['status.updated'] }],
      ['create_workflow', { workflow_label: 'kyc', features: ['FACE_MATCH'] }],
    ] as const) {
      const r = await mcp.client.callTool({ name, arguments: args });
      assert.notEqual(r.isError, true, JSON.stringify(r.content));
    }
    const wf = await mcp.client.callTool({ name: 'list_workflows', arguments: {} });
    const workflowId = (wf.structuredContent as { results: Array<{ uuid?: string; workflow_id?: string }> }).results[0]!;
    const s = await mcp.client.callTool({ name: 'create_session', arguments: { workflow_id: workflowId.uuid ?? workflowId.workflow_id } });
    assert.notEqual(s.isError, true, JSON.stringify(s.content));
    await receiver.waitFor(1, 15_000);
    let ids: string[] = [];
    for (let i = 0; i < 50 && ids.length === 0; i++) {
      const ro = new Database(db, { readonly: true });
      ids = (ro.prepare('SELECT id FROM webhook_attempts ORDER BY id DESC').all() as Array<{ id: number }>).map((r) => String(r.id));
      ro.close();
      if (ids.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ids.length > 0, 'a delivery attempt was recorded');
    const got = await mcp.client.complete({ ref: { type: 'ref/prompt', name: 'debug_webhook_signature' }, argument: { name: 'delivery_id', value: '' } });
    assert.deepEqual(got.completion.values, ids);
    const prompt = await mcp.client.getPrompt({ name: 'debug_webhook_signature', arguments: { delivery_id: ids[0]! } });
    assert.match(JSON.stringify(prompt.messages), new RegExp(`verify_webhook_signature with delivery_id ${ids[0]}`));
  } finally {
    await mcp.close();
    await receiver.close();
    t.cleanup();
  }
});
