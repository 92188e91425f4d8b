// facematch-mcp provision --email E [--db PATH]: creates (or reuses) a verified sandbox
// account and prints JSON with a new API key. The key is printed only here.
import { announce, openCliSandbox } from './sandbox.js';
import { printJson, UsageError, type Command } from './common.js';
import { DB_FLAG, defineCommand, printedHelp, readFlags, usageLine } from './flags.js';

export const PROVISION = defineCommand({
  name: 'provision',
  summary: 'Creates (or reuses) a verified sandbox account and prints JSON with a new API key (shown only here).',
  flags: {
    email: { type: 'string', value: 'E', required: true, description: 'the account e-mail (any address; nothing is sent)' },
    db: DB_FLAG,
  },
});

export const run: Command = async (argv) => {
  if (printedHelp(PROVISION, argv)) return 0;
  const { values, positionals } = readFlags(PROVISION, argv);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'; ${usageLine(PROVISION)}`);
  const { email, db } = values;
  if (!email) throw new UsageError(`--email is required; ${usageLine(PROVISION)}`);
  const { sandbox, location } = openCliSandbox(db, { deliverWebhooks: false });
  try {
    announce(location);
    const result = sandbox.accounts.provision({ email }, { localCli: true });
    process.stderr.write(`facematch-mcp: acting for application ${result.application_id}; keep the api_key: it is shown only once\n`);
    printJson({ ...result, db: sandbox.dbPath });
    return 0;
  } finally {
    await sandbox.close();
  }
};
