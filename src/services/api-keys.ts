// API keys: random, checked only by their SHA-256 hash in constant time, and also kept sealed
// (AES-256-GCM) so the credential look-up can hand the owner the live key, as the platform does.
// The sealing key is outside the database (key-seal.ts).
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { FacematchError } from '../errors.js';
import { iso, newId, randomToken, sha256, type ServiceContext } from './context.js';
import type { Accounts } from './accounts.js';
import type { RevokedKey } from '../contract/index.js';

const KEY_PREFIX = 'fm_test_';

export interface ApiKeys extends Pick<Accounts, 'authenticate' | 'defaultApplication' | 'revokeApiKey' | 'revokeKey'> {
  /** A new key for the application, which becomes the most recently provisioned one. */
  mint(appId: string, now: number): { key: string; keyId: string };
  /** The application's newest unrevoked key in full, or null. */
  liveKey(appId: string): string | null;
}

function seal(sealKey: Buffer, text: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey, iv);
  const enc = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return `${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${enc.toString('base64url')}`;
}

/** The sealed text, or null when it does not open with this key. */
function unseal(sealKey: Buffer, sealed: string): string | null {
  try {
    const [iv, tag, enc] = sealed.split('.');
    const d = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv!, 'base64url'));
    d.setAuthTag(Buffer.from(tag!, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(enc!, 'base64url')), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

export function createApiKeys(ctx: ServiceContext, sealKey: Buffer): ApiKeys {
  const { db } = ctx;

  return {
    mint(appId, now) {
      const key = `${KEY_PREFIX}${randomToken(32)}`;
      const keyId = newId();
      db.prepare('INSERT INTO api_keys (id, application_id, key_hash, prefix, created_at, key_sealed) VALUES (?, ?, ?, ?, ?, ?)').run(
        keyId,
        appId,
        sha256(key),
        key.slice(0, KEY_PREFIX.length + 4),
        now,
        seal(sealKey, key),
      );
      db.prepare('UPDATE applications SET provisioned_at = ?, provision_seq = (SELECT COALESCE(MAX(provision_seq), 0) + 1 FROM applications) WHERE id = ?').run(now, appId);
      return { key, keyId };
    },

    liveKey(appId) {
      const key = db
        .prepare<[string], { key_sealed: string | null }>('SELECT key_sealed FROM api_keys WHERE application_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1')
        .get(appId);
      return key?.key_sealed ? unseal(sealKey, key.key_sealed) : null;
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
