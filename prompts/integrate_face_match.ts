// Walks an agent through integrating Face Match 1:1 against this sandbox, then production.
import { z } from 'zod';
import type { PromptDefinition } from './prompt.js';

export const integrateFaceMatch: PromptDefinition = {
  name: 'integrate_face_match',
  title: 'Integrate Face Match 1:1 into my app',
  description:
    'Step-by-step plan for adding face matching to the user\'s application: build and test it against this local sandbox (hosted-UI sessions or server-to-server calls), then switch to the hosted platform by changing the base URL and API key.',
  argsSchema: {
    my_stack: z.string().describe('The application\'s stack, e.g. "Next.js 15 + Postgres" or "Django 5, Celery".'),
  },
  render({ my_stack }) {
    const stack = my_stack?.trim() || 'the user\'s stack (ask if unclear)';
    return `You are adding Face Match 1:1 (compare a live selfie with a reference photo such as an ID portrait) to an application built with: ${stack}.
Use the facematch MCP tools against the local sandbox first; the code you write must run unchanged against the hosted platform later (read the facematch://spec resource for exact paths, fields, statuses and errors).

1. Set up the sandbox
   - Call provision_account (any email). Keep the returned api_key out of source control: put it in the app's environment as FACEMATCH_API_KEY, and FACEMATCH_API_BASE=<the sandbox base URL from sandbox_status, e.g. http://127.0.0.1:8787> (run \`npx facematch-mcp serve\` so the HTTP twin is reachable).
   - Call face_match with two photos of the user's choice for a quick feel of scores and statuses.

2. Pick the integration path (ask the user if the requirements do not say)
   A. Hosted UI (least code): server creates a session, the browser goes to its url, the platform captures the photos, the result arrives by webhook and redirect.
      - create_workflow with features ["OCR", "FACE_MATCH"] (or just ["FACE_MATCH"] when sessions carry portrait_image); keep the default thresholds unless the user has data (see the choose_thresholds prompt).
      - In ${stack}: a server route that POSTs /v3/session/ {workflow_id, vendor_data: <your user id>, callback: <your return URL>} with header x-api-key, stores session_id, and redirects the user to the returned url.
      - A callback route that reads ?verificationSessionId=...&status=..., but treats it as a hint only: the truth is GET /v3/session/{id}/decision/ or the webhook.
      - A webhook route (create_webhook_destination with its URL): verify X-Signature against the RAW request body bytes before parsing JSON (HMAC-SHA256 with secret_shared_key, constant-time compare, reject timestamps older than 5 minutes), then update the user's record from status and decision.face_matches. Do not re-serialise the parsed JSON to verify it (see debug_webhook_signature).
      - Test it: create_session, submit_session_images with a selfie + reference (or open the url in a browser), get_session_decision, list_webhook_deliveries; simulate_session_outcome to exercise Declined / In Review / Abandoned / Expired branches.
   B. Server-to-server (you already hold both images): POST /v3/face-match/ as multipart with user_image (selfie) and ref_image (reference), optional face_match_score_decline_threshold (default 30). Approved when score > threshold; score is null with NO_REFERENCE_IMAGE when no face pair could be scored (still HTTP 200). Handle 400 {"detail": ...} for bad images (over 5 MB, not JPEG/PNG/WebP/TIFF) and 401/403 for keys, 429 with Retry-After.

3. Make it robust
   - Idempotency: reuse vendor_data per user so retries return the same unfinished session.
   - Errors are JSON {"detail": "..."}; show a friendly message, log the detail.
   - Write tests that run against the sandbox (the HTTP twin) in CI: happy path, decline, in review, bad image, bad signature.

4. Switch to production
   - Change only configuration: FACEMATCH_API_BASE to the hosted verification API base URL and FACEMATCH_API_KEY to the production key; register the production webhook URL and store its secret.
   - Re-check thresholds with real traffic in review before auto-declining.

Work in small steps, run the app's tests after each, and show the user the diff.`;
  },
};
