// What every sandbox command shares: which database (one per project by default, see
// src/paths.ts) and which application it acts for, both said on stderr before anything else.
import { displayDbPath, prepareProjectSandboxDir, resolveDbLocation, type DbLocation } from '../paths.js';
import { describeApplications, openSandbox, type AppContext, type SandboxOptions, type SandboxServices } from '../services/index.js';
import { UsageError } from './common.js';

export interface CliSandbox {
  sandbox: SandboxServices;
  location: DbLocation;
}

const WHY: Record<DbLocation['source'], string> = {
  flag: 'from --db',
  env: 'from FACEMATCH_DB',
  project: 'this project',
  home: 'no project folder here (no package.json, .git or .facematch), so the shared one in your home folder',
};

/** A one-line description of where the sandbox is, e.g. ".facematch/sandbox.db (this project)". */
export function describeLocation(loc: DbLocation): string {
  return `${displayDbPath(loc.path)} (${WHY[loc.source]})`;
}

export function openCliSandbox(dbFlag: string | undefined, opts: Omit<SandboxOptions, 'dbPath'> = {}): CliSandbox {
  const location = resolveDbLocation({ flag: dbFlag });
  prepareProjectSandboxDir(location);
  const sandbox = openSandbox({ ...opts, dbPath: location.path });
  return { sandbox, location };
}

export interface AppChoice {
  app: AppContext;
  /** "application <id> of <email>" */
  label: string;
  /** How many applications the sandbox holds. */
  total: number;
}

/**
 * The application a command acts for: --app ID|NAME, else FACEMATCH_APP (what the MCP server
 * reads too, with the same rule: see services/applications.ts), else the most recently
 * provisioned one. Throws a sentence telling the user what to run when there is none.
 */
export function chooseApplication(sandbox: SandboxServices, flagApp: string | undefined): AppChoice {
  const ref = flagApp ?? (process.env.FACEMATCH_APP?.trim() || undefined);
  const fromEnv = ref !== undefined && flagApp === undefined;
  const found = sandbox.applications.resolve(ref ?? null);
  if (!found.ok) {
    if (found.reason === 'empty') {
      throw new UsageError(`this sandbox (${displayDbPath(sandbox.dbPath)}) has no account yet: run 'facematch-mcp provision --email you@example.com' first.`);
    }
    if (found.reason === 'ambiguous') throw new UsageError(`${found.problem}${fromEnv ? ' (from FACEMATCH_APP)' : ''}.`);
    throw new UsageError(`no application ${ref}${fromEnv ? ' (from FACEMATCH_APP)' : ''} in ${displayDbPath(sandbox.dbPath)}; it has: ${describeApplications(found.known)}.`);
  }
  const { application: a } = found;
  return {
    app: found.app,
    label: `application ${a.application_id}${a.email ? ` of ${a.email}` : ''}${fromEnv ? ' (from FACEMATCH_APP)' : ''}`,
    total: found.total,
  };
}

/** The stderr line every sandbox command starts with. */
export function announce(location: DbLocation, choice?: AppChoice, explicitApp = false): void {
  let line = `facematch-mcp: sandbox ${describeLocation(location)}`;
  if (choice) {
    line += `; ${choice.label}`;
    if (!explicitApp && !process.env.FACEMATCH_APP && choice.total > 1) line += ` (the most recently provisioned of ${choice.total}; choose another with --app ID or FACEMATCH_APP)`;
  }
  process.stderr.write(`${line}\n`);
}
