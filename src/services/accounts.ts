// Accounts, organizations, applications and API keys. Passwords use scrypt; API keys and
// tokens are random, stored only as SHA-256 hashes and compared in constant time.
import { createCipheriv, createDecipheriv, randomBytes, randomInt, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { FacematchError } from '../errors.js';
import { iso, newId, randomToken, safeEqual, sha256, validate, type ServiceContext } from './context.js';
import type { AppContext } from './types.js';
import type { ApplicationDetail, LoginResult, OrganizationInfo, ProvisionResult, RevokedKey, VerifyEmailResult } from '../contract/index.js';

// The platform's codes expire after 10 minutes (vendor MCP server, didit_resend_otp).
const CODE_TTL_MS = 10 * 60_000;
const TOKEN_TTL_S = 86_400;
const KEY_PREFIX = 'fm_test_';
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

const email = z
  .string({ error: 'Enter an e-mail address as a string.' })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'Enter a valid e-mail address.' }));

const password = z
  .string({ error: 'Enter a password as a string.' })
  .min(8, { error: 'Password must be at least 8 characters.' })
  .max(256, { error: 'Password must be at most 256 characters.' })
  .refine((p) => /[a-z]/.test(p) && /[A-Z]/.test(p) && /[0-9]/.test(p) && /[^A-Za-z0-9]/.test(p), {
    error: 'Password must contain an upper-case letter, a lower-case letter, a digit and a special character.',
  });

const RegisterInput = z.object({ email, password });
const LoginInput = z.object({ email, password: z.string({ error: 'Enter the password as a string.' }).min(1, { error: 'Enter the password.' }) });
const VerifyInput = z.object({
  email,
  code: z
    .string({ error: 'Enter the 6-character verification code as a string.' })
    .trim()
    .length(6, { error: 'The verification code has 6 characters.' }),
});

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

// The HTTP routes use the asynchronous forms: scrypt then runs on libuv's thread pool and the
// event loop keeps answering other requests. The sync forms serve the synchronous provision path.
const scryptAsync = (pw: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(pw, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

const formatHash = (salt: Buffer, key: Buffer): string =>
  `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;

function hashPassword(pw: string): string {
  const salt = randomBytes(16);
  return formatHash(salt, scryptSync(pw, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }));
}

async function hashPasswordAsync(pw: string): Promise<string> {
  const salt = randomBytes(16);
  return formatHash(salt, await scryptAsync(pw, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }));
}

function parseHash(stored: string): { salt: Buffer; key: Buffer; opts: ScryptOptions } | null {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return null;
  return { salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url'), opts: { N: Number(n), r: Number(r), p: Number(p) } };
}

function checkPassword(pw: string, stored: string): boolean {
  const h = parseHash(stored);
  return h !== null && timingSafeEqual(scryptSync(pw, h.salt, h.key.length, h.opts), h.key);
}

/** An unknown e-mail is checked against this, so it costs the same scrypt as a known one. */
const DUMMY_HASH = formatHash(randomBytes(16), randomBytes(SCRYPT.keylen));

async function checkPasswordAsync(pw: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  return h !== null && timingSafeEqual(await scryptAsync(pw, h.salt, h.key.length, h.opts), h.key);
}

interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  organization_id: string | null;
  verified_at: number | null;
  code: string | null;
  code_expires_at: number | null;
}

interface AppRow {
  id: string;
  organization_id: string;
  name: string;
  client_id: string;
  org_name: string;
}

export interface Accounts {
  /** A new pending registration. Registering a pending e-mail again never changes its password
   *  or code: with the same password it is a retry (the code stays valid), otherwise CONFLICT. */
  register(input: unknown): Promise<{ message: string; email: string }>;
  /** POST /auth/v2/programmatic/resend-otp/: a fresh code for a pending registration. */
  resendOtp(input: unknown): { message: string; email: string };
  /** GET /auth/v2/organizations/me/ with the Bearer access token. */
  organizations(accessToken: string | undefined): OrganizationInfo[];
  applications(accessToken: string | undefined, organizationId: string): ApplicationDetail[];
  application(accessToken: string | undefined, organizationId: string, applicationId: string): ApplicationDetail;
  peekVerificationCode(email: string): { code: string; expires_at: string };
  verifyEmail(input: unknown): VerifyEmailResult;
  login(input: unknown): Promise<LoginResult>;
  /** A verified account with a new API key. For an account that already exists the caller
   *  must prove it: its `password`, or `localCli` (the `facematch-mcp provision` command, run by
   *  the user in a terminal). Otherwise CONFLICT, and no key is issued. */
  provision(input: { email: string; password?: string }, opts?: ProvisionOptions): ProvisionResult;
  authenticate(apiKey: string | undefined): AppContext;
  /** A /v3 call made as a user: Bearer access token, the organization (header or console path)
   *  and optionally the application. 401 for a bad token, 403 for an organization or application
   *  the user does not belong to. */
  authenticateBearer(accessToken: string, scope: { organizationId?: string; applicationId?: string }): AppContext;
  defaultApplication(): AppContext | null;
  revokeApiKey(app: AppContext): void;
  /** Revokes one API key given in full (it stops working at once). Unknown keys: NOT_FOUND. */
  revokeKey(apiKey: string, scope?: { applicationId: string }): RevokedKey;
}

export interface ProvisionOptions {
  /** The caller is the local command line (the user at a terminal), which may mint a key for any account. */
  localCli?: boolean;
}

const ProvisionInput = z.object({
  email,
  password: z.string({ error: 'password must be a string.' }).min(1, { error: 'password must not be empty.' }).max(256, { error: 'password must be at most 256 characters.' }).optional(),
});

export function createAccounts(ctx: ServiceContext, keys: { sealKey: Buffer }): Accounts {
  const { db } = ctx;
  const { sealKey } = keys;
  const accountByEmail = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE email = ?');
  const appOfOrg = db.prepare<[string], AppRow>(
    `SELECT a.id, a.organization_id, a.name, a.client_id, o.name AS org_name
       FROM applications a JOIN organizations o ON o.id = a.organization_id
      WHERE a.organization_id = ? ORDER BY a.created_at LIMIT 1`,
  );

  function newCode(): string {
    let code = '';
    for (let i = 0; i < 6; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    return code;
  }

  /** Creates the organization and its application for a newly verified account. */
  function createOrgAndApp(account: AccountRow, now: number): AppRow {
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
  }

  function mintKey(appId: string, now: number): { key: string; keyId: string } {
    const key = `${KEY_PREFIX}${randomToken(32)}`;
    const keyId = newId();
    db.prepare('INSERT INTO api_keys (id, application_id, key_hash, prefix, created_at, key_sealed) VALUES (?, ?, ?, ?, ?, ?)').run(
      keyId,
      appId,
      sha256(key),
      key.slice(0, KEY_PREFIX.length + 4),
      now,
      seal(key),
    );
    db.prepare('UPDATE applications SET provisioned_at = ?, provision_seq = (SELECT COALESCE(MAX(provision_seq), 0) + 1 FROM applications) WHERE id = ?').run(now, appId);
    return { key, keyId };
  }

  function mintTokens(accountId: string, now: number): { access_token: string; refresh_token: string; expires_in: number } {
    const access = randomToken(32);
    const refresh = randomToken(32);
    const ins = db.prepare('INSERT INTO tokens (token_hash, account_id, kind, expires_at, created_at) VALUES (?, ?, ?, ?, ?)');
    ins.run(sha256(access), accountId, 'access', now + TOKEN_TTL_S * 1000, now);
    ins.run(sha256(refresh), accountId, 'refresh', now + 30 * TOKEN_TTL_S * 1000, now);
    return { access_token: access, refresh_token: refresh, expires_in: TOKEN_TTL_S };
  }

  const appInfo = (app: AppRow) => ({ uuid: app.id, name: app.name, client_id: app.client_id });

  // API keys are checked by hash; a sealed copy lets the credential look-up hand the owner the
  // live key, as the platform does. The sealing key is outside the database (src/key-seal.ts).
  const seal = (text: string): string => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', sealKey, iv);
    const enc = Buffer.concat([c.update(text, 'utf8'), c.final()]);
    return `${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${enc.toString('base64url')}`;
  };
  const unseal = (sealed: string): string | null => {
    try {
      const [iv, tag, enc] = sealed.split('.');
      const d = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv!, 'base64url'));
      d.setAuthTag(Buffer.from(tag!, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(enc!, 'base64url')), d.final()]).toString('utf8');
    } catch {
      return null;
    }
  };

  /** The account behind a Bearer access token; 401 when missing, unknown or expired. */
  function bearerAccount(token: string | undefined): AccountRow {
    const t = typeof token === 'string' ? token.trim() : '';
    if (!t) throw new FacematchError('UNAUTHORIZED', 'Authentication credentials were not provided: send Authorization: Bearer <access_token>.');
    const row = db
      .prepare<[Buffer, number], { account_id: string }>("SELECT account_id FROM tokens WHERE token_hash = ? AND kind = 'access' AND expires_at > ?")
      .get(sha256(t), ctx.now());
    if (!row) throw new FacematchError('UNAUTHORIZED', 'The access token is invalid or expired; log in again.');
    return db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?').get(row.account_id)!;
  }

  function orgOf(token: string | undefined, organizationId: string): { account: AccountRow; org: { id: string; name: string } } {
    const account = bearerAccount(token);
    if (!account.organization_id || account.organization_id !== organizationId) {
      throw new FacematchError('NOT_FOUND', `Organization ${String(organizationId).slice(0, 80)} not found for this account.`);
    }
    return { account, org: db.prepare<[string], { id: string; name: string }>('SELECT id, name FROM organizations WHERE id = ?').get(organizationId)! };
  }

  function appDetail(app: { id: string; name: string; client_id: string; organization_id: string; created_at: number }): ApplicationDetail {
    const key = db
      .prepare<[string], { key_sealed: string | null }>('SELECT key_sealed FROM api_keys WHERE application_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1')
      .get(app.id);
    return {
      uuid: app.id,
      name: app.name,
      client_id: app.client_id,
      api_key: key?.key_sealed ? unseal(key.key_sealed) : null,
      organization: app.organization_id,
      created_at: iso(app.created_at),
    };
  }

  return {
    async register(input) {
      const body = validate(RegisterInput, input, 'registration');
      // scrypt before the write transaction: it is slow and must not hold the lock. A pending
      // registration is checked against its own password; a new one is hashed.
      const before = accountByEmail.get(body.email);
      const pending = before && !before.verified_at ? before : undefined;
      const samePassword = pending ? await checkPasswordAsync(body.password, pending.password_hash) : false;
      const hash = before ? null : await hashPasswordAsync(body.password);
      const now = ctx.now();
      db.transaction(() => {
        const existing = accountByEmail.get(body.email);
        if (existing?.verified_at) {
          throw new FacematchError('CONFLICT', 'An account with this e-mail already exists; log in instead.', {
            fields: { email: ['An account with this e-mail already exists.'] },
          });
        }
        if (existing) {
          // Whoever registered first chose the password and got the code: a second registration
          // without either must not replace them, or it could verify-and-log-in as the owner.
          if (!samePassword || existing.id !== pending?.id) {
            throw new FacematchError(
              'CONFLICT',
              'A registration for this e-mail is pending verification: verify it with the code sent to the address (resend-otp sends a new one). Registering again cannot change its password.',
              { fields: { email: ['A registration for this e-mail is pending verification.'] } },
            );
          }
          // The same person retrying: the code sent before stays valid; only an expired one is replaced.
          if (!existing.code || !existing.code_expires_at || existing.code_expires_at <= now) {
            db.prepare('UPDATE accounts SET code = ?, code_expires_at = ? WHERE id = ?').run(newCode(), now + CODE_TTL_MS, existing.id);
          }
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
        const row = accountByEmail.get(address);
        if (row?.verified_at) {
          throw new FacematchError('VALIDATION', 'This e-mail is already verified; log in instead.', { fields: { email: ['This e-mail is already verified.'] } });
        }
        // Unknown addresses get the same answer, so the call does not reveal who registered.
        if (row) db.prepare('UPDATE accounts SET code = ?, code_expires_at = ? WHERE id = ?').run(newCode(), now + CODE_TTL_MS, row.id);
      }).immediate();
      return { message: 'If a registration is pending for this e-mail, a new 6-character code was sent; it expires in 10 minutes.', email: address };
    },

    organizations(token) {
      const account = bearerAccount(token);
      if (!account.organization_id) return [];
      const org = db.prepare<[string], { id: string; name: string }>('SELECT id, name FROM organizations WHERE id = ?').get(account.organization_id)!;
      return [{ uuid: org.id, name: org.name, contact_email: account.email }];
    },

    applications(token, organizationId) {
      const { org } = orgOf(token, organizationId);
      return db
        .prepare<[string], { id: string; name: string; client_id: string; organization_id: string; created_at: number }>(
          'SELECT id, name, client_id, organization_id, created_at FROM applications WHERE organization_id = ? ORDER BY created_at',
        )
        .all(org.id)
        .map(appDetail);
    },

    application(token, organizationId, applicationId) {
      const { org } = orgOf(token, organizationId);
      const app = db
        .prepare<[string, string], { id: string; name: string; client_id: string; organization_id: string; created_at: number }>(
          'SELECT id, name, client_id, organization_id, created_at FROM applications WHERE id = ? AND organization_id = ?',
        )
        .get(String(applicationId), org.id);
      if (!app) throw new FacematchError('NOT_FOUND', `Application ${String(applicationId).slice(0, 80)} not found in this organization.`);
      return appDetail(app);
    },

    peekVerificationCode(rawEmail) {
      const address = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
      const row = accountByEmail.get(address);
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
          const row = accountByEmail.get(body.email);
          const bad = () =>
            new FacematchError('VALIDATION', 'The verification code is wrong or has expired.', {
              fields: { code: ['The verification code is wrong or has expired.'] },
            });
          if (!row) throw bad();
          if (row.verified_at) throw new FacematchError('CONFLICT', 'This e-mail is already verified; log in instead.');
          if (!row.code || !row.code_expires_at || row.code_expires_at <= now) throw bad();
          if (!safeEqual(row.code, body.code.toUpperCase())) throw bad();
          const app = createOrgAndApp(row, now);
          const { key } = mintKey(app.id, now);
          return {
            ...mintTokens(row.id, now),
            organization: { uuid: app.organization_id, name: app.org_name },
            application: { ...appInfo(app), api_key: key },
          };
        })
        .immediate();
    },

    async login(input) {
      const body = validate(LoginInput, input, 'login');
      const row = accountByEmail.get(body.email);
      // The same scrypt for unknown e-mails, so timing does not reveal which addresses exist.
      const ok = await checkPasswordAsync(body.password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !ok) throw new FacematchError('UNAUTHORIZED', 'Invalid e-mail or password.');
      if (!row.verified_at || !row.organization_id) {
        throw new FacematchError('FORBIDDEN', 'Verify your e-mail first (verify-email with the 6-character code).');
      }
      const app = appOfOrg.get(row.organization_id)!;
      const now = ctx.now();
      const tokens = db.transaction(() => mintTokens(row.id, now)).immediate();
      return { ...tokens, organization: { uuid: app.organization_id, name: app.org_name }, application: appInfo(app) };
    },

    provision(input, opts = {}) {
      const body = validate(ProvisionInput, input, 'provision request');
      const address = body.email;
      const now = ctx.now();
      // Checked before the write transaction: scrypt is slow and must not hold the lock.
      const existing = accountByEmail.get(address);
      if (existing && !opts.localCli) {
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
      const newPasswordHash = !existing && body.password !== undefined ? hashPassword(validate(z.object({ password }), { password: body.password }, 'password').password) : null;
      return db
        .transaction((): ProvisionResult => {
          let row = accountByEmail.get(address);
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
            row = accountByEmail.get(address)!;
            created = true;
          }
          const app = row.verified_at && row.organization_id ? appOfOrg.get(row.organization_id)! : createOrgAndApp(row, now);
          // Keys are stored hashed, so an existing account gets a new key (old keys stay valid).
          const { key } = mintKey(app.id, now);
          return { api_key: key, application_id: app.id, organization_id: app.organization_id, email: address, created };
        })
        .immediate();
    },

    authenticate(apiKey) {
      const key = typeof apiKey === 'string' ? apiKey.trim() : '';
      if (!key) {
        throw new FacematchError('FORBIDDEN', 'Missing API key: send it in the x-api-key header (or, as a signed-in user, Authorization: Bearer <access_token>).');
      }
      const hash = sha256(key);
      const row = db
        .prepare<[Buffer], { id: string; application_id: string; organization_id: string; key_hash: Buffer; revoked_at: number | null }>(
          `SELECT k.id, k.application_id, a.organization_id, k.key_hash, k.revoked_at
             FROM api_keys k JOIN applications a ON a.id = k.application_id WHERE k.key_hash = ?`,
        )
        .get(hash);
      if (!row || !timingSafeEqual(row.key_hash, hash)) throw new FacematchError('UNAUTHORIZED', 'Invalid API key.');
      if (row.revoked_at !== null) throw new FacematchError('UNAUTHORIZED', 'This API key has been revoked.');
      return { applicationId: row.application_id, organizationId: row.organization_id, keyId: row.id };
    },

    authenticateBearer(token, scope) {
      const account = bearerAccount(token);
      const orgId = account.organization_id;
      if (!orgId) throw new FacematchError('FORBIDDEN', 'This account has no organization yet; verify its e-mail first.');
      if (scope.organizationId !== undefined && scope.organizationId !== orgId) {
        throw new FacematchError('FORBIDDEN', `You do not have permission to act in organization ${String(scope.organizationId).slice(0, 80)}.`);
      }
      const apps = db
        .prepare<[string], { id: string }>('SELECT id FROM applications WHERE organization_id = ? ORDER BY created_at, id')
        .all(orgId);
      let appId: string;
      if (scope.applicationId !== undefined) {
        if (!apps.some((a) => a.id === scope.applicationId)) {
          throw new FacematchError('FORBIDDEN', `You do not have permission to act in application ${String(scope.applicationId).slice(0, 80)}.`);
        }
        appId = scope.applicationId;
      } else if (apps.length === 1) {
        appId = apps[0]!.id;
      } else {
        throw new FacematchError(
          apps.length === 0 ? 'FORBIDDEN' : 'VALIDATION',
          apps.length === 0
            ? 'This organization has no application yet.'
            : `This organization has ${apps.length} applications: call the console route /v3/organization/${orgId}/application/{application_id}/... to say which.`,
        );
      }
      return { applicationId: appId, organizationId: orgId, keyId: null };
    },

    defaultApplication() {
      const row = db
        .prepare<[], { id: string; organization_id: string }>(
          'SELECT id, organization_id FROM applications ORDER BY provision_seq DESC, provisioned_at DESC LIMIT 1',
        )
        .get();
      if (!row) return null;
      const key = db
        .prepare<[string], { id: string }>(
          'SELECT id FROM api_keys WHERE application_id = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1',
        )
        .get(row.id);
      return { applicationId: row.id, organizationId: row.organization_id, keyId: key?.id ?? null };
    },

    revokeKey(apiKey, scope) {
      const key = typeof apiKey === 'string' ? apiKey.trim() : '';
      if (!key) throw new FacematchError('VALIDATION', 'Give the API key to revoke, in full.', { fields: { api_key: ['Give the API key to revoke.'] } });
      const hash = sha256(key);
      return db
        .transaction((): RevokedKey => {
          const row = db
            .prepare<[Buffer], { id: string; application_id: string; prefix: string; key_hash: Buffer; revoked_at: number | null }>(
              'SELECT id, application_id, prefix, key_hash, revoked_at FROM api_keys WHERE key_hash = ?',
            )
            .get(hash);
          if (!row || !timingSafeEqual(row.key_hash, hash) || (scope && scope.applicationId !== row.application_id)) {
            throw new FacematchError('NOT_FOUND', `No such API key in this ${scope ? 'application' : 'sandbox'} (check you copied all of it).`);
          }
          const now = ctx.now();
          if (row.revoked_at === null) db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(now, row.id);
          return { prefix: row.prefix, application_id: row.application_id, revoked_at: iso(row.revoked_at ?? now), newly_revoked: row.revoked_at === null };
        })
        .immediate();
    },

    revokeApiKey(app) {
      const now = ctx.now();
      // With no key in the context (e.g. the MCP default application) every key of the app is revoked.
      if (app.keyId) {
        db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND application_id = ? AND revoked_at IS NULL').run(
          now,
          app.keyId,
          app.applicationId,
        );
      } else {
        db.prepare('UPDATE api_keys SET revoked_at = ? WHERE application_id = ? AND revoked_at IS NULL').run(now, app.applicationId);
      }
    },
  };
}
