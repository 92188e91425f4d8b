// Guides an agent through finding why a webhook receiver rejects (or wrongly accepts) signatures.
import { z } from 'zod';
import type { PromptDefinition } from './prompt.js';

export const debugWebhookSignature: PromptDefinition = {
  name: 'debug_webhook_signature',
  title: 'Debug a failing webhook signature check',
  description:
    'Diagnose why the user\'s webhook handler rejects Face Match webhooks (or accepts forged ones): capture the raw body and headers, run verify_webhook_signature, and fix the handler\'s canonicalisation, secret or clock handling.',
  argsSchema: {
    framework: z.string().optional().describe('The web framework of the receiver, e.g. "Express", "FastAPI", "Next.js route handler".'),
    symptom: z.string().optional().describe('What goes wrong, e.g. "401 on every webhook" or "fails only for names with accents".'),
  },
  render({ framework, symptom }) {
    const fw = framework?.trim() || 'the receiver\'s framework';
    return `A webhook receiver written with ${fw} has a signature problem${symptom?.trim() ? `: ${symptom.trim()}` : ''}.

How the platform signs (see facematch://spec, section Webhooks):
- Body sent = Python json.dumps(payload, sort_keys=True, separators=(",", ":")) with ensure_ascii on, whole-valued floats turned into ints.
- X-Signature = hex HMAC-SHA256(secret_shared_key, the raw body bytes). X-Signature-V2 = the same over the ensure_ascii=False dump. X-Signature-Simple = HMAC over "{timestamp}:{session_id}:{status}:{webhook_type}" (does not cover metadata or vendor_data).
- Reject when the signed timestamp is more than 5 minutes old; compare in constant time.

Steps:
1. Capture one failing delivery exactly: the raw request body as bytes (before any JSON parsing middleware) and all X-Signature*, X-Timestamp headers. list_webhook_deliveries shows what was sent and the receiver's status codes; resend_webhook sends it again.
2. Call verify_webhook_signature with raw_body, headers and the destination's secret. It says which signatures pass and, for each failing one, why (wrong secret, body altered or re-serialised, stale timestamp, missing header).
3. Fix the handler according to the verdict:
   - "body re-serialised": the handler verifies JSON.stringify(parsed) or a re-sorted object. In ${fw}, read the raw body (e.g. express.raw({type: "application/json"}), request.body() bytes in FastAPI/Starlette, await req.text() in a Next.js route) and HMAC those bytes. JavaScript key order, number printing and non-ASCII escaping differ from Python's, so re-serialising can never match reliably.
   - "wrong secret": use the secret_shared_key returned when the destination was created (a 43-character URL-safe string), not the API key; each destination has its own.
   - "stale timestamp": check the server clock, and do not queue webhooks for minutes before verifying.
   - Only X-Signature-Simple passes: acceptable only if the handler never trusts metadata or vendor_data from the body.
4. Prove the fix: sign_webhook_payload produces a body and headers for any payload (try one with non-ASCII text like "Zoë" and an emoji, and large integers); post them to the handler's test and assert acceptance, then flip one byte and assert rejection.
5. Add those two cases as automated tests in the project.`;
  },
};
