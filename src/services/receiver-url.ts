// The one rule for a webhook receiver's URL, for destinations and the application-level config.
import { z } from 'zod';
import { urlPolicyProblem } from '../net-policy.js';

/** A receiver URL as the platform takes it: absolute http(s), no credentials, and no link-local
 *  or cloud-metadata host (see docs/security.md; the delivery worker also refuses names that
 *  resolve there). `field` names it in the errors. */
export function receiverUrl(field: string) {
  return z
    .string({ error: `${field} must be a string.` })
    .trim()
    .max(2048, { error: `${field} must be at most 2048 characters.` })
    .refine(
      (u) => {
        try {
          const p = new URL(u);
          return (p.protocol === 'http:' || p.protocol === 'https:') && !p.username && !p.password;
        } catch {
          return false;
        }
      },
      { error: `${field} must be an absolute http:// or https:// URL without credentials.` },
    )
    .refine((u) => urlPolicyProblem(u) === null, { error: (issue) => `${field}: ${urlPolicyProblem(String(issue.input)) ?? 'not allowed.'}` });
}
