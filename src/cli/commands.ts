// Every subcommand of the CLI by name, each module loaded only when its command runs. The help
// text and docs/cli.md list exactly these (test/docs/registry.test.ts).
import type { Command } from './common.js';

export const COMMANDS: Record<string, () => Promise<Command>> = {
  match: async () => (await import('./match.js')).run,
  eval: async () => (await import('./eval.js')).run,
  bench: async () => (await import('./bench.js')).run,
  serve: async () => (await import('./serve.js')).run,
  provision: async () => (await import('./provision.js')).run,
  webhook: async () => (await import('./webhook.js')).run,
  init: async () => (await import('./init.js')).run,
  mcp: async () => (await import('./mcp.js')).run,
  calibrate: async () => (await import('./calibrate.js')).run,
  listen: async () => (await import('./listen.js')).run,
  trigger: async () => (await import('./trigger.js')).run,
  keys: async () => (await import('./keys.js')).run,
};
