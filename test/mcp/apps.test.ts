// Acting for an application: every result says which one, FACEMATCH_APP picks one for the whole
// server, use_application switches on one connection, and two applications never see each
// other's workflows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { childEnv, cliPath, connectStdio, fails, ok, tempDir } from '../helpers/mcp-harness.js';

let tmp: ReturnType<typeof tempDir>;
let db = '';
const apps: Record<'a' | 'b', string> = { a: '', b: '' };

before(() => {
  tmp = tempDir();
  db = join(tmp.dir, 'shared.db');
  for (const who of ['a', 'b'] as const) {
    const r = spawnSync(process.execPath, [cliPath, 'provision', '--email', `${who}@example.com`, '--db', db], { env: childEnv({}), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    apps[who] = (JSON.parse(r.stdout) as { application_id: string }).application_id;
  }
});
after(() => tmp.cleanup());

test('by default the latest provisioned application; FACEMATCH_APP chooses another, and it says so', async () => {
  const dflt = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_LOG: 'silent' } });
  try {
    const wf = await ok(dflt.client, 'create_workflow', { workflow_label: 'for b' });
    assert.match(wf.__outcome.text, new RegExp(`Acted for application "[^"]+" \\(${apps.b}, chosen by latest provisioned\\)`));
  } finally {
    await dflt.close();
  }
  const forA = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_APP: apps.a, FACEMATCH_LOG: 'silent' } });
  try {
    const listed = await ok<{ count: number }>(forA.client, 'list_workflows', {});
    assert.equal(listed.count, 0, "a does not see b's workflow");
    assert.match(listed.__outcome.text, new RegExp(`\\(${apps.a}, chosen by FACEMATCH_APP\\)`));
    const st = await ok<{ application_id: string; chosen_by: string }>(forA.client, 'sandbox_status', {});
    assert.equal(st.application_id, apps.a);
    assert.equal(st.chosen_by, 'FACEMATCH_APP');
  } finally {
    await forA.close();
  }
});

test('use_application lists and switches for this connection only; unknown names are explained', async () => {
  const conn = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_LOG: 'silent' } });
  const other = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_LOG: 'silent' } });
  try {
    const listed = await ok<{ acting_for: { application_id: string }; applications: Array<{ application_id: string }> }>(conn.client, 'use_application', {});
    assert.deepEqual(listed.applications.map((a) => a.application_id).sort(), [apps.a, apps.b].sort());
    assert.equal(listed.acting_for.application_id, apps.b);
    const switched = await ok<{ acting_for: { application_id: string; chosen_by: string } }>(conn.client, 'use_application', { application_id: apps.a });
    assert.deepEqual([switched.acting_for.application_id, switched.acting_for.chosen_by], [apps.a, 'use_application']);
    const wfs = await ok<{ count: number }>(conn.client, 'list_workflows', {});
    assert.equal(wfs.count, 0);
    assert.equal((await ok<{ count: number }>(other.client, 'list_workflows', {})).count, 1, 'the other connection still acts for b');
    assert.match(await fails(conn.client, 'use_application', { application_id: 'nope' }), /No application 'nope'[\s\S]*Known:/);
  } finally {
    await conn.close();
    await other.close();
  }
  const wrong = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_APP: 'no-such-app', FACEMATCH_LOG: 'silent' } });
  try {
    assert.match(await fails(wrong.client, 'list_sessions', {}), /FACEMATCH_APP names application 'no-such-app'[\s\S]*use_application/);
  } finally {
    await wrong.close();
  }
});
