// `listen`, `serve` and the MCP stdio server exit when the process that started them is gone.
// Started the way `npx` does (through `sh -c`, which does not pass signals on) and stopped the
// way a process manager does (SIGTERM or SIGKILL to that shell).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { childEnv, cliPath, tempDir } from '../helpers/mcp-harness.js';

function env(): Record<string, string> {
  // Not silent: the MCP server's ready line is a log line.
  const e = childEnv({});
  delete e.FACEMATCH_LOG;
  delete e.FACEMATCH_DB;
  return e;
}

/** Running and not a zombie (an orphan's exit is reaped by init, which may be slow to). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
  } catch {
    return false;
  }
}

function childOf(ppid: number): number | null {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(ppid)], { encoding: 'utf8' });
  const pid = Number(r.stdout.trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `sh -c 'node cli.js ARGS; true'` (the `; true` keeps sh as the parent, as npx's does). */
async function viaShell(cwd: string, args: string, ready: RegExp, extraEnv: Record<string, string> = {}): Promise<{ sh: number; node: number; err: () => string }> {
  const sh = spawn('sh', ['-c', `"${process.execPath}" "${cliPath}" ${args}; true`], { cwd, env: { ...env(), ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  sh.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  sh.stdout!.resume();
  await until(() => ready.test(err), 60_000, `${args} ready; stderr: ${err}`);
  const node = childOf(sh.pid!);
  assert.ok(node, 'the node process under sh');
  return { sh: sh.pid!, node, err: () => err };
}

test('listen, serve and the MCP server exit when the sh that npx wraps them in is killed', { timeout: 180_000 }, async (t) => {
  const dir = tempDir('fm-orphans-');
  const proj = join(dir.dir, 'app');
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), '{"name":"app"}');
  const leftovers: number[] = [];
  try {
    const prov = spawnSync(process.execPath, [cliPath, 'provision', '--email', 'dev@example.com'], { cwd: proj, env: env(), encoding: 'utf8' });
    assert.equal(prov.status, 0, prov.stderr);

    await t.test('listen, parent SIGKILLed', async () => {
      const p = await viaShell(proj, 'listen', /ready; webhook signing secret/);
      leftovers.push(p.node);
      process.kill(p.sh, 'SIGKILL');
      await until(() => !running(p.node), 10_000, 'listen to exit after its parent died');
      const db = new Database(join(proj, '.facematch', 'sandbox.db'), { readonly: true });
      try {
        const row = db.prepare("SELECT enabled FROM webhook_destinations WHERE label = 'facematch listen'").get() as { enabled: number };
        assert.equal(row.enabled, 0, 'it cleaned up: its destination is disabled, so nothing is delivered to a dead port');
      } finally {
        db.close();
      }
    });

    await t.test('serve, parent SIGTERMed', async () => {
      const p = await viaShell(proj, 'serve --port 0 --no-mcp', /listening on http/);
      leftovers.push(p.node);
      process.kill(p.sh, 'SIGTERM');
      await until(() => !running(p.node), 10_000, 'serve to exit after its parent died');
      assert.match(p.err(), /stopping \(parent process \d+ is gone; to keep it running [^)]*FACEMATCH_KEEP_RUNNING=1\)/, 'the exit message says how to keep it running');
    });

    await t.test('serve with FACEMATCH_KEEP_RUNNING=1 outlives its parent, and still stops on SIGTERM', async () => {
      const p = await viaShell(proj, 'serve --port 0 --no-mcp', /listening on http/, { FACEMATCH_KEEP_RUNNING: '1' });
      leftovers.push(p.node);
      process.kill(p.sh, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 2000));
      assert.ok(running(p.node), `serve kept running after its parent died: ${p.err()}`);
      process.kill(p.node, 'SIGTERM');
      await until(() => !running(p.node), 10_000, 'serve to exit on SIGTERM');
      assert.match(p.err(), /stopping \(SIGTERM\)/);
    });

    await t.test('listen under npm exec -> sh -c -> node: the outer process SIGKILLed, the sh left alive', async () => {
      // npx's real chain: npm exec starts `sh -c`, which starts node. A process manager that
      // SIGKILLs npm exec leaves the sh running (re-parented), so our own parent does not change.
      const inner = `"${process.execPath}" "${cliPath}" listen; true`;
      const outer = spawn('sh', ['-c', `sh -c '${inner}'; true`], { cwd: proj, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
      let err = '';
      outer.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      outer.stdout!.resume();
      await until(() => /ready; webhook signing secret/.test(err), 60_000, `listen ready; stderr: ${err}`);
      const sh = childOf(outer.pid!);
      assert.ok(sh, 'the inner sh');
      const node = childOf(sh);
      assert.ok(node, 'the node process under the inner sh');
      leftovers.push(node, sh);
      process.kill(outer.pid!, 'SIGKILL');
      await until(() => !running(node), 10_000, 'listen to exit after the process above its sh died');
      assert.match(err, /stopping \(process \d+, which started the sh that started this one, is gone/);
    });

    await t.test('MCP stdio server, parent SIGKILLed while its stdin stays open', async () => {
      const p = await viaShell(proj, 'mcp', /MCP server ready on stdio/);
      leftovers.push(p.node);
      process.kill(p.sh, 'SIGKILL');
      await until(() => !running(p.node), 10_000, 'the MCP server to exit after its parent died');
    });
  } finally {
    for (const pid of leftovers) if (running(pid)) process.kill(pid, 'SIGKILL');
    dir.cleanup();
  }
});
