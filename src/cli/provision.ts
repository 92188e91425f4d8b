// facematch-mcp provision --email E [--db PATH]: creates (or reuses) a verified sandbox
// account and prints JSON with a new API key. The key is printed only here.
import { announce, openCliSandbox } from './sandbox.js';
import { printJson, UsageError, type Command } from './common.js';

const USAGE = 'usage: facematch-mcp provision --email E [--db PATH]';

export const run: Command = async (argv) => {
  let email: string | undefined;
  let db: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value; ${USAGE}`);
      return v;
    };
    if ((flag === '--email' && email !== undefined) || (flag === '--db' && db !== undefined)) {
      throw new UsageError(`${flag} given twice; provision makes one account at a time. ${USAGE}`);
    }
    if (flag === '--email') email = value();
    else if (flag === '--db') db = value();
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else throw new UsageError(`unknown option '${arg}'; ${USAGE}`);
  }
  if (!email) throw new UsageError(`--email is required; ${USAGE}`);
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
