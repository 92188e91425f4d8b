// What every sandbox command shares: which database (one per project by default, see
// src/paths.ts) and which application it acts for, both said on stderr before anything else.
import { displayDbPath, prepareProjectSandboxDir, resolveDbLocation, type DbLocation } from '../paths.js';
import { openSandbox, type AppContext, type Sandbox, type SandboxOptions } from '../services/index.js';
import { UsageError } from './common.js';

export interface CliSandbox {
  sandbox: Sandbox;
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
 * The application a command acts for: --app ID, else FACEMATCH_APP (what the MCP server reads
 * too), else the most recently provisioned one. Throws a sentence telling the user what to run
 * when there is none.
 */
export function chooseApplication(sandbox: Sandbox, flagAppId: string | undefined): AppChoice {
  const appId = flagAppId ?? (process.env.FACEMATCH_APP?.trim() || undefined);
  const rows = sandbox.db
    .prepare<[], { id: string; organization_id: string; email: string | null }>(
      `SELECT a.id, a.organization_id, (SELECT email FROM accounts c WHERE c.organization_id = a.organization_id ORDER BY c.created_at LIMIT 1) AS email
         FROM applications a ORDER BY a.provision_seq DESC, a.provisioned_at DESC`,
    )
    .all();
  if (rows.length === 0) {
    throw new UsageError(`this sandbox (${displayDbPath(sandbox.dbPath)}) has no account yet: run 'facematch-mcp provision --email you@example.com' first.`);
  }
  const row = appId === undefined ? rows[0]! : rows.find((r) => r.id === appId);
  if (!row) {
    throw new UsageError(`no application ${appId}${flagAppId === undefined ? ' (from FACEMATCH_APP)' : ''} in ${displayDbPath(sandbox.dbPath)}; it has ${rows.map((r) => r.id).join(', ')}.`);
  }
  const key = sandbox.db.prepare<[string], { id: string }>('SELECT id FROM api_keys WHERE application_id = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1').get(row.id);
  return {
    app: { applicationId: row.id, organizationId: row.organization_id, keyId: key?.id ?? null },
    label: `application ${row.id}${row.email ? ` of ${row.email}` : ''}${appId !== undefined && flagAppId === undefined ? ' (from FACEMATCH_APP)' : ''}`,
    total: rows.length,
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
