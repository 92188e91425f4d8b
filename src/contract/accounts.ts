// Accounts (/auth/v2/): registration, login and the organization and application look-ups; and
// the two sandbox-only answers about keys (provision, revoke).

export type Organization = {
  uuid: string;
  name: string;
};

export type ApplicationInfo = {
  uuid: string;
  name: string;
  client_id: string;
};

export type OrganizationInfo = { uuid: string; name: string; contact_email: string };
export type ApplicationDetail = { uuid: string; name: string; client_id: string; api_key: string | null; organization: string; created_at: string };

export type VerifyEmailResult = {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  organization: Organization;
  application: ApplicationInfo & { api_key: string };
};

/** Login returns tokens; the API key is stored hashed, so it is not returned again. */
export type LoginResult = {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  organization: Organization;
  application: ApplicationInfo;
};

/** Sandbox only: `provision` (CLI and MCP tool) answers with a ready key. */
export type ProvisionResult = {
  api_key: string;
  application_id: string;
  organization_id: string;
  email: string;
  created: boolean;
};

/** Sandbox only: POST /sandbox/api-keys/revoke/. */
export type RevokedKey = {
  /** The key's first characters, to tell which one it was. */
  prefix: string;
  application_id: string;
  revoked_at: string;
  /** False when it had been revoked before (nothing changed). */
  newly_revoked: boolean;
};
