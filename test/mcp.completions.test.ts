// completion/complete for prompt arguments over a real stdio MCP client: the stacks with ready
// advice for integrate_face_match's my_stack and debug_webhook_signature's framework.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { KNOWN_STACKS } from '../prompts/stacks.js';
import { connectStdio, tempDir } from './mcp.harness.js';

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
