// Long-running commands (listen, serve, the MCP server) stop when the process that started them
// is gone. `npx` runs a command through `sh -c`, and sh does not pass SIGTERM on: a process
// manager or an IDE's stop button kills sh and would leave us running, still delivering
// webhooks. When our parent dies we are re-parented (ppid changes), which we poll for; under a
// shell wrapper we also watch the shell's parent (see watchParent).
// Started detached on purpose (nohup, setsid, a process manager that double-forks): the parent
// exits at once by design, so FACEMATCH_KEEP_RUNNING=1 turns the watch off.
import { readFileSync } from 'node:fs';

const POLL_MS = 500;

/** The variable that keeps `serve` and `listen` running after the process that started them exits. */
export const KEEP_RUNNING_VAR = 'FACEMATCH_KEEP_RUNNING';

export function keepRunning(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[KEEP_RUNNING_VAR];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** The parent pid and command name of a process, from Linux's /proc (null elsewhere or when gone). */
function procInfo(pid: number): { ppid: number; comm: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? { ppid, comm: stat.slice(stat.indexOf('(') + 1, close) } : null;
  } catch {
    return null;
  }
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh']);

/**
 * Calls `onGone` once when the process that started us is gone; returns a function that stops
 * watching. That is our parent, and, when the parent is a shell wrapper (npm runs a bin as
 * `npm exec` -> `sh -c` -> node), also the shell's parent: killing `npm exec` with SIGKILL leaves
 * the sh alive (re-parented) and only its own parent changes.
 */
export function watchParent(onGone: (why: string) => void): () => void {
  const original = process.ppid;
  // Started by init itself (a container's pid 1 as parent): nothing to watch.
  if (original <= 1) return () => undefined;
  const parent = procInfo(original);
  const grandparent = parent && SHELLS.has(parent.comm) && parent.ppid > 1 ? parent.ppid : null;
  const timer = setInterval(() => {
    let why: string | null = null;
    if (process.ppid !== original) why = `parent process ${original} is gone`;
    else if (grandparent !== null && procInfo(original)?.ppid !== grandparent) why = `process ${grandparent}, which started the ${parent!.comm} that started this one, is gone`;
    if (why) {
      clearInterval(timer);
      onGone(why);
    }
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Resolves with the reason the command should stop: SIGINT, SIGTERM, or its parent gone
 *  (unless FACEMATCH_KEEP_RUNNING is set; then only a signal stops it). */
export function untilStopped(): Promise<string> {
  return new Promise<string>((resolve) => {
    let stopWatch = (): void => undefined;
    const done = (why: string): void => {
      stopWatch();
      resolve(why);
    };
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGHUP', () => done('SIGHUP'));
    if (keepRunning()) return;
    stopWatch = watchParent((why) => done(`${why}; to keep it running after the shell or tool that started it exits, set ${KEEP_RUNNING_VAR}=1`));
  });
}
