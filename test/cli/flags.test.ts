// One way to read flags: every command declares its flags once; node:util's parseArgs reads
// argv from that declaration (strict) and --help is generated from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { UsageError } from '../../src/cli/common.js';
import { defineCommand, helpText, readFlags, type CommandSpec, type FlagSpecs } from '../../src/cli/flags.js';

const CLI = join(packageRoot, 'dist', 'src', 'cli.js');

const DEMO = defineCommand({
  name: 'demo',
  args: 'THING',
  summary: 'A command for the test.',
  flags: {
    db: { type: 'string', value: 'PATH', description: 'the database' },
    wait: { type: 'string', value: 'SECONDS', default: '15', description: 'how long' },
    json: { type: 'boolean', description: 'as JSON' },
    header: { type: 'string', multiple: true, value: 'H', description: 'a header' },
    lang: { type: 'string', short: 'l', aliases: ['language'], value: 'L', description: 'a language' },
  },
});

function usageError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof UsageError && pattern.test(err.message) && !err.message.includes('\n'));
}

test('readFlags: values, defaults, positionals, = and space forms, repeats, short and long aliases', () => {
  const r = readFlags(DEMO, ['x', '--db', 'a.db', '--json', '--header=A: 1', '--header', 'B: 2', 'y', '--language', 'go']);
  assert.deepEqual(r.positionals, ['x', 'y']);
  assert.equal(r.values.db, 'a.db');
  assert.equal(r.values.wait, '15', 'the default when absent');
  assert.equal(r.values.json, true);
  assert.deepEqual(r.values.header, ['A: 1', 'B: 2']);
  assert.equal(r.values.lang, 'go');
  assert.deepEqual([...r.given].sort(), ['db', 'header', 'json', 'lang']);
  assert.equal(readFlags(DEMO, ['-l', 'ts']).values.lang, 'ts');
  assert.equal(readFlags(DEMO, []).values.json, false);
  assert.deepEqual(readFlags(DEMO, []).values.header, []);
});

test('readFlags: every mistake is one sentence naming the flag (a usage error, exit 2)', () => {
  usageError(() => readFlags(DEMO, ['--bogus']), /unknown option --bogus for demo/);
  usageError(() => readFlags(DEMO, ['--db']), /--db needs a value/);
  usageError(() => readFlags(DEMO, ['--db', '--json']), /--db needs a value/);
  usageError(() => readFlags(DEMO, ['--db=']), /--db needs a value/);
  usageError(() => readFlags(DEMO, ['--json=yes']), /--json takes no value/);
  usageError(() => readFlags(DEMO, ['--db', 'a', '--db', 'b']), /--db was given twice/);
  usageError(() => readFlags(DEMO, ['--lang', 'go', '--language', 'ts']), /--lang was given twice/);
});

test('helpText: the usage line and one row per declared flag, with defaults', () => {
  const text = helpText(DEMO);
  assert.match(text, /^usage: facematch-mcp demo THING \[--db PATH\] \[--wait SECONDS\] \[--json\] \[--header H\]\.\.\. \[--lang L\]$/m);
  for (const row of [/--db PATH\s+the database$/m, /--wait SECONDS\s+how long \[default: 15\]$/m, /-l, --lang L\s+a language$/m, /-h, --help/]) assert.match(text, row);
});

/** Every command's declaration, as the command modules export them. */
async function declarations(): Promise<Array<CommandSpec<FlagSpecs>>> {
  const mods = await Promise.all([
    import('../../src/cli/match.js').then((m) => [m.MATCH]),
    import('../../src/cli/eval.js').then((m) => [m.EVAL]),
    import('../../src/cli/bench.js').then((m) => [m.BENCH]),
    import('../../src/cli/calibrate.js').then((m) => [m.CALIBRATE]),
    import('../../src/cli/serve.js').then((m) => [m.SERVE]),
    import('../../src/cli/provision.js').then((m) => [m.PROVISION]),
    import('../../src/cli/keys.js').then((m) => [m.KEYS]),
    import('../../src/cli/mcp.js').then((m) => [m.MCP]),
    import('../../src/cli/init.js').then((m) => [m.INIT]),
    import('../../src/cli/listen.js').then((m) => [m.LISTEN]),
    import('../../src/cli/trigger.js').then((m) => [m.TRIGGER]),
    import('../../src/cli/webhook.js').then((m) => [m.VERIFY, m.SIGN, m.SNIPPET]),
  ]);
  return mods.flat() as Array<CommandSpec<FlagSpecs>>;
}

test('every command: --help lists each declared flag; an unknown flag exits 2 with one sentence; nothing is created', async () => {
  const specs = await declarations();
  assert.equal(specs.length, 14);
  const cwd = mkdtempSync(join(tmpdir(), 'facematch-flags-'));
  try {
    const env = { ...process.env, FACEMATCH_DB: join(cwd, 'sandbox.db'), FACEMATCH_LOG: 'silent' };
    for (const spec of specs) {
      const words = spec.name.split(' ');
      const help = spawnSync(process.execPath, [CLI, ...words, '--help'], { cwd, env, encoding: 'utf8', timeout: 20_000 });
      assert.equal(help.status, 0, `${spec.name} --help: ${help.stderr}`);
      assert.equal(help.stdout.trim(), helpText(spec), `${spec.name}: the help is the declaration's`);
      for (const flag of Object.keys(spec.flags)) assert.ok(help.stdout.includes(`--${flag}`), `${spec.name} --help lists --${flag}`);
      const bad = spawnSync(process.execPath, [CLI, ...words, '--no-such-flag'], { cwd, env, encoding: 'utf8', timeout: 20_000 });
      assert.equal(bad.status, 2, `${spec.name} --no-such-flag: ${bad.stderr}`);
      assert.equal(bad.stdout, '');
      assert.match(bad.stderr, new RegExp(`^facematch-mcp: unknown option --no-such-flag for ${spec.name}; run 'facematch-mcp ${spec.name} --help' for the options\\.\\n$`));
    }
    assert.deepEqual(readdirSync(cwd), [], 'neither help nor a refused flag opens the sandbox');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
