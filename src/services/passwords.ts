// Account passwords: the rule a new one must meet, and scrypt hashes stored as
// `scrypt$N$r$p$salt$key`, checked in constant time.
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

/** What a new password must be. */
export const newPassword = z
  .string({ error: 'Enter a password as a string.' })
  .min(8, { error: 'Password must be at least 8 characters.' })
  .max(256, { error: 'Password must be at most 256 characters.' })
  .refine((p) => /[a-z]/.test(p) && /[A-Z]/.test(p) && /[0-9]/.test(p) && /[^A-Za-z0-9]/.test(p), {
    error: 'Password must contain an upper-case letter, a lower-case letter, a digit and a special character.',
  });

// The HTTP routes use the asynchronous forms: scrypt then runs on libuv's thread pool and the
// event loop keeps answering other requests. The sync forms serve the synchronous provision path.
const scryptAsync = (pw: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(pw, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

const formatHash = (salt: Buffer, key: Buffer): string =>
  `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;

export function hashPassword(pw: string): string {
  const salt = randomBytes(16);
  return formatHash(salt, scryptSync(pw, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }));
}

export async function hashPasswordAsync(pw: string): Promise<string> {
  const salt = randomBytes(16);
  return formatHash(salt, await scryptAsync(pw, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }));
}

function parseHash(stored: string): { salt: Buffer; key: Buffer; opts: ScryptOptions } | null {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return null;
  return { salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url'), opts: { N: Number(n), r: Number(r), p: Number(p) } };
}

export function checkPassword(pw: string, stored: string): boolean {
  const h = parseHash(stored);
  return h !== null && timingSafeEqual(scryptSync(pw, h.salt, h.key.length, h.opts), h.key);
}

/** An unknown e-mail is checked against this, so it costs the same scrypt as a known one. */
export const DUMMY_HASH = formatHash(randomBytes(16), randomBytes(SCRYPT.keylen));

export async function checkPasswordAsync(pw: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  return h !== null && timingSafeEqual(await scryptAsync(pw, h.salt, h.key.length, h.opts), h.key);
}
