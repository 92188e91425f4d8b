// Which application: the one rule the CLI and the MCP server share. An id, or a name exactly
// one application has; nothing named is the most recently provisioned; every failure says why
// and lists what exists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempDb, testSandbox } from '../helpers/sandbox.js';

test('resolve: empty sandbox, latest by default, id or unique name, ambiguous and unknown names', async () => {
  const tmp = tempDb();
  const sb = testSandbox(tmp.db, { deliverWebhooks: false });
  try {
    const empty = sb.applications.resolve(null);
    assert.ok(!empty.ok && empty.reason === 'empty');

    const one = sb.accounts.provision({ email: 'one@example.com' }, { localCli: true });
    const byName = sb.applications.resolve('  Sandbox application ');
    assert.ok(byName.ok, 'a name one application has');
    assert.equal(byName.app.applicationId, one.application_id);
    assert.equal(byName.application.email, 'one@example.com');
    assert.ok(byName.app.keyId, 'the active key of the application');

    const two = sb.accounts.provision({ email: 'two@example.com' }, { localCli: true });
    const latest = sb.applications.resolve(null);
    assert.ok(latest.ok);
    assert.equal(latest.app.applicationId, two.application_id);
    assert.equal(latest.total, 2);
    assert.deepEqual(sb.applications.list().map((a) => a.application_id), [two.application_id, one.application_id], 'newest first');

    const byId = sb.applications.resolve(one.application_id);
    assert.ok(byId.ok && byId.app.applicationId === one.application_id);

    const shared = sb.applications.resolve('Sandbox application');
    assert.ok(!shared.ok);
    assert.equal(shared.reason, 'ambiguous');
    assert.equal(shared.known.length, 2);
    assert.match(shared.problem, /'Sandbox application' is the name of 2 applications/);
    for (const id of [one.application_id, two.application_id]) assert.ok(shared.problem.includes(id), shared.problem);

    const unknown = sb.applications.resolve('Billing');
    assert.ok(!unknown.ok);
    assert.equal(unknown.reason, 'unknown');
    assert.match(unknown.problem, /no application 'Billing'/);
    assert.ok(unknown.problem.includes('one@example.com') && unknown.problem.includes('two@example.com'), unknown.problem);
  } finally {
    await sb.close();
    tmp.cleanup();
  }
});
