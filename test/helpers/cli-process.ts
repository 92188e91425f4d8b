// Running the built CLI as a child process, the way a user's shell does, for the CLI tests.
import { spawn } from 'node:child_process';
import { childEnv, cliPath } from './mcp-harness.js';

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** The CLI's environment for a project folder: quiet logs, and no FACEMATCH_DB so the folder picks its sandbox. */
export function cliEnv(): Record<string, string> {
  const e = childEnv({ FACEMATCH_LOG: 'silent' });
  delete e.FACEMATCH_DB;
  return e;
}

/** Runs the CLI without blocking this process (a receiver in this process keeps answering). */
export function runCli(cwd: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** Polls a growing text (a process's output) until the pattern appears; the text so far is in the timeout error. */
export function waitFor(get: () => string, re: RegExp, what: string, ms = 30_000, stepMs = 50): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      const m = re.exec(get());
      if (m) return resolve(m);
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}; got:\n${get()}`));
      setTimeout(tick, stepMs);
    };
    tick();
  });
}
