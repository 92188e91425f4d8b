// Which application a caller acts for, one rule for every transport (the CLI's --app and
// FACEMATCH_APP, the MCP server's FACEMATCH_APP and use_application): an application id, or a
// name that exactly one application has; nothing named means the most recently provisioned.
// Each caller words the failure for its own audience (a command to run, a tool to call); the
// list of what exists comes from here.
import type { ServiceContext } from './context.js';
import type { AppContext } from './types.js';

export interface ApplicationSummary {
  application_id: string;
  name: string;
  organization_id: string;
  /** The organization's first account's e-mail, to tell applications apart. */
  email: string | null;
}

export type AppResolution =
  | { ok: true; app: AppContext; application: ApplicationSummary; /** How many applications the sandbox holds. */ total: number }
  | {
      ok: false;
      /** empty: the sandbox has none; unknown: no id or name matches; ambiguous: several have that name. */
      reason: 'empty' | 'unknown' | 'ambiguous';
      /** What exists (for ambiguous: the applications with that name), most recently provisioned first. */
      known: ApplicationSummary[];
      /** One clause naming the problem and listing `known`, e.g. "no application 'x'; it has: ...". */
      problem: string;
    };

export interface Applications {
  /** Every application of the sandbox, the most recently provisioned first. */
  list(): ApplicationSummary[];
  /** `ref` is an application id or name; null means the most recently provisioned. */
  resolve(ref: string | null): AppResolution;
}

/** "Sandbox application (5f1d...), ..." for error sentences. */
export function describeApplications(apps: readonly ApplicationSummary[], max = 10): string {
  const shown = apps.slice(0, max).map((a) => `${a.name} (${a.application_id}${a.email ? `, ${a.email}` : ''})`);
  return `${shown.join('; ')}${apps.length > max ? `; and ${apps.length - max} more` : ''}`;
}

export function createApplications(ctx: ServiceContext): Applications {
  const { db } = ctx;
  const listStmt = db.prepare<[], ApplicationSummary>(
    `SELECT a.id AS application_id, a.name, a.organization_id,
            (SELECT email FROM accounts c WHERE c.organization_id = a.organization_id ORDER BY c.created_at LIMIT 1) AS email
       FROM applications a ORDER BY a.provision_seq DESC, a.provisioned_at DESC`,
  );
  const keyStmt = db.prepare<[string], { id: string }>(
    'SELECT id FROM api_keys WHERE application_id = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1',
  );

  function list(): ApplicationSummary[] {
    return listStmt.all();
  }

  function resolve(ref: string | null): AppResolution {
    const all = list();
    if (all.length === 0) return { ok: false, reason: 'empty', known: [], problem: 'this sandbox has no application yet' };
    const wanted = ref === null ? null : ref.trim();
    let found: ApplicationSummary | undefined;
    if (wanted === null || wanted === '') found = all[0];
    else {
      // An id wins over a name, so a name can never hide an application's id.
      found = all.find((a) => a.application_id === wanted);
      if (!found) {
        const named = all.filter((a) => a.name === wanted);
        if (named.length > 1) {
          return {
            ok: false,
            reason: 'ambiguous',
            known: named,
            problem: `'${wanted}' is the name of ${named.length} applications (${describeApplications(named)}); give the application id instead`,
          };
        }
        found = named[0];
      }
      if (!found) return { ok: false, reason: 'unknown', known: all, problem: `no application '${wanted}' (id or name); it has: ${describeApplications(all)}` };
    }
    const key = keyStmt.get(found.application_id);
    return { ok: true, app: { applicationId: found.application_id, organizationId: found.organization_id, keyId: key?.id ?? null }, application: found, total: all.length };
  }

  return { list, resolve };
}
