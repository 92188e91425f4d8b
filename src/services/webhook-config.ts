// The application-level webhook configuration (GET/PATCH /v3/webhook/): the legacy single URL,
// its version and the application secret, plus the retention and consent settings the platform
// keeps beside them. Kept as one JSON value per application in `meta`, so no schema change.
// The rule from the platform: every destination create, update or delete resets webhook_url to
// the oldest enabled destination's URL (null when none is enabled).
import { z } from 'zod';
import { randomToken, validate, type ServiceContext } from './context.js';
import { receiverUrl } from './receiver-url.js';
import type { AppContext } from './types.js';

export interface WebhookConfigStored {
  webhook_url: string | null;
  webhook_version: 'v1' | 'v2' | 'v3';
  secret_shared_key: string;
  face_retention_policy: string | null;
  face_retention_days: number | null;
  biometric_consent_mode: 'auto' | 'always' | 'never' | null;
  allowed_return_hosts: string[];
}

const ConfigUpdate = z.strictObject(
  {
    webhook_url: receiverUrl('webhook_url').nullable().optional(),
    webhook_version: z.enum(['v1', 'v2', 'v3'], { error: 'webhook_version must be v1, v2 or v3.' }).optional(),
    rotate_secret_key: z.boolean({ error: 'rotate_secret_key must be true or false.' }).optional(),
    face_retention_policy: z.string({ error: 'face_retention_policy must be a string.' }).max(100).nullable().optional(),
    face_retention_days: z.number({ error: 'face_retention_days must be a number of days.' }).int().min(0).max(36500).nullable().optional(),
    biometric_consent_mode: z.enum(['auto', 'always', 'never'], { error: 'biometric_consent_mode must be auto, always or never.' }).nullable().optional(),
    allowed_return_hosts: z.array(z.string().trim().min(1).max(253), { error: 'allowed_return_hosts must be a list of host names.' }).max(100).optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field(s): ${issue.keys.join(', ')}.` : undefined) },
);

export interface WebhookConfigStore {
  read(app: AppContext): WebhookConfigStored;
  update(app: AppContext, input: unknown): WebhookConfigStored;
  /** After a destination write: webhook_url follows the oldest enabled destination. */
  followDestinations(app: AppContext): void;
}

export function createWebhookConfigStore(ctx: ServiceContext): WebhookConfigStore {
  const { db } = ctx;
  const keyOf = (app: AppContext) => `webhook_config:${app.applicationId}`;
  const oldestEnabled = db.prepare<[string], { url: string; webhook_version: string }>(
    'SELECT url, webhook_version FROM webhook_destinations WHERE application_id = ? AND enabled = 1 ORDER BY created_at, id LIMIT 1',
  );

  function write(app: AppContext, value: WebhookConfigStored): void {
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(keyOf(app), JSON.stringify(value));
  }

  function read(app: AppContext): WebhookConfigStored {
    const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(keyOf(app));
    if (row) return JSON.parse(row.value) as WebhookConfigStored;
    const first = oldestEnabled.get(app.applicationId);
    const fresh: WebhookConfigStored = {
      webhook_url: first?.url ?? null,
      webhook_version: (first?.webhook_version as WebhookConfigStored['webhook_version'] | undefined) ?? 'v3',
      secret_shared_key: randomToken(32),
      face_retention_policy: null,
      face_retention_days: null,
      biometric_consent_mode: null,
      allowed_return_hosts: [],
    };
    write(app, fresh);
    return fresh;
  }

  return {
    read,
    update(app, input) {
      const body = validate(ConfigUpdate, input, 'webhook configuration');
      return db
        .transaction(() => {
          const cur = read(app);
          const next: WebhookConfigStored = {
            ...cur,
            ...(body.webhook_url !== undefined ? { webhook_url: body.webhook_url } : {}),
            ...(body.webhook_version !== undefined ? { webhook_version: body.webhook_version } : {}),
            ...(body.rotate_secret_key ? { secret_shared_key: randomToken(32) } : {}),
            ...(body.face_retention_policy !== undefined ? { face_retention_policy: body.face_retention_policy } : {}),
            ...(body.face_retention_days !== undefined ? { face_retention_days: body.face_retention_days } : {}),
            ...(body.biometric_consent_mode !== undefined ? { biometric_consent_mode: body.biometric_consent_mode } : {}),
            ...(body.allowed_return_hosts !== undefined ? { allowed_return_hosts: [...new Set(body.allowed_return_hosts)] } : {}),
          };
          write(app, next);
          return next;
        })
        .immediate();
    },
    followDestinations(app) {
      const cur = read(app);
      write(app, { ...cur, webhook_url: oldestEnabled.get(app.applicationId)?.url ?? null });
    },
  };
}
