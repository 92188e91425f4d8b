// The MCP server takes an application name under the CLI's rule: a name exactly one
// application has; a shared name is refused with the applications that have it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { childEnv, cliPath, connectStdio, fails, ok, tempDir } from '../helpers/mcp-harness.js';

let tmp: ReturnType<typeof tempDir>;
let db = '';

function provision(email: string): string {
  const r = spawnSync(process.execPath, [cliPath, 'provision', '--email', email, '--db', db], { env: childEnv({}), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { application_id: string }).application_id;
}

before(() => {
  tmp = tempDir();
  db = join(tmp.dir, 'names.db');
});
after(() => tmp.cleanup());

test('FACEMATCH_APP and use_application take a unique name; a shared name lists the applications that have it', async () => {
  const first = provision('one@example.com');
  const named = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_APP: 'Sandbox application', FACEMATCH_LOG: 'silent' } });
  try {
    const st = await ok<{ application_id: string; chosen_by: string }>(named.client, 'sandbox_status', {});
    assert.equal(st.application_id, first);
    const used = await ok<{ acting_for: { application_id: string } }>(named.client, 'use_application', { application_id: 'Sandbox application' });
    assert.equal(used.acting_for.application_id, first);
  } finally {
    await named.close();
  }

  const second = provision('two@example.com');
  const conn = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_LOG: 'silent' } });
  try {
    const refused = await fails(conn.client, 'use_application', { application_id: 'Sandbox application' });
    assert.match(refused, /'Sandbox application' is the name of 2 applications/);
    assert.ok(refused.includes(first) && refused.includes(second), refused);
    assert.match(refused, /give the application id/);
  } finally {
    await conn.close();
  }
  const shared = await connectStdio({ env: { FACEMATCH_DB: db, FACEMATCH_APP: 'Sandbox application', FACEMATCH_LOG: 'silent' } });
  try {
    const refused = await fails(shared.client, 'list_sessions', {});
    assert.match(refused, /FACEMATCH_APP names application 'Sandbox application'[\s\S]*is the name of 2 applications[\s\S]*use_application/);
  } finally {
    await shared.close();
  }
});
