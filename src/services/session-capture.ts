// The capture step: the user's selfie (and, without a portrait, a reference photo) scored by
// the face engine under the workflow's thresholds, the liveness item for a LIVENESS step, the
// attempts cap, and the rule for when a session still takes images.
import type { FaceMatchWarning, ImageReport } from '../engine/types.js';
import { formatProblem } from '../engine/decode.js';
import { FacematchError } from '../errors.js';
import { maxAttemptsExceeded, noReference, outcomeOf } from './face-match-outcome.js';
import type { FaceEmbeddings } from '../engine/types.js';
import type { FaceStore } from './face-store.js';
import type { FaceSearch } from './face-search.js';
import type { MediaInternals } from './media.js';
import { LIVENESS_NODE_ID, NODE_ID, RETRYABLE_STATUSES, type SessionRow, type StoredFaceMatch, type StoredLiveness } from './session-decision.js';
import type { SessionShared } from './session-shared.js';
import type { AppContext } from './types.js';
import type { FaceMatchConfig, FaceMatchItemStatus, SessionDecision, SessionStatus } from '../contract/index.js';
import { faceMatchConfig, type WorkflowDefinition } from './workflows.js';

/** Statuses in which the session still waits for the user (these can expire). */
export const OPEN_STATUSES: readonly SessionStatus[] = ['Not Started', 'In Progress', 'Awaiting User'];

export interface SessionCapture {
  submitImages(sessionRef: { app: AppContext; sessionId: string } | { sessionToken: string }, images: { selfie: Buffer; reference?: Buffer }): Promise<SessionDecision>;
  /** Why a session cannot take images now, or null when it can. */
  refusal(row: SessionRow): string | null;
}

export function createSessionCapture(s: SessionShared & { expireDue(): number }, deps: { media: MediaInternals; faces: FaceStore; faceSearch: FaceSearch }): SessionCapture {
  const { ctx, owned, transition, expireDue } = s;
  const { db } = ctx;
  const { media } = deps;
  const { rowById, definitionOf, maxAttemptsOf, toDecision } = s.view;

  /**
   * The decision's liveness item for a LIVENESS step. The score is the liveness model's p(live)
   * x 100; it is reported, never acted on (the model is unmeasured on presentation attacks), so
   * the item is Approved whenever a face was found in the selfie.
   */
  function livenessItem(withAge: ImageReport, pLive: number | null): StoredLiveness {
    const largest = [...withAge.entities].sort((a, b) => (b.bbox[2] - b.bbox[0]) * (b.bbox[3] - b.bbox[1]) - (a.bbox[2] - a.bbox[0]) * (a.bbox[3] - a.bbox[1]))[0] as
      | (typeof withAge.entities)[number] & { age?: number }
      | undefined;
    const found = withAge.entities.length > 0;
    return {
      node_id: LIVENESS_NODE_ID,
      status: found ? 'Approved' : 'Declined',
      method: 'PASSIVE',
      score: pLive === null ? null : Math.round(pLive * 10000) / 100,
      reference_media_id: null,
      video_url: null,
      age_estimation: largest?.age ?? null,
      face_quality: null,
      face_luminance: null,
      warnings: found
        ? []
        : [
            {
              feature: 'LIVENESS',
              risk: 'NO_FACE_DETECTED',
              additional_data: null,
              log_type: 'error',
              short_description: 'No face detected',
              long_description: 'No face could be found in the selfie for the liveness check.',
              node_id: LIVENESS_NODE_ID,
            },
          ],
    };
  }

  /** Why a session cannot take images now, or null when it can. */
  function refusal(row: SessionRow): string | null {
    if (row.kind !== 'session') return 'This is a standalone face match request, not a capture session.';
    if (row.attempts >= maxAttemptsOf(row)) {
      return `FACE_MATCH_MAX_ATTEMPTS_EXCEEDED: all ${maxAttemptsOf(row)} face match attempts of this session are used; create a new session.`;
    }
    if (RETRYABLE_STATUSES.includes(row.status)) return null;
    return `Session is ${row.status}; it no longer accepts images.`;
  }

  type SessionRef = Parameters<SessionCapture['submitImages']>[0];
  type Images = Parameters<SessionCapture['submitImages']>[1];
  type Screen = Awaited<ReturnType<FaceSearch['screenSession']>>;
  /** What the engine made of one attempt's images. */
  interface Scored {
    outcome: { status: FaceMatchItemStatus; score: number | null; warnings: FaceMatchWarning[] };
    liveness: StoredLiveness | null;
    embeddings: FaceEmbeddings;
    /** Whether there was a reference image (given, or the session's portrait). */
    hasReference: boolean;
  }

  /** The session by its capture token or by its id within the application. */
  function findSession(sessionRef: SessionRef): SessionRow {
    if (!('sessionToken' in sessionRef)) return owned(sessionRef.app, sessionRef.sessionId);
    const row =
      typeof sessionRef.sessionToken === 'string' && sessionRef.sessionToken
        ? db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE session_token = ? AND kind = 'session'").get(sessionRef.sessionToken)
        : undefined;
    if (!row) throw new FacematchError('NOT_FOUND', 'This verification session does not exist.');
    return row;
  }

  /** The workflow's face match step, once the session and the images can take an attempt. */
  function checkAttempt(row: SessionRow, images: Images): { def: WorkflowDefinition; cfg: FaceMatchConfig } {
    const def = definitionOf(row);
    const cfg = def ? faceMatchConfig(def) : null;
    if (!cfg) throw new FacematchError('CONFLICT', 'This workflow has no FACE_MATCH step; use simulate to set an outcome.');
    const refused = refusal(row);
    if (refused) throw new FacematchError('CONFLICT', refused);
    if (!Buffer.isBuffer(images?.selfie) || images.selfie.length === 0) {
      throw new FacematchError('IMAGE_EMPTY', 'The selfie image is empty.', { fields: { selfie: ['The selfie image is empty.'] } });
    }
    if (images.reference !== undefined && (!Buffer.isBuffer(images.reference) || images.reference.length === 0)) {
      throw new FacematchError('IMAGE_EMPTY', 'The reference image is empty.', { fields: { reference: ['The reference image is empty.'] } });
    }
    // Bytes that are no photo at all are refused before the session moves: a refused upload
    // must leave it as it was (the engine's own header checks come later, during the match).
    const notPhoto = formatProblem(images.selfie, 'user_image') ?? (images.reference ? formatProblem(images.reference, 'ref_image') : null);
    if (notPhoto) throw notPhoto;
    return { def: def!, cfg };
  }

  function markInProgress(row: SessionRow): void {
    if (row.status === 'In Progress') return;
    db.transaction(() => {
      const fresh = rowById(row.id)!;
      if (refusal(fresh)) throw new FacematchError('CONFLICT', refusal(fresh)!);
      transition(row.id, 'In Progress');
    }).immediate();
  }

  /** Matches the selfie against the reference (or the session's portrait) under the workflow's thresholds. */
  async function scoreImages(row: SessionRow, step: { def: WorkflowDefinition; cfg: FaceMatchConfig }, images: Images): Promise<Scored> {
    const { def, cfg } = step;
    const portrait = row.portrait_media_id
      ? db.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM media WHERE id = ?').get(row.portrait_media_id)?.bytes
      : undefined;
    const reference = images.reference ?? portrait;
    if (!reference) {
      // Always enforced: no reference image, no match.
      return { outcome: { status: 'Declined', score: null, warnings: [noReference(NODE_ID)] }, liveness: null, embeddings: { user: null, ref: null }, hasReference: false };
    }
    const wantsLiveness = def.features.some((f) => f.feature === 'LIVENESS');
    const engine = await ctx.engine();
    const { report, embeddings } = await engine.matchEmbedded(images.selfie, reference, {
      mode: 'workflow',
      declineThreshold: cfg.face_match_score_decline_threshold,
      reviewThreshold: cfg.face_match_score_review_threshold,
      rotateImage: true,
      nodeId: NODE_ID,
      // The liveness item reports the selfie's estimated age.
      attributes: wantsLiveness,
    });
    return {
      outcome: outcomeOf(report, { nodeId: NODE_ID, notComputed: cfg.face_match_not_computed_action }),
      liveness: wantsLiveness ? livenessItem(report.user_image, report.liveness?.user_image ?? null) : null,
      embeddings,
      hasReference: true,
    };
  }

  /** The liveness items and session status once the face screen's findings are added. */
  function applyScreen(live: StoredLiveness[] | undefined, screen: Screen | null, status: SessionStatus): { live: StoredLiveness[] | undefined; status: SessionStatus } {
    if (!live || !screen) return { live, status };
    const check = live[0]!;
    const warnings = [...check.warnings, ...screen.warnings.map((w) => ({ ...w, node_id: LIVENESS_NODE_ID }))];
    const checkStatus = screen.status === 'Declined' || check.status === 'Declined' ? 'Declined' : screen.status === 'In Review' ? 'In Review' : check.status;
    if (screen.status === 'Declined') status = 'Declined';
    else if (screen.status === 'In Review' && status === 'Approved') status = 'In Review';
    return { live: [{ ...check, status: checkStatus, warnings }], status };
  }

  /** The attempt's face match item; a decline that uses the last attempt says so. */
  function faceMatchItem(outcome: Scored['outcome'], count: { attempts: number; max: number }, selfieId: string, targetId: string | null): StoredFaceMatch {
    const warnings = [...outcome.warnings];
    if (outcome.status === 'Declined' && count.attempts >= count.max) warnings.push(maxAttemptsExceeded(count.attempts, count.max, NODE_ID));
    return {
      node_id: NODE_ID,
      status: outcome.status,
      score: outcome.score,
      source_media_id: selfieId,
      target_media_id: targetId,
      source_image_session_id: null,
      warnings,
    };
  }

  /** Stores the attempt (media, faces, items) and moves the session, re-checked inside the transaction. */
  function recordAttempt(sessionId: string, images: Images, scored: Scored, screen: Screen | null): SessionDecision {
    const { outcome, liveness, embeddings } = scored;
    return db
      .transaction((): SessionDecision => {
        const fresh = rowById(sessionId)!;
        const again = refusal(fresh);
        if (again) throw new FacematchError('CONFLICT', again);
        const attempts = fresh.attempts + 1;
        const max = maxAttemptsOf(fresh);
        // The platform's capture-retry loop: a Declined attempt with attempts left is not the
        // session's status; it stays In Progress (no status.updated: nothing changed) and the
        // user recaptures. Declined sticks only when the attempts are used up.
        const faceMatchRetry = outcome.status === 'Declined' && attempts < max;
        const selfieId = media.put(fresh.application_id, sessionId, 'selfie', images.selfie);
        const targetId = images.reference ? media.put(fresh.application_id, sessionId, 'reference', images.reference) : fresh.portrait_media_id;
        const item = faceMatchItem(outcome, { attempts, max }, selfieId, scored.hasReference ? targetId : null);
        const screened = applyScreen(liveness ? [{ ...liveness, reference_media_id: selfieId }] : undefined, screen, outcome.status as SessionStatus);
        // The faces this attempt kept, for face search and duplicate checks; deleted with the session.
        if (embeddings.user) deps.faces.put(fresh.application_id, { sessionId }, 'selfie', embeddings.user, selfieId);
        if (embeddings.ref) deps.faces.put(fresh.application_id, { sessionId }, 'reference', embeddings.ref, targetId);
        // A blocklisted face is final whatever attempts remain; only a face-match decline retries.
        const retry = faceMatchRetry && screen?.status !== 'Declined';
        const updated = transition(sessionId, retry ? 'In Progress' : screened.status, { faceMatches: [item], liveness: screened.live, attempts, quiet: retry });
        return toDecision(updated);
      })
      .immediate();
  }

  return {
    refusal,
    async submitImages(sessionRef, images) {
      expireDue();
      const row = findSession(sessionRef);
      const step = checkAttempt(row, images);
      markInProgress(row);
      const scored = await scoreImages(row, step, images);
      // The liveness step screens the new face against the application's face lists and earlier
      // sessions (before this attempt's faces are kept, so it never meets itself).
      const screen = scored.liveness && scored.embeddings.user
        ? await deps.faceSearch.screenSession(row.application_id, row.id, scored.embeddings.user, row.vendor_data)
        : null;
      return recordAttempt(row.id, images, scored, screen);
    },
  };
}
