// Zod pieces shared by several tools: SPEC-shaped outputs (loose, so fields the platform adds
// pass through), image arguments, pagination.
import { z } from 'zod';
import { IMAGE_ARG_HELP } from './images.js';
import { RETRYABLE_STATUSES } from '../services/session-decision.js';
import type { SessionStatus } from '../contract/index.js';

/** The schema says it briefly; the error (when it is missing) says it in full. */
const IMAGE_ARG_SHORT = 'path, URL or base64, <= 5 MB';

/** `maxSize` overrides the general 5 MB cap in the help text when the argument's own limit is lower. */
export const imageArg = (what: string, maxSize?: string) => {
  const help = maxSize ? IMAGE_ARG_HELP.replace('at most 5 MB', `at most ${maxSize}`) : IMAGE_ARG_HELP;
  const short = maxSize ? IMAGE_ARG_SHORT.replace('<= 5 MB', `<= ${maxSize}`) : IMAGE_ARG_SHORT;
  return z.string().min(1, { error: `pass ${what}: ${help}` }).describe(`${what} (${short}).`);
};

export const sessionId = z
  .string()
  .trim()
  .min(1, { error: 'session_id is required: use the session_id from create_session or list_sessions.' })
  .max(200);

export const limitArg = (dflt: number) =>
  z.number().int({ error: 'limit must be a whole number from 1 to 100.' }).min(1, { error: 'limit must be from 1 to 100.' }).max(100, { error: 'limit must be from 1 to 100.' }).default(dflt).describe('Page size, 1-100.');

export const offsetArg = z.number().int({ error: 'offset must be a whole number >= 0.' }).min(0, { error: 'offset must be >= 0.' }).default(0);

export const page = { count: z.number().int(), next_offset: z.number().int().nullable() };

const warning = z.looseObject({
  feature: z.string(),
  risk: z.string(),
  log_type: z.string(),
  short_description: z.string(),
  long_description: z.string(),
});

export const faceMatchItem = z.looseObject({
  node_id: z.string(),
  status: z.string(),
  score: z.number().nullable(),
  source_image: z.string().nullable(),
  target_image: z.string().nullable(),
  warnings: z.array(warning),
});

export const decisionSchema = z.looseObject({
  session_id: z.string(),
  session_number: z.number(),
  status: z.string(),
  workflow_id: z.string().nullable(),
  vendor_data: z.string().nullable(),
  face_matches: z.array(faceMatchItem).nullable(),
});

export const workflowSchema = z.looseObject({
  uuid: z.string(),
  workflow_id: z.string(),
  workflow_label: z.string(),
  features: z.array(z.string()),
  version: z.number(),
  status: z.string(),
});

export const sessionCreatedSchema = z.looseObject({
  session_id: z.string(),
  session_number: z.number(),
  session_token: z.string(),
  url: z.string(),
  status: z.string(),
  workflow_id: z.string(),
  workflow_version: z.number(),
  vendor_data: z.string().nullable(),
  callback: z.string().nullable(),
});

export const sessionSummarySchema = z.looseObject({
  session_id: z.string(),
  session_number: z.number(),
  status: z.string(),
  vendor_data: z.string().nullable(),
  workflow_id: z.string().nullable(),
  created_at: z.string(),
});

const entity = z.looseObject({ bbox: z.array(z.number()), confidence: z.number() });
const imageReport = z.looseObject({ entities: z.array(entity), best_angle: z.number() });

export const faceMatchBodySchema = z.looseObject({
  status: z.string(),
  score: z.number().nullable(),
  user_image: imageReport,
  ref_image: imageReport,
  warnings: z.array(warning),
});

/** Summarises a decision's face match items in one line. */
export function faceMatchLine(decision: { face_matches?: Array<{ status: string; score: number | null; warnings: Array<{ risk: string }> }> | null }): string {
  const items = decision.face_matches ?? [];
  if (!items.length) return 'no face match result yet';
  return items
    .map((m) => `face match ${m.status}${m.score === null ? ' (no score)' : ` (score ${m.score})`}${m.warnings.length ? ` [${m.warnings.map((w) => w.risk).join(', ')}]` : ''}`)
    .join('; ');
}

/** Whether a Declined face match is final: the sandbox's decision says how many attempts remain. */
export function attemptsLine(decision: { status: string; face_matches?: Array<{ status: string }> | null; face_match_attempts_remaining?: number; face_match_max_attempts?: number }): string {
  const left = decision.face_match_attempts_remaining;
  const declined = (decision.face_matches ?? []).some((m) => m.status === 'Declined');
  if (typeof left !== 'number' || !declined) return '';
  // An Approved, In Review or reviewer-set status takes no more captures, whatever is left.
  if (left > 0 && RETRYABLE_STATUSES.includes(decision.status as SessionStatus)) return ` Not final: ${left} of ${decision.face_match_max_attempts ?? '?'} attempts remain, so the session stays "${decision.status}" and the user may recapture (submit_session_images again); the app must not act on this decline yet.`;
  if (decision.status !== 'Declined') return '';
  return left === 0
    ? ' Final for this session: no attempts remain (a reviewer can still change it with review_session).'
    : ' Final for this session: Declined with attempts left, so not by running out of them (a reviewer can still change it with review_session).';
}

export const destinationId = z
  .string()
  .trim()
  .min(1, { error: 'uuid is required: use one from list_webhook_destinations.' })
  .max(200);

export const destinationSchema = z.looseObject({
  uuid: z.string(),
  label: z.string(),
  url: z.string(),
  subscribed_events: z.array(z.string()),
  enabled: z.boolean(),
});
