// Nothing leaves the machine: onnxruntime-node's built-in telemetry is off in every process
// that loads the engine (the CLI, a library user, the engine's worker threads), even when the
// user's environment does not set ORT_DISABLE_TELEMETRY. With it on, each process leaves
// /tmp/mat-debug-<pid>.log and adds rows under ~/.cache/Microsoft/DeveloperTools/.onnxruntime.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { cliPath } from '../helpers/mcp-harness.js';

/** Runs node with a fresh HOME and no ORT_DISABLE_TELEMETRY; returns the child's pid and exit code. */
function runNode(args: string[], home: string): Promise<{ pid: number; code: number | null; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ORT_DISABLE_TELEMETRY' && k !== 'XDG_CACHE_HOME') env[k] = v;
  env.HOME = home;
  // The engine's own tuning cache stays where it was, so the child does not re-measure.
  env.FACEMATCH_CACHE_DIR = process.env.FACEMATCH_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'facematch-mcp');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    child.on('error', reject);
    child.on('exit', (code) => resolve({ pid: child.pid!, code, stderr }));
  });
}

function telemetryTraces(pid: number, home: string): string[] {
  const found: string[] = [];
  for (const dir of new Set(['/tmp', tmpdir()])) {
    const log = join(dir, `mat-debug-${pid}.log`);
    if (existsSync(log)) found.push(log);
  }
  const ms = join(home, '.cache', 'Microsoft');
  if (existsSync(ms)) found.push(...readdirSync(ms, { recursive: true }).map((f) => join(ms, String(f))));
  return found;
}

describe('onnxruntime telemetry', { skip: hasFaces ? false : noFacesReason }, () => {
  const pair = hasFaces ? readPairs('lfw-funneled-dev').find((p) => p.same)! : null;

  test('the CLI (engine in worker threads) leaves no telemetry file or database', async () => {
    const home = mkdtempSync(join(tmpdir(), 'fm-home-'));
    try {
      const run = await runNode([cliPath, 'match', pair!.a, pair!.b], home);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(telemetryTraces(run.pid, home), []);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a program that imports the engine (inline and pooled) leaves none either', async () => {
    const home = mkdtempSync(join(tmpdir(), 'fm-home-'));
    try {
      const engineUrl = pathToFileURL(join(packageRoot, 'dist', 'src', 'engine', 'index.js')).href;
      const script = `
        import { readFileSync } from 'node:fs';
        import { FaceEngine } from ${JSON.stringify(engineUrl)};
        const photo = readFileSync(${JSON.stringify(pair!.a)});
        const inline = new FaceEngine({ parallel: false });
        await inline.assess(photo);
        const pooled = new FaceEngine({ parallel: true, workers: 1 });
        await pooled.assess(photo);
        await pooled.close();
        process.exit(0);`;
      const run = await runNode(['--input-type=module', '-e', script], home);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(telemetryTraces(run.pid, home), []);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
