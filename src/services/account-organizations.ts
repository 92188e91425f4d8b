// What a signed-in user reads about their organization and its applications (the console's
// /auth/v2/organizations/ routes), each application with its live API key.
import { FacematchError } from '../errors.js';
import { iso, type ServiceContext } from './context.js';
import type { AccessTokens } from './access-tokens.js';
import type { Accounts } from './accounts.js';
import type { ApiKeys } from './api-keys.js';
import type { ApplicationDetail } from '../contract/index.js';

export type AccountOrganizations = Pick<Accounts, 'organizations' | 'applications' | 'application'>;

interface ApplicationRow {
  id: string;
  name: string;
  client_id: string;
  organization_id: string;
  created_at: number;
}

export function createAccountOrganizations(ctx: ServiceContext, tokens: AccessTokens, apiKeys: ApiKeys): AccountOrganizations {
  const { db } = ctx;

  const orgById = (id: string) => db.prepare<[string], { id: string; name: string }>('SELECT id, name FROM organizations WHERE id = ?').get(id)!;

  /** The token's organization, when it is `organizationId`; NOT_FOUND otherwise. */
  function orgOf(token: string | undefined, organizationId: string): { id: string; name: string } {
    const account = tokens.account(token);
    if (!account.organization_id || account.organization_id !== organizationId) {
      throw new FacematchError('NOT_FOUND', `Organization ${String(organizationId).slice(0, 80)} not found for this account.`);
    }
    return orgById(organizationId);
  }

  const appDetail = (app: ApplicationRow): ApplicationDetail => ({
    uuid: app.id,
    name: app.name,
    client_id: app.client_id,
    api_key: apiKeys.liveKey(app.id),
    organization: app.organization_id,
    created_at: iso(app.created_at),
  });

  return {
    organizations(token) {
      const account = tokens.account(token);
      if (!account.organization_id) return [];
      const org = orgById(account.organization_id);
      return [{ uuid: org.id, name: org.name, contact_email: account.email }];
    },

    applications(token, organizationId) {
      const org = orgOf(token, organizationId);
      return db
        .prepare<[string], ApplicationRow>(
          'SELECT id, name, client_id, organization_id, created_at FROM applications WHERE organization_id = ? ORDER BY created_at',
        )
        .all(org.id)
        .map(appDetail);
    },

    application(token, organizationId, applicationId) {
      const org = orgOf(token, organizationId);
      const app = db
        .prepare<[string, string], ApplicationRow>(
          'SELECT id, name, client_id, organization_id, created_at FROM applications WHERE id = ? AND organization_id = ?',
        )
        .get(String(applicationId), org.id);
      if (!app) throw new FacematchError('NOT_FOUND', `Application ${String(applicationId).slice(0, 80)} not found in this organization.`);
      return appDetail(app);
    },
  };
}
