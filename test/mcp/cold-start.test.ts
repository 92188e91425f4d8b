// Cold start of the stdio MCP server: initialize does not wait for the face models, and they
// load in the background right after it, so the first face_match does not pay for the load.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectStdio, tempDir } from '../helpers/mcp-harness.js';

test('the models load in the background after initialize, before any face tool is called', { timeout: 60_000 }, async () => {
  const t = tempDir('fm-cold-');
  const mcp = await connectStdio({ env: { FACEMATCH_DB: join(t.dir, 'sandbox.db'), FACEMATCH_LOG: 'silent' } });
  try {
    const started = Date.now();
    let loaded = false;
    while (!loaded && Date.now() - started < 30_000) {
      const st = await mcp.client.callTool({ name: 'sandbox_status', arguments: {} });
      loaded = (st.structuredContent as { models_loaded: boolean }).models_loaded;
      if (!loaded) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(loaded, true, 'models_loaded turned true with no face tool called');
  } finally {
    await mcp.close();
    t.cleanup();
  }
});
