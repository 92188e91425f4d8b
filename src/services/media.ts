// Images kept in the store, served through URLs signed with HMAC-SHA256 over "id.expires"
// using a random per-sandbox secret (kept in the DB so every process signs alike).
import { createHmac, randomBytes } from 'node:crypto';
import { FacematchError } from '../errors.js';
import { newId, safeEqual, sniffImageType, type ServiceContext } from './context.js';

export const MEDIA_TTL_S = 60 * 60;
/** Tolerated difference between the clocks of two processes signing and checking links. */
const MEDIA_CLOCK_SLACK_S = 60;

export interface Media {
  signedUrl(mediaId: string): string;
  open(mediaId: string, query: { expires?: string; signature?: string }): { bytes: Buffer; contentType: string };
}

export interface MediaInternals {
  /** Stores an image inside the caller's transaction; returns its id. */
  put(applicationId: string, sessionId: string | null, role: string, bytes: Buffer): string;
}

export function createMedia(ctx: ServiceContext): Media & MediaInternals {
  const { db } = ctx;

  // Created once per database; INSERT OR IGNORE makes concurrent first opens agree.
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('media_secret', ?)").run(randomBytes(32).toString('base64url'));
  const secret = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'media_secret'").get()!.value;

  const sign = (id: string, expires: number): string => createHmac('sha256', secret).update(`${id}.${expires}`).digest('hex');

  return {
    put(applicationId, sessionId, role, bytes) {
      const id = newId();
      db.prepare('INSERT INTO media (id, application_id, session_id, role, content_type, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        id,
        applicationId,
        sessionId,
        role,
        sniffImageType(bytes) ?? 'application/octet-stream',
        bytes,
        ctx.now(),
      );
      return id;
    },

    signedUrl(mediaId) {
      const expires = Math.floor(ctx.now() / 1000) + MEDIA_TTL_S;
      return `${ctx.publicBaseUrl()}/media/${encodeURIComponent(mediaId)}?expires=${expires}&signature=${sign(mediaId, expires)}`;
    },

    open(mediaId, query) {
      const id = typeof mediaId === 'string' ? mediaId : '';
      const expiresText = typeof query?.expires === 'string' ? query.expires : '';
      const signature = typeof query?.signature === 'string' ? query.signature : '';
      if (!/^\d{1,12}$/.test(expiresText) || !/^[0-9a-f]{64}$/.test(signature)) {
        throw new FacematchError('FORBIDDEN', 'This media URL is not signed; fetch the session decision for a fresh link.');
      }
      const expires = Number(expiresText);
      // Signature first, so unknown ids cannot be probed and a tampered expiry is caught.
      if (!safeEqual(sign(id, expires), signature)) {
        throw new FacematchError('FORBIDDEN', 'Invalid media signature; fetch the session decision for a fresh link.');
      }
      // Why: whoever reads the signing secret could sign any expiry; a link that claims to
      // live longer than links are ever issued for is refused, so none lives for ever.
      if (expires * 1000 > ctx.now() + (MEDIA_TTL_S + MEDIA_CLOCK_SLACK_S) * 1000) {
        throw new FacematchError('FORBIDDEN', `This media link claims to stay valid longer than the ${MEDIA_TTL_S / 60}-minute maximum; fetch the session decision for a fresh link.`);
      }
      if (expires * 1000 <= ctx.now()) {
        throw new FacematchError('GONE', 'This media link has expired (links live 60 minutes); fetch the session decision for a fresh link.');
      }
      const row = db.prepare<[string], { bytes: Buffer; content_type: string }>('SELECT bytes, content_type FROM media WHERE id = ?').get(id);
      if (!row) throw new FacematchError('NOT_FOUND', 'Media not found.');
      return { bytes: row.bytes, contentType: row.content_type };
    },
  };
}
