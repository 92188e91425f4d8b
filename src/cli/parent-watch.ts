// Long-running commands (listen, serve, the MCP server) stop when the process that started them
// is gone. `npx` runs a command through `sh -c`, and sh does not pass SIGTERM on: a process
// manager or an IDE's stop button kills sh and would leave us running, still delivering
// webhooks. When our parent dies we are re-parented (ppid changes), which we poll for.
const POLL_MS = 500;

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

/** Resolves with the reason the command should stop: SIGINT, SIGTERM, or its parent gone. */
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
    stopWatch = watchParent(done);
  });
}
