// The decision view of a session: the stored row, read back as the hosted API's decision
// object (media URLs signed at read time), plus the small lookups every session module shares.
import type { FaceMatchWarning } from '../engine/types.js';
import { iso, parseJsonColumn, type ServiceContext } from './context.js';
import type { Media, MediaInternals } from './media.js';
import type { FaceMatchItem, FaceMatchItemStatus, LivenessCheck, SessionDecision, SessionReview, SessionStatus, SessionSummary } from '../contract/index.js';
import { FACE_MATCH_DEFAULTS, faceMatchConfig, type WorkflowDefinition, type WorkflowInternals, type Workflows } from './workflows.js';

export const NODE_ID = 'face_match_1';
/** Statuses in which a session takes (more) images from the user. */
export const RETRYABLE_STATUSES: readonly SessionStatus[] = ['Not Started', 'In Progress', 'Awaiting User', 'Resubmitted'];
export const LIVENESS_NODE_ID = 'liveness_1';

export interface SessionRow {
  id: string;
  application_id: string;
  kind: 'session' | 'face_match';
  session_number: number;
  session_token: string | null;
  workflow_id: string | null;
  workflow_version: number | null;
  status: SessionStatus;
  vendor_data: string | null;
  metadata: string | null;
  callback: string | null;
  callback_method: string | null;
  language: string | null;
  contact_details: string | null;
  expected_details: string | null;
  portrait_media_id: string | null;
  face_matches: string | null;
  liveness_checks: string | null;
  attempts: number;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A face match item as stored: media by id, signed into URLs when read. */
export interface StoredFaceMatch {
  node_id: string;
  status: FaceMatchItemStatus;
  score: number | null;
  source_media_id: string | null;
  target_media_id: string | null;
  source_image_session_id: string | null;
  warnings: FaceMatchWarning[];
}

/** A liveness item as stored: the selfie by media id. */
export interface StoredLiveness extends Omit<LivenessCheck, 'reference_image'> {
  reference_media_id: string | null;
}

export interface DecisionView {
  rowById(id: string): SessionRow | undefined;
  sessionUrl(row: SessionRow): string | null;
  definitionOf(row: SessionRow): WorkflowDefinition | null;
  maxAttemptsOf(row: SessionRow): number;
  toDecision(row: SessionRow): SessionDecision;
  toSummary(row: SessionRow): SessionSummary;
  reviewsOf(sessionId: string): SessionReview[];
}

export function createDecisionView(ctx: ServiceContext, deps: { workflows: Workflows & WorkflowInternals; media: Media & MediaInternals }): DecisionView {
  const { db } = ctx;
  const { workflows, media } = deps;
  const rowStmt = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?');
  const reviewStmt = db.prepare<[string], { id: number; action: string; old_status: string | null; new_status: string | null; note: string | null; created_at: number }>(
    'SELECT id, action, old_status, new_status, note, created_at FROM session_reviews WHERE session_id = ? ORDER BY id',
  );

  const rowById = (id: string) => rowStmt.get(id);
  const sessionUrl = (row: SessionRow) => (row.session_token ? `${ctx.publicBaseUrl()}/session/${row.session_token}` : null);
  const definitionOf = (row: SessionRow) =>
    row.workflow_id && row.workflow_version ? workflows.definition(row.workflow_id, row.workflow_version) : null;
  const maxAttemptsOf = (row: SessionRow) => {
    const def = definitionOf(row);
    return (def && faceMatchConfig(def)?.face_match_max_attempts) || FACE_MATCH_DEFAULTS.face_match_max_attempts;
  };
  const signed = (id: string | null) => (id ? media.signedUrl(id) : null);

  const toItem = (s: StoredFaceMatch): FaceMatchItem => ({
    node_id: s.node_id,
    status: s.status,
    score: s.score,
    source_image: signed(s.source_media_id),
    target_image: signed(s.target_media_id),
    source_image_session_id: s.source_image_session_id,
    warnings: s.warnings,
  });

  const toLiveness = ({ reference_media_id, ...rest }: StoredLiveness): LivenessCheck => ({ ...rest, reference_image: signed(reference_media_id) });

  function reviewsOf(sessionId: string): SessionReview[] {
    return reviewStmt.all(sessionId).map((r) => ({ ...r, action: r.action as SessionReview['action'], created_at: iso(r.created_at) }));
  }

  return {
    rowById,
    sessionUrl,
    definitionOf,
    maxAttemptsOf,
    reviewsOf,

    toDecision(row) {
      const def = definitionOf(row);
      // Decisions list the document step under its result name.
      const features = def ? def.features.map((f) => (f.feature === 'OCR' ? 'ID_VERIFICATION' : f.feature)) : ['FACE_MATCH'];
      const stored = parseJsonColumn<StoredFaceMatch[]>(row.face_matches);
      const liveness = parseJsonColumn<StoredLiveness[]>(row.liveness_checks);
      return {
        session_id: row.id,
        session_number: row.session_number,
        session_url: sessionUrl(row),
        status: row.status,
        environment: 'sandbox',
        workflow_id: row.workflow_id,
        workflow_version: row.workflow_version,
        features,
        vendor_data: row.vendor_data,
        metadata: parseJsonColumn(row.metadata),
        expected_details: parseJsonColumn(row.expected_details),
        contact_details: parseJsonColumn(row.contact_details),
        callback: row.callback,
        id_verifications: null,
        liveness_checks: liveness ? liveness.map(toLiveness) : null,
        face_matches: stored ? stored.map(toItem) : null,
        aml_screenings: null,
        ip_analyses: null,
        reviews: reviewsOf(row.id),
        face_match_attempts: row.attempts,
        face_match_max_attempts: maxAttemptsOf(row),
        // Attempts actually left of the allowance, whatever the status: 0 means they were all used.
        face_match_attempts_remaining: row.kind === 'session' ? Math.max(0, maxAttemptsOf(row) - row.attempts) : 0,
        created_at: iso(row.created_at),
        updated_at: iso(row.updated_at),
        expires_at: row.expires_at === null ? null : iso(row.expires_at),
      };
    },

    toSummary(row) {
      return {
        session_id: row.id,
        session_number: row.session_number,
        session_token: row.session_token,
        session_url: sessionUrl(row),
        session_kind: 'user',
        status: row.status,
        vendor_data: row.vendor_data,
        metadata: parseJsonColumn(row.metadata),
        workflow_id: row.workflow_id,
        workflow_version: row.workflow_version,
        callback: row.callback,
        created_at: iso(row.created_at),
        updated_at: iso(row.updated_at),
      };
    },
  };
}
