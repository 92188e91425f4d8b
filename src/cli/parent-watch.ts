// Long-running commands (listen, serve, the MCP server) stop when the process that started them
// is gone. `npx` runs a command through `sh -c`, and sh does not pass SIGTERM on: a process
// manager or an IDE's stop button kills sh and would leave us running, still delivering
// webhooks. When our parent dies we are re-parented (ppid changes), which we poll for.
// Started detached on purpose (nohup, setsid, a process manager that double-forks): the parent
// exits at once by design, so FACEMATCH_KEEP_RUNNING=1 turns the watch off.
const POLL_MS = 500;

/** The variable that keeps `serve` and `listen` running after the process that started them exits. */
export const KEEP_RUNNING_VAR = 'FACEMATCH_KEEP_RUNNING';

export function keepRunning(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[KEEP_RUNNING_VAR];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Calls `onGone` once when the parent process is gone; returns a function that stops watching. */
export function watchParent(onGone: (why: string) => void): () => void {
  const original = process.ppid;
  // Started by init itself (a container's pid 1 as parent): nothing to watch.
  if (original <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid !== original) {
      clearInterval(timer);
      onGone(`parent process ${original} is gone`);
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
