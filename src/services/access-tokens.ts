// Bearer access tokens of signed-in users: random, stored only as SHA-256 hashes, and the
// application context a /v3 call made with one acts in.
import { FacematchError } from '../errors.js';
import { randomToken, sha256, type ServiceContext } from './context.js';
import type { AccountRow } from './account-store.js';
import type { Accounts } from './accounts.js';

const TOKEN_TTL_S = 86_400;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export interface AccessTokens extends Pick<Accounts, 'authenticateBearer'> {
  mint(accountId: string, now: number): TokenPair;
  /** The account behind a Bearer access token; 401 when missing, unknown or expired. */
  account(token: string | undefined): AccountRow;
}

export function createAccessTokens(ctx: ServiceContext): AccessTokens {
  const { db } = ctx;

  function account(token: string | undefined): AccountRow {
    const t = typeof token === 'string' ? token.trim() : '';
    if (!t) throw new FacematchError('UNAUTHORIZED', 'Authentication credentials were not provided: send Authorization: Bearer <access_token>.');
    const row = db
      .prepare<[Buffer, number], { account_id: string }>("SELECT account_id FROM tokens WHERE token_hash = ? AND kind = 'access' AND expires_at > ?")
      .get(sha256(t), ctx.now());
    if (!row) throw new FacematchError('UNAUTHORIZED', 'The access token is invalid or expired; log in again.');
    return db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?').get(row.account_id)!;
  }

  return {
    account,

    mint(accountId, now) {
      const access = randomToken(32);
      const refresh = randomToken(32);
      const ins = db.prepare('INSERT INTO tokens (token_hash, account_id, kind, expires_at, created_at) VALUES (?, ?, ?, ?, ?)');
      ins.run(sha256(access), accountId, 'access', now + TOKEN_TTL_S * 1000, now);
      ins.run(sha256(refresh), accountId, 'refresh', now + 30 * TOKEN_TTL_S * 1000, now);
      return { access_token: access, refresh_token: refresh, expires_in: TOKEN_TTL_S };
    },

    authenticateBearer(token, scope) {
      const orgId = account(token).organization_id;
      if (!orgId) throw new FacematchError('FORBIDDEN', 'This account has no organization yet; verify its e-mail first.');
      if (scope.organizationId !== undefined && scope.organizationId !== orgId) {
        throw new FacematchError('FORBIDDEN', `You do not have permission to act in organization ${String(scope.organizationId).slice(0, 80)}.`);
      }
      const apps = db
        .prepare<[string], { id: string }>('SELECT id FROM applications WHERE organization_id = ? ORDER BY created_at, id')
        .all(orgId);
      return { applicationId: chooseApplication(orgId, apps, scope.applicationId), organizationId: orgId, keyId: null };
    },
  };
}

/** The application a Bearer call acts in: the one named, else the organization's only one. */
function chooseApplication(orgId: string, apps: Array<{ id: string }>, wanted: string | undefined): string {
  if (wanted !== undefined) {
    if (!apps.some((a) => a.id === wanted)) {
      throw new FacematchError('FORBIDDEN', `You do not have permission to act in application ${String(wanted).slice(0, 80)}.`);
    }
    return wanted;
  }
  if (apps.length === 1) return apps[0]!.id;
  throw new FacematchError(
    apps.length === 0 ? 'FORBIDDEN' : 'VALIDATION',
    apps.length === 0
      ? 'This organization has no application yet.'
      : `This organization has ${apps.length} applications: call the console route /v3/organization/${orgId}/application/{application_id}/... to say which.`,
  );
}
