#!/usr/bin/env node
// facematch-mcp: with no arguments an MCP server on stdio; otherwise a subcommand.
// First: the engine's runtime and every process started from here run without telemetry.
import './engine/no-telemetry.js';
import { COMMANDS } from './cli/commands.js';
import { UsageError } from './cli/common.js';
import { isFacematchError } from './errors.js';

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
