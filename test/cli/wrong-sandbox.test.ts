// A key from another project's sandbox: the 401 says which sandbox answered and how to get a
// key for it; sandbox_status over stdio tells whether this sandbox's `serve` is running, which
// one ran last, and that none runs when none does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { childEnv, cliPath, connectStdio, startServe, tempDir } from '../helpers/mcp-harness.js';

function project(root: string, name: string): { dir: string; db: string; key: string } {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name }));
  const env = childEnv({ FACEMATCH_LOG: 'silent' });
  delete env.FACEMATCH_DB;
  const r = spawnSync(process.execPath, [cliPath, 'provision', '--email', `${name}@example.com`], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { dir, db: join(dir, '.facematch', 'sandbox.db'), key: (JSON.parse(r.stdout) as { api_key: string }).api_key };
}

test("a key from another project's sandbox: the 401 names this sandbox; sandbox_status sees the running serve", { timeout: 180_000 }, async () => {
  const t = tempDir('fm-wrongkey-');
  const a = project(t.dir, 'shop');
  const b = project(t.dir, 'blog');
  const serve = await startServe({ FACEMATCH_DB: a.db, FACEMATCH_LOG: 'silent' });
  let stopped = false;
  try {
    const ok = await fetch(`${serve.url}/v3/workflows/`, { headers: { 'x-api-key': a.key } });
    assert.equal(ok.status, 200);
    const res = await fetch(`${serve.url}/v3/workflows/`, { headers: { 'x-api-key': b.key } });
    assert.equal(res.status, 401);
    const detail = ((await res.json()) as { detail: string }).detail;
    assert.ok(detail.startsWith('Invalid API key.'), detail);
    assert.ok(detail.includes(`sandbox of the project folder ${a.dir};`), detail);
    assert.ok(detail.includes(`run 'npx facematch-mcp provision --email you@example.com' in ${a.dir}`), detail);

    const mcp = await connectStdio({ env: { FACEMATCH_DB: a.db, FACEMATCH_LOG: 'silent' }, cwd: a.dir });
    try {
      const running = await mcp.client.callTool({ name: 'sandbox_status', arguments: {} });
      const st = running.structuredContent as { http_twin: { url: string; running: boolean; same_sandbox: boolean | null } | null };
      assert.deepEqual(st.http_twin, { url: serve.url, running: true, same_sandbox: true });
      const text = (running.content as Array<{ type: string; text?: string }>).find((c) => c.type === 'text')!.text!;
      assert.match(text, new RegExp(`HTTP twin running at ${serve.url.replace(/[.]/g, '\\.')} \\(a serve on this sandbox\\)`));
      assert.doesNotMatch(text, /not running|No serve runs/);
      const wf = await mcp.client.callTool({ name: 'create_workflow', arguments: { features: ['FACE_MATCH'] } });
      assert.ok((wf.structuredContent as { workflow_url: string }).workflow_url.startsWith(`${serve.url}/u/`));
      assert.doesNotMatch((wf.content as Array<{ type: string; text?: string }>).find((c) => c.type === 'text')!.text!, /none runs now/);

      await serve.stop();
      stopped = true;
      const gone = await mcp.client.callTool({ name: 'sandbox_status', arguments: {} });
      assert.equal((gone.structuredContent as { http_twin: { running: boolean } }).http_twin.running, false);
      const goneText = (gone.content as Array<{ type: string; text?: string }>).find((c) => c.type === 'text')!.text!;
      // The serve that really ran (an ephemeral port), not the default address.
      assert.match(goneText, new RegExp(`No serve runs on this sandbox \\(the last one used ${serve.url.replace(/[.]/g, '\\.')} and stopped at \\d{4}-\\d\\d-\\d\\dT`), goneText);
    } finally {
      await mcp.close();
    }

    // A sandbox where no serve ever ran: says so, names no "last" server, and a new workflow's
    // link is not presented as live.
    const never = await connectStdio({ env: { FACEMATCH_DB: b.db, FACEMATCH_LOG: 'silent' }, cwd: b.dir });
    try {
      const st = await never.client.callTool({ name: 'sandbox_status', arguments: {} });
      const text = (st.content as Array<{ type: string; text?: string }>).find((c) => c.type === 'text')!.text!;
      assert.match(text, /No serve runs on this sandbox; session and workflow links use http:\/\/127\.0\.0\.1:8787 until one does/, text);
      assert.doesNotMatch(text, /last/);
      const wf = await never.client.callTool({ name: 'create_workflow', arguments: { features: ['FACE_MATCH'] } });
      const wfText = (wf.content as Array<{ type: string; text?: string }>).find((c) => c.type === 'text')!.text!;
      assert.match(wfText, /workflow_url http:\/\/127\.0\.0\.1:8787\/u\/\S+ answers only while `npx facematch-mcp serve` runs on this sandbox; none runs now/, wfText);
    } finally {
      await never.close();
    }
  } finally {
    if (!stopped) await serve.stop();
    t.cleanup();
  }
});
