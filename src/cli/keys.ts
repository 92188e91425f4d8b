// `facematch-mcp keys revoke KEY [--db PATH]`: revokes one API key of the local sandbox at
// once (it answers 401 from then on). The key is read from the argument or, with `-`, from
// stdin, so it need not appear in the shell history.
import { readFileSync } from 'node:fs';
import { defaultDbPath } from '../paths.js';
import { openSandbox } from '../services/index.js';
import { printJson, UsageError, type Command } from './common.js';

const USAGE = 'usage: facematch-mcp keys revoke KEY|- [--db PATH]   (- reads the key from stdin)';

export const run: Command = async (argv) => {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const [action, ...rest] = argv;
  if (action !== 'revoke') throw new UsageError(`unknown keys action '${action}'; ${USAGE}`);
  let key: string | undefined;
  let db: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--db') {
      db = rest[++i];
      if (!db) throw new UsageError(`--db needs a path; ${USAGE}`);
    } else if (a.startsWith('--db=')) db = a.slice(5);
    else if (a.startsWith('--') ) throw new UsageError(`unknown option '${a}'; ${USAGE}`);
    else if (key !== undefined) throw new UsageError(`one key at a time; ${USAGE}`);
    else key = a;
  }
  if (key === undefined) throw new UsageError(`give the key to revoke; ${USAGE}`);
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
