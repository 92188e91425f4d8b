// Forced outcomes (POST /sandbox/session/{id}/simulate/): a session moved to a chosen result
// without photos, with a face-match item whose score sits inside that outcome's band under the
// workflow's thresholds, and the same webhooks as a real result.
import { decideWorkflow, lowSimilarityWarning } from '../engine/decision.js';
import type { FaceMatchWarning } from '../engine/types.js';
import { fieldError, parseJsonColumn } from './context.js';
import { noReference } from './face-match-outcome.js';
import { NODE_ID, type StoredFaceMatch } from './session-decision.js';
import type { SessionShared } from './session-shared.js';
import type { AppContext } from './types.js';
import { SIMULATE_OUTCOMES, type FaceMatchItemStatus, type SessionDecision, type SessionStatus, type SimulateOutcome } from '../contract/index.js';
import { FACE_MATCH_DEFAULTS, faceMatchConfig } from './workflows.js';

export interface SessionSimulation {
  simulate(app: AppContext, sessionId: string, outcome: SimulateOutcome): SessionDecision;
}

export function createSessionSimulation(s: SessionShared): SessionSimulation {
  const { owned, transition } = s;
  const { db } = s.ctx;
  const { rowById, definitionOf, toDecision } = s.view;
  return {
    simulate(app, sessionId, outcome) {
      if (!(SIMULATE_OUTCOMES as readonly unknown[]).includes(outcome)) {
        throw fieldError('outcome', `outcome must be one of: ${SIMULATE_OUTCOMES.join(', ')}.`);
      }
      owned(app, sessionId);
      return db
        .transaction((): SessionDecision => {
          const row = rowById(sessionId)!;
          if (outcome === 'Abandoned' || outcome === 'Expired') return toDecision(transition(row.id, outcome));
          const def = definitionOf(row);
          const cfg = (def && faceMatchConfig(def)) || {
            ...FACE_MATCH_DEFAULTS,
            // Standalone requests have one threshold (30); give them the same review band as a workflow.
            face_match_score_decline_threshold: 30,
          };
          const decline = cfg.face_match_score_decline_threshold;
          const review = cfg.face_match_score_review_threshold;
          const previous = parseJsonColumn<StoredFaceMatch[]>(row.face_matches)?.[0];
          let status: FaceMatchItemStatus;
          let score: number | null;
          let warnings: FaceMatchWarning[];
          if (outcome === 'NO_REFERENCE_IMAGE') {
            status = 'Declined';
            score = null;
            warnings = [noReference(NODE_ID)];
          } else {
            // A score inside the band of the requested outcome under this workflow's thresholds.
            score =
              outcome === 'Approved'
                ? Math.round((review + (100 - review) / 2) * 100) / 100
                : outcome === 'In Review'
                  ? Math.round(((decline + review) / 2) * 100) / 100
                  : Math.round((decline / 2) * 100) / 100;
            const d = decideWorkflow(score, Math.min(decline, review), review, NODE_ID);
            status = outcome;
            warnings =
              d.status === outcome
                ? d.warnings
                : outcome === 'Approved'
                  ? []
                  : [lowSimilarityWarning(score, outcome, { decline_threshold: decline, review_threshold: review }, NODE_ID)];
          }
          const item: StoredFaceMatch = {
            node_id: NODE_ID,
            status,
            score,
            source_media_id: previous?.source_media_id ?? null,
            target_media_id: outcome === 'NO_REFERENCE_IMAGE' ? null : (previous?.target_media_id ?? row.portrait_media_id),
            source_image_session_id: null,
            warnings,
          };
          return toDecision(transition(row.id, status as SessionStatus, { faceMatches: [item] }));
        })
        .immediate();
    },
  };
}
