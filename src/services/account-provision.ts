// `provision`: a verified account with a new API key in one call, for agents and the
// `facematch-mcp provision` command, without the e-mailed code of the sign-up flow.
import { z } from 'zod';
import { FacematchError } from '../errors.js';
import { newId, randomToken, validate, type ServiceContext } from './context.js';
import { email, type AccountRow, type AccountStore } from './account-store.js';
import { checkPassword, hashPassword, newPassword } from './passwords.js';
import type { Accounts } from './accounts.js';
import type { ApiKeys } from './api-keys.js';
import type { ProvisionResult } from '../contract/index.js';

export interface ProvisionOptions {
  /** The caller is the local command line (the user at a terminal), which may mint a key for any account. */
  localCli?: boolean;
}

const ProvisionInput = z.object({
  email,
  password: z.string({ error: 'password must be a string.' }).min(1, { error: 'password must not be empty.' }).max(256, { error: 'password must be at most 256 characters.' }).optional(),
});

type ProvisionBody = z.infer<typeof ProvisionInput>;

/** CONFLICT unless the caller proves it may mint a key for the existing account. */
function requireProof(existing: AccountRow, body: ProvisionBody, opts: ProvisionOptions): void {
  if (opts.localCli) return;
  const address = body.email;
  const proven = body.password !== undefined && checkPassword(body.password, existing.password_hash);
  if (!proven) {
    throw new FacematchError(
      'CONFLICT',
      `An account for ${address} already exists; a new API key for it needs proof: ${body.password === undefined ? 'pass its password' : 'the password is wrong; pass the right one'}, ` +
        `or run \`facematch-mcp provision --email ${address}\` in a terminal on this computer.`,
      { fields: { password: ['Give the password of the existing account.'] } },
    );
  }
}

export function createProvision(ctx: ServiceContext, store: AccountStore, apiKeys: ApiKeys): Accounts['provision'] {
  const { db } = ctx;
  return (input, opts = {}) => {
    const body = validate(ProvisionInput, input, 'provision request');
    const address = body.email;
    const now = ctx.now();
    // Checked before the write transaction: scrypt is slow and must not hold the lock.
    const existing = store.byEmail(address);
    if (existing) requireProof(existing, body, opts);
    const newPasswordHash = !existing && body.password !== undefined ? hashPassword(validate(z.object({ password: newPassword }), { password: body.password }, 'password').password) : null;
    return db
      .transaction((): ProvisionResult => {
        let row = store.byEmail(address);
        let created = false;
        // Created by someone else since the check above: the same proof applies.
        if (row && !existing && !opts.localCli) {
          throw new FacematchError('CONFLICT', `An account for ${address} was just created by another caller; run \`facematch-mcp provision --email ${address}\` in a terminal for a key.`);
        }
        if (!row) {
          // Without a password, a random one nobody knows: the account is then used through
          // its API key, and new keys come only from the local CLI.
          db.prepare('INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)').run(
            newId(),
            address,
            newPasswordHash ?? hashPassword(randomToken(24)),
            now,
          );
          row = store.byEmail(address)!;
          created = true;
        }
        const app = row.verified_at && row.organization_id ? store.appOfOrg(row.organization_id)! : store.createOrgAndApp(row, now);
        // Keys are stored hashed, so an existing account gets a new key (old keys stay valid).
        const { key } = apiKeys.mint(app.id, now);
        return { api_key: key, application_id: app.id, organization_id: app.organization_id, email: address, created };
      })
      .immediate();
  };
}
