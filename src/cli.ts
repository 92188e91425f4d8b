#!/usr/bin/env node
// facematch-mcp: with no arguments an MCP server on stdio; otherwise a subcommand.
// First: the engine's runtime and every process started from here run without telemetry.
import './engine/no-telemetry.js';
import { UsageError, type Command } from './cli/common.js';
import { isFacematchError } from './errors.js';

const COMMANDS: Record<string, () => Promise<Command>> = {
  match: async () => (await import('./cli/match.js')).run,
  eval: async () => (await import('./cli/eval.js')).run,
  bench: async () => (await import('./cli/bench.js')).run,
  serve: async () => (await import('./cli/serve.js')).run,
  provision: async () => (await import('./cli/provision.js')).run,
  webhook: async () => (await import('./cli/webhook.js')).run,
  init: async () => (await import('./cli/init.js')).run,
  mcp: async () => (await import('./cli/mcp.js')).run,
  calibrate: async () => (await import('./cli/calibrate.js')).run,
  listen: async () => (await import('./cli/listen.js')).run,
  trigger: async () => (await import('./cli/trigger.js')).run,
  keys: async () => (await import('./cli/keys.js')).run,
};

const USAGE = `usage: facematch-mcp [command]
  (no command)                 MCP server on stdio
  mcp [--db PATH] [--tools a,b]  the same MCP server on stdio, with options
  match USER_IMAGE REF_IMAGE   compare two photos, print the face_match report as JSON
  eval SET_DIR                 accuracy on a labelled pairs.tsv set
  bench [--images DIR]         speed and memory benchmark
  calibrate DIR                suggest workflow thresholds from your own labelled pairs
  serve [--port N]             local HTTP twin of the hosted API (+ MCP at /mcp)
  provision --email E          create a verified sandbox account, print its API key
  listen [--forward-to URL]    stream webhook events and delivery attempts; forward them to your app
  trigger OUTCOME              create a session and drive it to an outcome, with real webhooks
  webhook verify|sign|snippet  check or produce webhook signatures; verifier code for your app
  keys revoke KEY              revoke a sandbox API key
  init [--client claude|cursor|all] [--db PATH]  add this server to the project's MCP client config
Every sandbox command takes --db PATH (default: the project's .facematch/sandbox.db).`;

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const load = COMMANDS[name ?? 'mcp'];
  if (!load) throw new UsageError(`unknown command '${name}'; run 'facematch-mcp --help' for the list.`);
  return (await load())(rest);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Known errors (bad input, bad usage) are one sentence and exit 2; anything else is a bug.
    if (err instanceof UsageError || isFacematchError(err)) {
      process.stderr.write(`facematch-mcp: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`facematch-mcp: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
