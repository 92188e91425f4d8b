// The account records every account operation shares: the rows, the e-mail rule, the look-ups
// by e-mail and organization, and the organization and application a verified account gets.
import { z } from 'zod';
import { newId, randomToken, type ServiceContext } from './context.js';

export interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  organization_id: string | null;
  verified_at: number | null;
  code: string | null;
  code_expires_at: number | null;
}

export interface AppRow {
  id: string;
  organization_id: string;
  name: string;
  client_id: string;
  org_name: string;
}

export const email = z
  .string({ error: 'Enter an e-mail address as a string.' })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'Enter a valid e-mail address.' }));

export interface AccountStore {
  byEmail(address: string): AccountRow | undefined;
  /** The first application of an organization, with the organization's name. */
  appOfOrg(organizationId: string): AppRow | undefined;
  /** Creates the organization and its application for a newly verified account. */
  createOrgAndApp(account: AccountRow, now: number): AppRow;
}

export function createAccountStore(ctx: ServiceContext): AccountStore {
  const { db } = ctx;
  const accountByEmail = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE email = ?');
  const appOfOrg = db.prepare<[string], AppRow>(
    `SELECT a.id, a.organization_id, a.name, a.client_id, o.name AS org_name
       FROM applications a JOIN organizations o ON o.id = a.organization_id
      WHERE a.organization_id = ? ORDER BY a.created_at LIMIT 1`,
  );

  return {
    byEmail: (address) => accountByEmail.get(address),
    appOfOrg: (organizationId) => appOfOrg.get(organizationId),
    createOrgAndApp(account, now) {
      const orgId = newId();
      const appId = newId();
      const orgName = `${account.email.split('@')[0]}'s organization`;
      db.prepare('INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)').run(orgId, orgName, now);
      db.prepare(
        'INSERT INTO applications (id, organization_id, name, client_id, provisioned_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(appId, orgId, 'Sandbox application', randomToken(12), now, now);
      db.prepare('UPDATE accounts SET organization_id = ?, verified_at = ?, code = NULL, code_expires_at = NULL WHERE id = ?').run(
        orgId,
        now,
        account.id,
      );
      return appOfOrg.get(orgId)!;
    },
  };
}
