// The console sign-up flow: register with e-mail and password, receive a 6-character code
// (resend-otp for a fresh one), verify the e-mail (which creates the organization, its
// application and a first API key), then log in for Bearer access tokens.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { FacematchError } from '../errors.js';
import { iso, newId, safeEqual, validate, type ServiceContext } from './context.js';
import { email, type AccountRow, type AccountStore, type AppRow } from './account-store.js';
import { checkPasswordAsync, DUMMY_HASH, hashPassword, hashPasswordAsync, newPassword } from './passwords.js';
import type { AccessTokens } from './access-tokens.js';
import type { Accounts } from './accounts.js';
import type { ApiKeys } from './api-keys.js';
import type { VerifyEmailResult } from '../contract/index.js';

export type AccountSignup = Pick<Accounts, 'register' | 'resendOtp' | 'peekVerificationCode' | 'verifyEmail' | 'login'>;

// The platform's codes expire after 10 minutes (vendor MCP server, didit_resend_otp).
const CODE_TTL_MS = 10 * 60_000;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

const RegisterInput = z.object({ email, password: newPassword });
const LoginInput = z.object({ email, password: z.string({ error: 'Enter the password as a string.' }).min(1, { error: 'Enter the password.' }) });
const VerifyInput = z.object({
  email,
  code: z
    .string({ error: 'Enter the 6-character verification code as a string.' })
    .trim()
    .length(6, { error: 'The verification code has 6 characters.' }),
});

function newCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

const appInfo = (app: AppRow) => ({ uuid: app.id, name: app.name, client_id: app.client_id });

export function createAccountSignup(ctx: ServiceContext, store: AccountStore, tokens: AccessTokens, apiKeys: ApiKeys): AccountSignup {
  const { db } = ctx;
  const setCode = (accountId: string, now: number): void => {
    db.prepare('UPDATE accounts SET code = ?, code_expires_at = ? WHERE id = ?').run(newCode(), now + CODE_TTL_MS, accountId);
  };

  /** A second registration of a pending e-mail; `sameRegistrant`: the same pending account, with the password it was registered with. */
  function retryPending(existing: AccountRow, sameRegistrant: boolean, now: number): void {
    // Whoever registered first chose the password and got the code: a second registration
    // without either must not replace them, or it could verify-and-log-in as the owner.
    if (!sameRegistrant) {
      throw new FacematchError(
        'CONFLICT',
        'A registration for this e-mail is pending verification: verify it with the code sent to the address (resend-otp sends a new one). Registering again cannot change its password.',
        { fields: { email: ['A registration for this e-mail is pending verification.'] } },
      );
    }
    // The same person retrying: the code sent before stays valid; only an expired one is replaced.
    if (!existing.code || !existing.code_expires_at || existing.code_expires_at <= now) setCode(existing.id, now);
  }

  return {
    async register(input) {
      const body = validate(RegisterInput, input, 'registration');
      // scrypt before the write transaction: it is slow and must not hold the lock. A pending
      // registration is checked against its own password; a new one is hashed.
      const before = store.byEmail(body.email);
      const pending = before && !before.verified_at ? before : undefined;
      const samePassword = pending ? await checkPasswordAsync(body.password, pending.password_hash) : false;
      const hash = before ? null : await hashPasswordAsync(body.password);
      const now = ctx.now();
      db.transaction(() => {
        const existing = store.byEmail(body.email);
        if (existing?.verified_at) {
          throw new FacematchError('CONFLICT', 'An account with this e-mail already exists; log in instead.', {
            fields: { email: ['An account with this e-mail already exists.'] },
          });
        }
        if (existing) {
          retryPending(existing, samePassword && existing.id === pending?.id, now);
        } else {
          db.prepare(
            'INSERT INTO accounts (id, email, password_hash, code, code_expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          ).run(newId(), body.email, hash ?? hashPassword(body.password), newCode(), now + CODE_TTL_MS, now);
        }
      }).immediate();
      return {
        message: 'Registration successful. A 6-character verification code was sent to your e-mail; it expires in 10 minutes.',
        email: body.email,
      };
    },

    resendOtp(input) {
      const address = validate(z.object({ email }), input, 'resend request').email;
      const now = ctx.now();
      db.transaction(() => {
        const row = store.byEmail(address);
        if (row?.verified_at) {
          throw new FacematchError('VALIDATION', 'This e-mail is already verified; log in instead.', { fields: { email: ['This e-mail is already verified.'] } });
        }
        // Unknown addresses get the same answer, so the call does not reveal who registered.
        if (row) setCode(row.id, now);
      }).immediate();
      return { message: 'If a registration is pending for this e-mail, a new 6-character code was sent; it expires in 10 minutes.', email: address };
    },

    peekVerificationCode(rawEmail) {
      const address = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
      const row = store.byEmail(address);
      if (!row) throw new FacematchError('NOT_FOUND', `No account is registered for ${address || 'that e-mail'}.`);
      if (row.verified_at) throw new FacematchError('CONFLICT', `${address} is already verified; log in instead.`);
      if (!row.code || !row.code_expires_at || row.code_expires_at <= ctx.now()) {
        throw new FacematchError('GONE', `The verification code for ${address} has expired; call resend-otp (or register again) to get a new one.`);
      }
      return { code: row.code, expires_at: iso(row.code_expires_at) };
    },

    verifyEmail(input) {
      const body = validate(VerifyInput, input, 'verification');
      const now = ctx.now();
      return db
        .transaction((): VerifyEmailResult => {
          const row = store.byEmail(body.email);
          const bad = () =>
            new FacematchError('VALIDATION', 'The verification code is wrong or has expired.', {
              fields: { code: ['The verification code is wrong or has expired.'] },
            });
          if (!row) throw bad();
          if (row.verified_at) throw new FacematchError('CONFLICT', 'This e-mail is already verified; log in instead.');
          if (!row.code || !row.code_expires_at || row.code_expires_at <= now) throw bad();
          if (!safeEqual(row.code, body.code.toUpperCase())) throw bad();
          const app = store.createOrgAndApp(row, now);
          const { key } = apiKeys.mint(app.id, now);
          return {
            ...tokens.mint(row.id, now),
            organization: { uuid: app.organization_id, name: app.org_name },
            application: { ...appInfo(app), api_key: key },
          };
        })
        .immediate();
    },

    async login(input) {
      const body = validate(LoginInput, input, 'login');
      const row = store.byEmail(body.email);
      // The same scrypt for unknown e-mails, so timing does not reveal which addresses exist.
      const ok = await checkPasswordAsync(body.password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !ok) throw new FacematchError('UNAUTHORIZED', 'Invalid e-mail or password.');
      if (!row.verified_at || !row.organization_id) {
        throw new FacematchError('FORBIDDEN', 'Verify your e-mail first (verify-email with the 6-character code).');
      }
      const app = store.appOfOrg(row.organization_id)!;
      const now = ctx.now();
      const session = db.transaction(() => tokens.mint(row.id, now)).immediate();
      return { ...session, organization: { uuid: app.organization_id, name: app.org_name }, application: appInfo(app) };
    },
  };
}
