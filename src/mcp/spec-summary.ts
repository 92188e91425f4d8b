// The wire contract as agents read it (the facematch://spec resource): what the twin and the
// hosted API answer, nothing about how the team works. Its lists of names (statuses, events) come
// from the contract module, so the summary cannot drift from what the twin accepts.
import { DECISION_STATUSES, FACE_MATCH_ITEM_STATUSES, SESSION_STATUSES, WEBHOOK_EVENTS } from '../contract/index.js';

export const SPEC_SUMMARY = `# Face Match 1:1 wire contract (summary shipped with facematch-mcp)

Code written against the local twin must run unchanged against the hosted platform:
verification API under /v3, account API under /auth/v2. Only the base URL and key change.

## Auth and errors
- Every /v3 call sends header \`x-api-key: <key>\`. Missing key: 403. Wrong/revoked key: 401.
  A session of another application: 404.
- Errors are JSON \`{"detail": "<sentence>"}\`, field errors may add \`{"field": ["message"]}\`.
- Rate limits per key, 60 s sliding window: GET 600/min, POST/PATCH/DELETE 300/min; 429 carries
  X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After.

## Workflows: POST/GET /v3/workflows/, PATCH /v3/workflows/{id}/ (bumps version)
- Body: {workflow_label, features: [{feature, config?}]}. Features (UPPERCASE): OCR (listed as
  ID_VERIFICATION in decisions), LIVENESS, FACE_MATCH, AML, IP_ANALYSIS, NFC, PHONE, EMAIL, POA,
  AGE_ESTIMATION.
- FACE_MATCH config: face_match_score_decline_threshold (default 50), face_match_score_review_threshold
  (default 70), both 0..100, decline <= review; face_match_not_computed_action REVIEW|DECLINE.
  FACE_MATCH needs a reference: after OCR/ID_VERIFICATION, unless sessions carry portrait_image.
- Response: {uuid, workflow_id, workflow_label, workflow_type, is_default, features, total_price,
  workflow_url, max_retry_attempts: 3, retry_window_days: 7, session_expiration_time: 1440, version, status}.

## Sessions: POST /v3/session/
- Body: {workflow_id, vendor_data?, callback?, callback_method?, metadata?, language?,
  contact_details?, expected_details?, portrait_image? (base64, <= 1 MB)} -> 201 {session_id,
  session_number, session_token, url, vendor_data, metadata, status: "Not Started", workflow_id,
  workflow_version, callback}. Idempotent on vendor_data for an unfinished session.
- \`url\` is the hosted capture page; afterwards the browser goes to callback with
  ?verificationSessionId=...&status=...
- GET /v3/session/{id}/decision/ -> {session_id, session_number, session_url, status, environment,
  workflow_id, features, vendor_data, metadata, expected_details, contact_details, callback,
  id_verifications, liveness_checks, face_matches, ...}; face_matches items:
  {node_id, status, score, source_image, target_image, source_image_session_id, warnings}.
- Session statuses: ${SESSION_STATUSES.join(', ')}.
  Face match item statuses: ${FACE_MATCH_ITEM_STATUSES.join(', ')}.
- Rule: score <= decline -> Declined; score <= review -> In Review; else Approved. Not Approved
  carries LOW_FACE_MATCH_SIMILARITY; no reference image -> Declined with NO_REFERENCE_IMAGE; no face in
  the selfie -> NO_FACE_IN_SELFIE, none in the reference -> FACE_MATCH_NOT_COMPUTED (score null, status
  from face_match_not_computed_action).
- Declined is not final while attempts remain: the user gets face_match_max_attempts (default 3)
  captures; a declined one leaves the session In Progress (no status.updated) and the decision's
  face_match_attempts_remaining says how many are left (max minus used, on any status; only an
  In Progress session takes them). The status sticks only when they are used up
  (FACE_MATCH_MAX_ATTEMPTS_EXCEEDED; 0 remaining). A reviewer can move Declined/In Review to Approved or
  Resubmitted (the user redoes steps). Treat each status.updated as the latest state.
- Media URLs are signed, expire after 60 minutes.
- Default thresholds differ by path, on purpose: workflow sessions decline at <= 50 and review at
  <= 70; the standalone POST /v3/face-match/ declines at <= 30 and has no review band. The same
  pair can be Approved standalone and In Review or Declined in a session.

## Standalone: POST /v3/face-match/ (multipart)
- user_image (selfie), ref_image (reference); aliases source_image/target_image. Optional
  face_match_score_decline_threshold (default 30, 0..100), rotate_image, save_api_request (default true),
  vendor_data, metadata (JSON string). JPEG/PNG/WebP/TIFF by content, <= 5 MB each.
- 200: {request_id, face_match: {status, score, user_image: {entities: [{bbox, confidence}], best_angle},
  ref_image, warnings}, created_at}. Approved only when score > threshold, else Declined with
  LOW_FACE_MATCH_SIMILARITY; no face in user_image -> Declined, NO_FACE_IN_SELFIE, score null (still 200);
  no face in ref_image -> Declined, FACE_MATCH_NOT_COMPUTED, score null.

## Webhooks: POST /v3/webhook/destinations/
- Body {label, url, subscribed_events: [${WEBHOOK_EVENTS.map((e) => `"${e}"`).join(', ')}], enabled, webhook_version}
  -> 201 with uuid and secret_shared_key (43-char URL-safe); GET (list or one destination) returns
  it in full too. Keep it in the app's environment, never in source control.
- Delivery: POST JSON, User-Agent DiditWebhook/2.0, headers X-Signature, X-Signature-V2,
  X-Signature-Simple, X-Timestamp. Envelope: event_id, webhook_type, timestamp, created_at,
  application_id, environment, session_id, status, workflow_id, workflow_version, vendor_data, metadata,
  and decision for ${DECISION_STATUSES.join('/')}. Retried on 5xx and 404.
  GET /v3/session/{id}/webhooks/ lists deliveries.
- Signing (Python semantics): body = json.dumps(payload, sort_keys=True, separators=(",", ":")),
  ensure_ascii on, whole floats as ints. X-Signature = hex HMAC-SHA256(secret, body);
  X-Signature-V2 = same over the ensure_ascii=False dump; X-Signature-Simple = HMAC over
  "{timestamp}:{session_id}:{status}:{webhook_type}". Reject timestamps older than 5 minutes;
  compare in constant time. Verify the RAW body: re-serialising parsed JSON in JavaScript does not
  reproduce Python's key order, number text or escaping.
`;
