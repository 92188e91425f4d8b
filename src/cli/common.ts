// Shared CLI plumbing: usage errors exit 2 with one sentence on stderr.

export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** A CLI subcommand: receives the arguments after its name, resolves to an exit code. */
export type Command = (argv: string[]) => Promise<number>;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
