// Remote mode: with FACEMATCH_API_BASE + FACEMATCH_API_KEY the account-free tools call that
// platform over HTTP with the same inputs and outputs. The "remote" here is the HTTP twin
// (`facematch-mcp serve`) on its own database; the MCP server's local sandbox stays empty.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hasFaces, noFacesReason, readPairs } from './helpers/data.js';
import { childEnv, cliPath, connectStdio, fails, ok, startServe, tempDir, type Connected, type ServeProcess } from './mcp.harness.js';

describe('remote mode against the HTTP twin', () => {
  let tmp: ReturnType<typeof tempDir>;
  let remote: ServeProcess;
  let conn: Connected;
  let apiKey = '';

  before(async () => {
    tmp = tempDir();
    const remoteDb = join(tmp.dir, 'remote.db');
    const prov = spawnSync(process.execPath, [cliPath, 'provision', '--email', 'remote@example.com', '--db', remoteDb], { env: childEnv({}), encoding: 'utf8' });
    assert.equal(prov.status, 0, prov.stderr);
    apiKey = (JSON.parse(prov.stdout) as { api_key: string }).api_key;
    remote = await startServe({ FACEMATCH_DB: remoteDb }, ['--no-mcp']);
    conn = await connectStdio({
      env: { FACEMATCH_DB: join(tmp.dir, 'local.db'), FACEMATCH_API_BASE: remote.url, FACEMATCH_API_KEY: apiKey, FACEMATCH_LOG: 'silent' },
    });
  });

  after(async () => {
    await conn?.close();
    await remote?.stop();
    tmp?.cleanup();
  });

  test('workflows, sessions and decisions go to the remote with the same shapes', async () => {
    const { tools } = await conn.client.listTools();
    const hint = (n: string) => tools.find((t) => t.name === n)?.annotations?.openWorldHint;
    assert.equal(hint('list_workflows'), true, 'remote-capable tools are open-world in remote mode');
    assert.equal(hint('sandbox_status'), false);
    const wf = await ok<{ workflow_id: string; features: string[]; version: number }>(conn.client, 'create_workflow', { workflow_label: 'remote wf' });
    assert.deepEqual(wf.features, ['FACE_MATCH']);
    const list = await ok<{ count: number; results: Array<{ workflow_id: string }> }>(conn.client, 'list_workflows', {});
    assert.deepEqual(
      list.results.map((w) => w.workflow_id),
      [wf.workflow_id],
    );
    const s = await ok<{ session_id: string; url: string; status: string }>(conn.client, 'create_session', { workflow_id: wf.workflow_id, vendor_data: 'r-1' });
    assert.equal(s.status, 'Not Started');
    assert.ok(s.url.startsWith(remote.url), `session url ${s.url} comes from the remote`);
    const sessions = await ok<{ count: number; results: Array<{ session_id: string }> }>(conn.client, 'list_sessions', { vendor_data: 'r-1' });
    assert.deepEqual(
      sessions.results.map((x) => x.session_id),
      [s.session_id],
    );
    const d = await ok<{ status: string; session_id: string }>(conn.client, 'get_session_decision', { session_id: s.session_id });
    assert.equal(d.session_id, s.session_id);
    const res = await conn.client.readResource({ uri: `facematch://sessions/${s.session_id}` });
    assert.match((res.contents[0] as { text: string }).text, new RegExp(s.session_id));

    // The remote's errors come back as the remote's own sentences.
    assert.match(await fails(conn.client, 'create_session', { workflow_id: 'no-such-workflow' }), /remote POST \/v3\/session\/ -> 4\d\d: .*not found/);
    assert.match(await fails(conn.client, 'get_session_decision', { session_id: 'nope' }), /404/);
    // Sandbox-only tools say so instead of pretending.
    assert.match(await fails(conn.client, 'submit_session_images', { session_id: s.session_id, selfie: 'a.jpg' }), /remote platform/);

    // Nothing landed in the local sandbox.
    const st = await ok<{ counts: Record<string, number>; remote: { base_url: string; api_key: string } | null }>(conn.client, 'sandbox_status', {});
    assert.equal(st.remote?.base_url, remote.url);
    assert.doesNotMatch(JSON.stringify(st), new RegExp(apiKey));
  });

  test('face_match goes to POST /v3/face-match/ and still returns a picture', { skip: hasFaces ? false : noFacesReason }, async () => {
    const same = readPairs('lfw-funneled-dev').find((p) => p.same)!;
    const m = await ok<{ source: string; engine: unknown; face_match: { status: string; score: number } }>(conn.client, 'face_match', { user_image: same.a, ref_image: same.b });
    assert.equal(m.source, 'remote');
    assert.equal(m.engine, null);
    assert.equal(m.face_match.status, 'Approved');
    assert.ok(m.__outcome.result.content.some((c) => c.type === 'image'));
    assert.match(await fails(conn.client, 'face_match', { user_image: same.a, ref_image: same.b, face_match_score_decline_threshold: -1 }), /0 to 100/);
  });

  test('a wrong key is reported as such', async () => {
    const bad = await connectStdio({
      env: { FACEMATCH_DB: join(tmp.dir, 'local2.db'), FACEMATCH_API_BASE: remote.url, FACEMATCH_API_KEY: 'fm_test_wrong', FACEMATCH_LOG: 'silent' },
    });
    try {
      assert.match(await fails(bad.client, 'list_workflows', {}), /401.*FACEMATCH_API_KEY/);
    } finally {
      await bad.close();
    }
  });
});
