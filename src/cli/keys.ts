// `facematch-mcp keys revoke KEY [--db PATH]`: revokes one API key of the local sandbox at
// once (it answers 401 from then on). The key is read from the argument or, with `-`, from
// stdin, so it need not appear in the shell history.
import { readFileSync } from 'node:fs';
import { defaultDbPath } from '../paths.js';
import { openSandbox } from '../services/index.js';
import { printJson, UsageError, type Command } from './common.js';
import { DB_FLAG, defineCommand, helpText, printedHelp, readFlags, usageLine } from './flags.js';

export const KEYS = defineCommand({
  name: 'keys revoke',
  args: 'KEY|-',
  summary: 'Revokes one API key of the local sandbox at once (it answers 401 from then on); - reads the key from stdin.',
  flags: {
    db: DB_FLAG,
  },
});

export const run: Command = async (argv) => {
  if (argv.length === 0 || printedHelp(KEYS, argv)) {
    if (argv.length === 0) process.stdout.write(`${helpText(KEYS)}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const [action, ...rest] = argv;
  if (action !== 'revoke') throw new UsageError(`unknown keys action '${action}'; ${usageLine(KEYS)}`);
  const { values, positionals } = readFlags(KEYS, rest);
  if (positionals.length > 1) throw new UsageError(`one key at a time; ${usageLine(KEYS)}`);
  let key = positionals[0];
  const { db } = values;
  if (key === undefined) throw new UsageError(`give the key to revoke; ${usageLine(KEYS)}`);
  if (key === '-') key = readFileSync(0, 'utf8').trim();
  const sandbox = openSandbox({ dbPath: db ?? defaultDbPath(), deliverWebhooks: false });
  try {
    const r = sandbox.accounts.revokeKey(key);
    printJson({ ...r, db: sandbox.dbPath });
    process.stderr.write(`facematch-mcp: key ${r.prefix}... ${r.newly_revoked ? 'revoked' : 'was already revoked'}; requests with it now get 401.\n`);
    return 0;
  } finally {
    await sandbox.close();
  }
};
