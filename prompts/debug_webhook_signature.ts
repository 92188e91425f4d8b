// Guides an agent through finding why a webhook receiver rejects (or wrongly accepts) signatures.
import { z } from 'zod';
import { SNIPPET_LANGUAGES } from '../src/webhooks/snippets/index.js';
import type { PromptDefinition } from './prompt.js';
import { adviceFor, snippetChoice } from './stacks.js';

export const debugWebhookSignature: PromptDefinition = {
  name: 'debug_webhook_signature',
  title: 'Debug a failing webhook signature check',
  description:
    'Diagnose why the user\'s webhook handler rejects Face Match webhooks (or accepts forged ones): capture the raw body and headers, run verify_webhook_signature, and fix the handler\'s canonicalisation, secret or clock handling.',
  argsSchema: {
    framework: z.string().optional().describe('The web framework of the receiver, e.g. "Express", "FastAPI", "Next.js route handler".'),
    symptom: z.string().optional().describe('What goes wrong, e.g. "401 on every webhook" or "fails only for names with accents".'),
    delivery_id: z.string().optional().describe('A failing delivery attempt, the uuid listen prints after "delivery" or list_webhook_deliveries shows; completes with recent ones.'),
  },
  render({ framework, symptom, delivery_id }) {
    const fw = framework?.trim() || 'the receiver\'s framework';
    // Advice for the framework asked about only; an unknown one gets the rule, not another's API.
    const advice = framework?.trim() ? adviceFor(framework) : null;
    const rawBody = advice
      ? `In ${advice.name}: ${advice.rawBody}; HMAC those bytes.`
      : 'Read the raw request body bytes before any JSON parser runs on the webhook route, and HMAC those bytes.';
    const snippet = advice?.snippet
      ? `webhook_verifier_snippet (${snippetChoice(advice)})${advice.sdk?.tested ? ` or, through the vendor's SDK package, language "${advice.sdk.tested}"` : ''}`
      : advice
        ? `webhook_verifier_snippet, language "python", ported to ${advice.name} (no ready-made one for it)`
        : `webhook_verifier_snippet (${SNIPPET_LANGUAGES.join(', ')})`;
    const start = delivery_id?.trim() ? `\nStart with delivery ${delivery_id.trim()}: call verify_webhook_signature with delivery_id ${delivery_id.trim()}.\n` : '';
    return `A webhook receiver written with ${fw} has a signature problem${symptom?.trim() ? `: ${symptom.trim()}` : ''}.${start}

How the platform signs (see facematch://spec, section Webhooks):
- Body sent = Python json.dumps(payload, sort_keys=True, separators=(",", ":")) with ensure_ascii on, whole-valued floats turned into ints.
- X-Signature = hex HMAC-SHA256(secret_shared_key, the raw body bytes). X-Signature-V2 = the same over the ensure_ascii=False dump. X-Signature-Simple = HMAC over "{timestamp}:{session_id}:{status}:{webhook_type}" (does not cover metadata or vendor_data).
- Reject when the signed timestamp is more than 5 minutes old; compare in constant time.

Steps:
1. Find the failing delivery: list_webhook_deliveries shows each attempt and the receiver's answer, and with include_bodies: true the exact body and headers sent (or run \`npx facematch-mcp listen\`, which prints a line per attempt with its delivery id); resend_webhook sends it again.
2. Call verify_webhook_signature with that delivery_id (the sandbox replays the recorded bytes and headers with the destination's secret), or with raw_body, headers and secret captured in the app. Pass receiver_computed with the hex digest the handler computed: the tool then names the handler's mistake (timestamp-prefixed V2, ASCII text for V2, re-serialised JSON, secret whitespace).
3. Fix the handler according to the verdict:
   - "body re-serialised": the handler verifies JSON.stringify(parsed) or a re-sorted object. ${rawBody} JavaScript key order, number printing and non-ASCII escaping differ from Python's, so re-serialising can never match reliably.
   - "wrong secret": use the secret_shared_key returned when the destination was created (a 43-character URL-safe string), not the API key; each destination has its own.
   - "stale timestamp": check the server clock, and do not queue webhooks for minutes before verifying.
   - "{timestamp}:{canonical}": X-Signature-V2 covers the canonical text alone; some third-party descriptions add a timestamp prefix that the platform's signatures do not use: drop it.
   - Only X-Signature-Simple passes: acceptable only if the handler never trusts metadata or vendor_data from the body.
   - Simplest fix of all: replace the handler's check with the self-contained verifier from ${snippet}.
4. Prove the fix: sign_webhook_payload produces a body and headers for any payload (try one with non-ASCII text like "Zoë" and an emoji, and large integers); post them to the handler's test and assert acceptance, then flip one byte and assert rejection.
5. Add those two cases as automated tests in the project.`;
  },
};
