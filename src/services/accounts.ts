// Accounts, organizations, applications and API keys: the one service the HTTP routes, the
// MCP server and the CLI call, composed from the modules that each hold one part of it.
import type { ServiceContext } from './context.js';
import { createAccessTokens } from './access-tokens.js';
import { createAccountOrganizations } from './account-organizations.js';
import { createProvision, type ProvisionOptions } from './account-provision.js';
import { createAccountSignup } from './account-signup.js';
import { createAccountStore } from './account-store.js';
import { createApiKeys } from './api-keys.js';
import type { AppContext } from './types.js';
import type { ApplicationDetail, LoginResult, OrganizationInfo, ProvisionResult, RevokedKey, VerifyEmailResult } from '../contract/index.js';

export type { ProvisionOptions };

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

export function createAccounts(ctx: ServiceContext, keys: { sealKey: Buffer }): Accounts {
  const store = createAccountStore(ctx);
  const tokens = createAccessTokens(ctx);
  const apiKeys = createApiKeys(ctx, keys.sealKey);
  return {
    ...createAccountSignup(ctx, store, tokens, apiKeys),
    ...createAccountOrganizations(ctx, tokens, apiKeys),
    provision: createProvision(ctx, store, apiKeys),
    authenticate: apiKeys.authenticate,
    authenticateBearer: tokens.authenticateBearer,
    defaultApplication: apiKeys.defaultApplication,
    revokeApiKey: apiKeys.revokeApiKey,
    revokeKey: apiKeys.revokeKey,
  };
}
