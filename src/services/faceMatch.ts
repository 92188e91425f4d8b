// Standalone face match (POST /v3/face-match/, MCP face_match). compareFaces is the compare
// itself: parse the options, check the images, run the engine's standalone rule, shape the SPEC
// body; no account, nothing stored. standalone() builds on it for the HTTP route: with
// save_api_request (default true) the request becomes a stored session whose decision can be
// fetched and which fires status.updated.
import { STANDALONE_DECLINE_DEFAULT } from '../engine/decision.js';
import { FacematchError } from '../errors.js';
import { fieldError, iso, jsonShapeProblem, newId, type ServiceContext } from './context.js';
import { outcomeOf } from './face-match-outcome.js';
import type { FaceStore } from './face-store.js';
import type { MediaInternals } from './media.js';
import { NODE_ID, type SessionInternals, type StoredFaceMatch } from './sessions.js';
import type { AppContext, FaceCompareInput, FaceCompareOptions, FaceCompareOptionsInput, FaceCompareResult, FaceMatcher, StandaloneFaceMatchInput } from './types.js';
import type { LivenessBody, PassiveLivenessResult, StandaloneFaceMatchResult } from '../contract/index.js';

export interface FaceMatch {
  standalone(app: AppContext, input: StandaloneFaceMatchInput): Promise<StandaloneFaceMatchResult>;
  /** POST /v3/passive-liveness/. */
  passiveLiveness(app: AppContext, input: SingleFaceInput): Promise<PassiveLivenessResult>;
  /** POST /v3/age-estimation/. */
  ageEstimation(app: AppContext, input: SingleFaceInput): Promise<PassiveLivenessResult>;
}

export type SingleFaceInput = { userImage: Buffer; declineThreshold?: unknown; rotateImage?: unknown; saveApiRequest?: unknown; vendorData?: unknown };

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Multipart fields arrive as strings; JSON callers send numbers. Both are accepted. */
export function parseThreshold(value: unknown, field = 'face_match_score_decline_threshold'): number {
  if (value === undefined || value === null || value === '') return STANDALONE_DECLINE_DEFAULT;
  // Plain decimals only, as the hosted (Python float) parser reads them: Number() alone would
  // also take '0x1e' or '0b1' as numbers.
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || n > 100) throw fieldError(field, `${field} must be a number from 0 to 100.`);
  return n;
}

export function parseBool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === '1' || v === 'yes') return true;
    if (v === 'false' || v === '0' || v === 'no') return false;
  }
  throw fieldError(field, `${field} must be true or false.`);
}

export function parseMetadata(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null || value === '') return null;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw fieldError('metadata', 'metadata must be a JSON object encoded as a string, e.g. {"user":"42"}; it is not valid JSON.');
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw fieldError('metadata', 'metadata must be a JSON object.');
  const problem = jsonShapeProblem(parsed, 'metadata');
  if (problem) throw fieldError('metadata', problem);
  return parsed as Record<string, unknown>;
}

/** The compare's options with their defaults; every caller (HTTP, MCP) parses them here. */
export function parseCompareOptions(input: FaceCompareOptionsInput): FaceCompareOptions {
  return {
    declineThreshold: parseThreshold(input.declineThreshold),
    rotateImage: parseBool(input.rotateImage, 'rotate_image', false),
  };
}

/**
 * One standalone 1:1 compare. Everything is validated before `engine()` is called, so a bad
 * argument never waits for (or fails on) the model load.
 */
export async function compareFaces(engine: () => Promise<FaceMatcher>, input: FaceCompareInput): Promise<FaceCompareResult> {
  const { declineThreshold, rotateImage } = parseCompareOptions(input);
  for (const [field, img] of [['user_image', input.userImage], ['ref_image', input.refImage]] as const) {
    if (!Buffer.isBuffer(img) || img.length === 0) {
      throw new FacematchError('IMAGE_EMPTY', `${field} is missing or empty.`, { fields: { [field]: [`${field} is missing or empty.`] } });
    }
  }
  const matcher = await engine();
  const options = { mode: 'standalone', declineThreshold, rotateImage, nodeId: null, attributes: true } as const;
  const { report, alignedFaces, embeddings } = input.withAlignedFaces
    ? await matcher.matchDetailed(input.userImage, input.refImage, options)
    : { ...(await matcher.matchEmbedded(input.userImage, input.refImage, options)), alignedFaces: { user: null, ref: null } };
  const outcome = outcomeOf(report, { nodeId: null });
  const userImage = report.user_image;
  const refImage = report.ref_image;
  return {
    body: {
      status: outcome.status,
      score: outcome.score,
      user_image: userImage,
      ref_image: refImage,
      warnings: outcome.warnings,
    },
    alignedFaces,
    embeddings,
    extras: { similarity: report.similarity, liveness_user_image: report.liveness?.user_image ?? null, timing_ms: report.timing_ms },
  };
}

export function createFaceMatch(ctx: ServiceContext, deps: { sessions: SessionInternals; media: MediaInternals; faces: FaceStore }): FaceMatch {
  const { db } = ctx;

  /**
   * One face, scored by the liveness model. The score (p(live) x 100) is reported but never
   * decides: the model is unmeasured on presentation attacks, so the status only says whether a
   * face was found (the detector is measured, see docs/engine.md).
   */
  async function singleFace(input: SingleFaceInput, withAge: boolean): Promise<PassiveLivenessResult> {
    parseThreshold(input.declineThreshold, 'face_liveness_score_decline_threshold');
    const rotateImage = parseBool(input.rotateImage, 'rotate_image', false);
    parseBool(input.saveApiRequest, 'save_api_request', true);
    if (input.vendorData !== undefined && input.vendorData !== null && typeof input.vendorData !== 'string') throw fieldError('vendor_data', 'vendor_data must be a string.');
    if (!Buffer.isBuffer(input.userImage) || input.userImage.length === 0) {
      throw new FacematchError('IMAGE_EMPTY', 'user_image is missing or empty.', { fields: { user_image: ['user_image is missing or empty.'] } });
    }
    const engine = await ctx.engine();
    const report = await engine.single(input.userImage, { rotateImage, attributes: true });
    const userImage = report.user_image;
    const found = userImage.entities.length > 0;
    const largest = [...userImage.entities].sort((a, b) => (b.bbox[2] - b.bbox[0]) * (b.bbox[3] - b.bbox[1]) - (a.bbox[2] - a.bbox[0]) * (a.bbox[3] - a.bbox[1]))[0] as
      | { age?: number }
      | undefined;
    const age = largest?.age ?? null;
    const warnings: LivenessBody['warnings'] = [];
    if (!found) {
      warnings.push({ feature: 'LIVENESS', risk: 'NO_FACE_DETECTED', additional_data: null, log_type: 'error', short_description: 'No face detected', long_description: 'No face could be found in user_image.', node_id: null });
    } else if (withAge && age === null) {
      warnings.push({ feature: 'LIVENESS', risk: 'AGE_NOT_DETECTED', additional_data: null, log_type: 'error', short_description: 'Age not detected', long_description: 'The face was found but its age could not be estimated.', node_id: null });
    }
    const pLive = report.liveness;
    const liveness: LivenessBody = {
      status: warnings.length ? 'Declined' : 'Approved',
      method: 'PASSIVE',
      score: found && pLive !== null ? Math.round(pLive * 10000) / 100 : null,
      user_image: userImage,
      warnings,
      face_quality: null,
      face_luminance: null,
      ...(withAge ? { age_estimation: age } : {}),
    };
    return { request_id: newId(), liveness, created_at: iso(ctx.now()) };
  }

  return {
    passiveLiveness: (_app, input) => singleFace(input, false),
    ageEstimation: (_app, input) => singleFace(input, true),

    async standalone(app, input) {
      // Compare options, then this request's own fields, then (in compareFaces) the images:
      // the order in which field errors have always been reported.
      const options = parseCompareOptions(input);
      const save = parseBool(input.saveApiRequest, 'save_api_request', true);
      if (input.vendorData !== undefined && input.vendorData !== null && typeof input.vendorData !== 'string') {
        throw fieldError('vendor_data', 'vendor_data must be a string.');
      }
      const vendorData = typeof input.vendorData === 'string' && input.vendorData !== '' ? input.vendorData : null;
      if (vendorData && vendorData.length > 1000) throw fieldError('vendor_data', 'vendor_data must be at most 1000 characters.');
      const metadata = parseMetadata(input.metadata);

      const { body, embeddings } = await compareFaces(ctx.engine, { userImage: input.userImage, refImage: input.refImage, ...options });
      const now = ctx.now();
      if (!save) return { request_id: newId(), face_match: body, created_at: iso(now) };

      const id = newId();
      db.transaction(() => {
        const selfieId = deps.media.put(app.applicationId, id, 'selfie', input.userImage);
        const refId = deps.media.put(app.applicationId, id, 'reference', input.refImage);
        const item: StoredFaceMatch = {
          node_id: NODE_ID,
          status: body.status,
          score: body.score,
          source_media_id: selfieId,
          target_media_id: refId,
          source_image_session_id: null,
          warnings: body.warnings,
        };
        db.prepare(
          `INSERT INTO sessions (id, application_id, kind, session_number, status, vendor_data, metadata, face_matches, attempts, created_at, updated_at)
           VALUES (?, ?, 'face_match', ?, ?, ?, ?, ?, 1, ?, ?)`,
        ).run(
          id,
          app.applicationId,
          deps.sessions.nextSessionNumber(app.applicationId),
          body.status,
          vendorData,
          metadata ? JSON.stringify(metadata) : null,
          JSON.stringify([item]),
          now,
          now,
        );
        // Saved requests keep their faces (deleted with the request), as the platform enrols them.
        if (embeddings.user) deps.faces.put(app.applicationId, { sessionId: id }, 'selfie', embeddings.user, selfieId);
        if (embeddings.ref) deps.faces.put(app.applicationId, { sessionId: id }, 'reference', embeddings.ref, refId);
        deps.sessions.emit(deps.sessions.rowById(id)!, ['status.updated']);
      }).immediate();
      return { request_id: id, face_match: body, created_at: iso(now) };
    },
  };
}
