// Walks an agent through integrating Face Match 1:1 against this sandbox, then production,
// with the receiver advice for the user's stack and the running server's base URL.
import { z } from 'zod';
import { baseUrlSentence, type PromptDefinition } from './prompt.js';
import { SNIPPET_LANGUAGES } from '../src/webhooks/snippets/index.js';
import { adviceFor, KNOWN_STACKS, sdkAdvice, SERVER_SDK_OVERVIEW, snippetChoice } from './stacks.js';

export const integrateFaceMatch: PromptDefinition = {
  name: 'integrate_face_match',
  title: 'Integrate Face Match 1:1 into my app',
  description:
    'Step-by-step plan for adding face matching to the user\'s application: build and test it against this local sandbox (hosted-UI sessions or server-to-server calls), with a webhook receiver for the named stack, then switch to the hosted platform by changing the base URL and API key.',
  argsSchema: {
    my_stack: z.string().describe('The application\'s stack, e.g. "Next.js 15 + Postgres" or "Django 5, Celery".'),
  },
  render({ my_stack }, env) {
    const stack = my_stack?.trim() || 'the user\'s stack (ask if unclear)';
    const advice = adviceFor(stack);
    const { url, sentence } = baseUrlSentence(env);
    const sdk = advice ? sdkAdvice(advice) : null;
    const sdkClient = advice?.sdk?.tested
      ? ` With the ${advice.sdk.tested} snippet: client = didit_client(), client.sessions.create(vendor_data=..., workflow_id=..., callback=...), and session_decision(client, session_id) for the decision.`
      : '';
    const receiver = advice
      ? `   - Raw body in ${advice.name}: ${advice.rawBody}.
   - Dedupe: ${advice.dedupe}.
${sdk ? `   - ${sdk}.
` : ''}   - Verifier${sdk ? ` without dependencies (${advice.snippet ? 'tested ' : ''}fallback)` : ''}: ${advice.snippet ? `get it with the webhook_verifier_snippet tool (${snippetChoice(advice)}) or \`npx facematch-mcp webhook snippet --lang ${advice.snippet}\`, save it in the app and call it on the raw bytes` : `no ready-made snippet for ${advice.name}: port the Python one (webhook_verifier_snippet, language "python"): HMAC-SHA256 of the raw body with the secret, hex, constant-time compare, timestamp within 300 s`}.`
      : `   - Raw body: read the request body as bytes before any JSON parsing middleware (stacks with ready advice: ${KNOWN_STACKS.join(', ')}).
   - Dedupe: record each event_id and skip one already seen (deliveries are retried, so one event can arrive twice): a unique key in the app's database if it has one; with none, a Set of ids kept in a file (one id a line) is the smallest dependency-free form for one process.
   - Verifier: webhook_verifier_snippet (${SNIPPET_LANGUAGES.join(', ')}) gives code to save in the app; ${SERVER_SDK_OVERVIEW}.`;
    return `You are adding Face Match 1:1 (compare a live selfie with a reference photo such as an ID portrait) to an application built with: ${stack}.
Use the facematch MCP tools against the local sandbox first; the code you write must run unchanged against the hosted platform later, so it reads the base URL and keys from configuration and never writes a URL in code (read the facematch://spec resource for exact paths, fields, statuses and errors).
${sentence}

1. Set up the sandbox
   - Call provision_account (any email). Keep the returned api_key out of source control: put it in the app's environment as FACEMATCH_API_KEY, and FACEMATCH_API_BASE=${url}.
   - The app must not depend on facematch-mcp at run time (it is a dev tool with a 300 MB face engine): the app talks to FACEMATCH_API_BASE over HTTP or through the vendor's server SDK pointed at it, and verifies webhooks with that SDK or its own copy of the verifier snippet.
   - Call face_match with two photos of the user's choice for a quick feel of scores and statuses.

2. Pick the integration path (ask the user if the requirements do not say)
   A. Hosted UI (least code): the server creates a session, the browser goes to its url, the platform captures the photos, the result arrives by webhook and redirect.
      - create_workflow with features ["OCR", "FACE_MATCH"] (or ["FACE_MATCH"] when sessions carry portrait_image); each entry is a feature name, or an object {"feature": "FACE_MATCH", "config": {...}} when it needs settings.
      - Thresholds: each path has the platform's own defaults; keep them unless the user has data (see the choose_thresholds prompt). Sessions (path A): Declined at score <= 50, In Review at <= 70, Approved above. Standalone (path B): Declined at <= 30, Approved above, no review band. So one pair can be Approved on B and In Review or Declined on A; do not copy a number from one path to the other.
      - In ${stack}: a server route that POSTs \`{FACEMATCH_API_BASE}/v3/session/\` {workflow_id, vendor_data: <your user id>, callback: <your return URL>} with header x-api-key: FACEMATCH_API_KEY, stores session_id, and redirects the user to the returned url.${sdkClient}
      - A callback route that reads ?verificationSessionId=...&status=..., but treats it as a hint only: the truth is GET \`{FACEMATCH_API_BASE}/v3/session/{id}/decision/\` or the webhook.
      - Declined is not always final. After a low score the user may recapture (face_match_max_attempts, default 3): while attempts remain the session stays In Progress (no webhook: its status did not change) and the decision's face_match_attempts_remaining says how many are left; Declined sticks only when they are used up (warning FACE_MATCH_MAX_ATTEMPTS_EXCEEDED; 0 remaining in the webhook's decision). face_match_attempts_remaining is a sandbox extra: code for the hosted platform relies on the status alone. A reviewer can still move Declined or In Review to Approved or Resubmitted (the user redoes steps, then In Progress and a new decision follow). So store each status.updated as the latest state; do not lock the account or tell the user "rejected" on the first Declined, and let Approved after Resubmitted win.
   B. Server-to-server (you already hold both images): POST \`{FACEMATCH_API_BASE}/v3/face-match/\` as multipart with user_image (selfie) and ref_image (reference), optional face_match_score_decline_threshold (default 30). Approved when score > threshold; score is null with NO_FACE_IN_SELFIE (no face in the selfie) or FACE_MATCH_NOT_COMPUTED (none in the reference) when no face pair could be scored (still HTTP 200). Handle 400 {"detail": ...} for bad images (over 5 MB, not JPEG/PNG/WebP/TIFF), 401/403 for keys, 429 with Retry-After.
      - Multipart without new packages: Node 18+ has fetch, FormData and Blob built in; Python's standard library has no multipart encoder, so add httpx or requests (say so to the user) or build the body by hand with a random boundary.
      - Side effect: with save_api_request (default true) each call also creates a session (request_id is its session_id, its decision can be fetched) and sends a status.updated webhook to every subscribed destination. Pass save_api_request=false for a check that leaves nothing behind; otherwise the webhook receiver must expect these events.

3. The webhook receiver (both paths)
   - create_webhook_destination with the receiver's URL; keep secret_shared_key in the app's environment (e.g. FACEMATCH_WEBHOOK_SECRET).
${receiver}
   - Verify X-Signature (or X-Signature-V2) over the raw bytes, reject timestamps older than 5 minutes, answer 2xx quickly, then update the user's record from status and decision.face_matches. Never verify JSON.stringify(parsed) (see debug_webhook_signature).
   - Watch it live: \`npx facematch-mcp listen --forward-to <receiver URL>\` prints every event and delivery attempt and forwards them signed (use the secret it prints); \`npx facematch-mcp trigger approved|in-review|declined|no-reference-image|abandoned|expired\` produces each outcome with real webhooks. From MCP: create_session, submit_session_images (or open the url in a browser), simulate_session_outcome, get_session_decision, list_webhook_deliveries.

4. Make it robust
   - Idempotency: reuse vendor_data per user so retries return the same unfinished session.
   - Errors are JSON {"detail": "..."}; show a friendly message, log the detail.
   - Tests against the sandbox's HTTP twin in CI: happy path, decline, in review, bad image, bad signature, duplicate event_id.

5. Switch to production
   - Change only configuration: FACEMATCH_API_BASE to the hosted verification API base URL and FACEMATCH_API_KEY to the production key; register the production webhook URL and store its secret.
   - Re-check thresholds with real traffic in review before auto-declining.

Work in small steps, run the app's tests after each, and show the user the diff.`;
  },
};
