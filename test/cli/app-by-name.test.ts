// One rule for "which application", on the command line as in the MCP server: an application
// id, or a name exactly one application has; an ambiguous or unknown name is refused with the
// list of what exists.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliPath, tempDir } from '../helpers/mcp-harness.js';

function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'FACEMATCH_DB' && k !== 'FACEMATCH_APP') base[k] = v;
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd, env: { ...base, FACEMATCH_LOG: 'silent', ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--app and FACEMATCH_APP take an application name; ambiguous and unknown names list the applications', () => {
  const t = tempDir('fm-appname-');
  try {
    writeFileSync(join(t.dir, 'package.json'), '{}');
    const first = JSON.parse(cli(t.dir, ['provision', '--email', 'one@example.com']).out) as { application_id: string };
    const byName = cli(t.dir, ['trigger', 'expired', '--app', 'Sandbox application', '--wait', '1', '--json']);
    assert.equal(byName.code, 0, byName.err);
    assert.match(byName.err, new RegExp(`application ${first.application_id} of one@example\\.com\\n`));
    const byEnv = cli(t.dir, ['listen', '--print-secret'], { FACEMATCH_APP: 'Sandbox application' });
    assert.equal(byEnv.code, 0, byEnv.err);
    assert.match(byEnv.err, new RegExp(`application ${first.application_id} of one@example\\.com \\(from FACEMATCH_APP\\)`));

    const second = JSON.parse(cli(t.dir, ['provision', '--email', 'two@example.com']).out) as { application_id: string };
    const ambiguous = cli(t.dir, ['trigger', 'expired', '--app', 'Sandbox application', '--wait', '1']);
    assert.equal(ambiguous.code, 2, ambiguous.err);
    assert.match(ambiguous.err, /'Sandbox application' is the name of 2 applications/);
    assert.ok(ambiguous.err.includes(first.application_id) && ambiguous.err.includes(second.application_id), ambiguous.err);
    assert.match(ambiguous.err, /give the application id/);
    assert.equal(ambiguous.err.trim().split('\n').length, 1, `one sentence: ${ambiguous.err}`);

    const unknown = cli(t.dir, ['trigger', 'expired', '--app', 'Billing', '--wait', '1']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no application Billing in/);
    assert.ok(unknown.err.includes(first.application_id) && unknown.err.includes(second.application_id), unknown.err);

    // An id always wins, whatever the names.
    const byId = cli(t.dir, ['trigger', 'expired', '--app', first.application_id, '--wait', '1']);
    assert.equal(byId.code, 0, byId.err);
  } finally {
    t.cleanup();
  }
});
