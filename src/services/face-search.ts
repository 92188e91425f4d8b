// Face Search 1:N (POST /v3/face-search/): the subject face of user_image searched against the
// application's kept faces (sessions' selfies and references, saved standalone requests, list
// entries). similarity_percentage is the engine's calibrated 0-100 score of the cosine (the
// same scale as the 1:1 score); the bands below come from the open-set measurement in
// docs/face-search.md. Only blocklist matches decline; duplicates and several faces inform.
import { cosineForScore, scoreFromCosine } from '../engine/score.js';
import { FacematchError } from '../errors.js';
import { fieldError, iso, newId, type ServiceContext } from './context.js';
import { parseBool, parseMetadata } from './faceMatch.js';
import type { FaceStore } from './face-store.js';
import type { MediaInternals, Media } from './media.js';
import type { AppContext } from './types.js';
import { SEARCH_TYPES, type FaceSearchMatch, type FaceSearchResult, type FaceSearchWarning } from '../contract/index.js';

/** Bands on similarity_percentage (see docs/face-search.md for what each costs per gallery size). */
export const SEARCH_BANDS = {
  /** Matches below this are not returned. */
  floor: 50,
  /** POSSIBLE_FACE_IN_BLOCKLIST / POSSIBLE_DUPLICATED_FACE from here... */
  possible: 60,
  /** ...FACE_IN_BLOCKLIST / DUPLICATED_FACE from here. */
  high: 70,
} as const;

export const MAX_MATCHES = 5;
export interface FaceSearchInput {
  userImage: Buffer;
  searchType?: unknown;
  rotateImage?: unknown;
  saveApiRequest?: unknown;
  vendorData?: unknown;
  metadata?: unknown;
}

export interface FaceSearch {
  search(app: AppContext, input: FaceSearchInput): Promise<FaceSearchResult>;
  /**
   * A workflow session's new face against the application's face lists and earlier sessions
   * (its own faces left out): the liveness item's warnings and the status they ask for
   * (FACE_IN_BLOCKLIST declines, POSSIBLE_FACE_IN_BLOCKLIST sends to review, duplicates inform).
   */
  screenSession(applicationId: string, sessionId: string, embedding: Float32Array, vendorData: string | null): Promise<{ warnings: FaceSearchWarning[]; status: 'Approved' | 'In Review' | 'Declined' }>;
}

const API_SERVICE: Record<string, string | null> = { session: null, face_match: 'FACE_MATCH' };

export function createFaceSearch(ctx: ServiceContext, deps: { faces: FaceStore; media: Media & MediaInternals }): FaceSearch {
  const { db } = ctx;

  function warning(risk: FaceSearchWarning['risk'], additional: Record<string, unknown> | null): FaceSearchWarning {
    const text: Record<FaceSearchWarning['risk'], [FaceSearchWarning['log_type'], string, string]> = {
      FACE_IN_BLOCKLIST: ['error', 'Face in blocklist', 'The face matched a face in the blocklist with high confidence, so it is not allowed to be verified.'],
      POSSIBLE_FACE_IN_BLOCKLIST: ['error', 'Possible face in blocklist', 'The face may match a face in the blocklist (below the high-confidence band); review it against the blocklist evidence.'],
      DUPLICATED_FACE: ['information', 'Duplicated face', 'The face matched, with high confidence, the face of an approved session of this application.'],
      POSSIBLE_DUPLICATED_FACE: ['information', 'Possible duplicated face', 'The face may match the face of an approved session of this application (below the high-confidence band).'],
      MULTIPLE_FACES_DETECTED: ['warning', 'Multiple faces detected', 'More than one face was found in the image; the search used the subject face.'],
    };
    const [log_type, short_description, long_description] = text[risk];
    return { risk, feature: 'LIVENESS', additional_data: additional, log_type, short_description, long_description };
  }

  type Ranked = FaceSearchMatch & { cosine: number };

  /** The application's faces like `embedding` above the floor, one per session or entry, best first. */
  async function findMatches(applicationId: string, embedding: Float32Array, searchType: string, exclude: string | null): Promise<Ranked[]> {
    const hits = await deps.faces.search(applicationId, embedding, { floor: cosineForScore(SEARCH_BANDS.floor), limit: 200 });
    const ownerOf = db.prepare<[string], { session_id: string | null; entry_id: string | null; media_id: string | null }>('SELECT session_id, entry_id, media_id FROM faces WHERE id = ?');
    const sessionOf = db.prepare<[string], { id: string; session_number: number; status: string; vendor_data: string | null; created_at: number; kind: string }>(
      'SELECT id, session_number, status, vendor_data, created_at, kind FROM sessions WHERE id = ?',
    );
    const entryOf = db.prepare<[string], { reference_session_id: string | null; created_at: number; list_type: string }>(
      'SELECT e.reference_session_id, e.created_at, l.list_type FROM list_entries e JOIN lists l ON l.id = e.list_id WHERE e.id = ?',
    );
    const listedAs = db.prepare<[string, string], { list_type: string }>(
      "SELECT DISTINCT l.list_type FROM list_entries e JOIN lists l ON l.id = e.list_id WHERE e.reference_session_id = ? AND l.application_id = ? AND l.entry_type = 'face'",
    );
    const seen = new Set<string>();
    let matches: Ranked[] = [];
    for (const h of hits) {
      const owner = ownerOf.get(h.faceId);
      if (!owner) continue;
      const similarity = Math.round(scoreFromCosine(h.cosine) * 100) / 100;
      const url = owner.media_id ? deps.media.signedUrl(owner.media_id) : null;
      if (owner.session_id) {
        if (owner.session_id === exclude || seen.has(owner.session_id)) continue;
        seen.add(owner.session_id);
        const s = sessionOf.get(owner.session_id);
        if (!s) continue;
        const lists = listedAs.all(s.id, applicationId).map((r) => r.list_type);
        matches.push({
          session_id: s.id,
          session_number: s.session_number,
          similarity_percentage: similarity,
          source: 'session',
          vendor_data: s.vendor_data,
          verification_date: iso(s.created_at),
          user_details: null,
          match_image_url: url,
          status: s.status,
          is_blocklisted: lists.includes('blocklist'),
          is_allowlisted: lists.includes('allowlist'),
          api_service: API_SERVICE[s.kind] ?? null,
          vendor_user_id: null,
          biometric_template_id: null,
          cosine: h.cosine,
        });
      } else if (owner.entry_id) {
        const e = entryOf.get(owner.entry_id);
        if (!e || e.list_type === 'custom') continue;
        const s = e.reference_session_id ? sessionOf.get(e.reference_session_id) : undefined;
        if (exclude && e.reference_session_id === exclude) continue;
        matches.push({
          session_id: s?.id ?? null,
          session_number: s?.session_number ?? null,
          similarity_percentage: similarity,
          source: 'list_entry',
          vendor_data: s?.vendor_data ?? null,
          verification_date: iso(s?.created_at ?? e.created_at),
          user_details: null,
          match_image_url: url,
          status: s?.status ?? null,
          is_blocklisted: e.list_type === 'blocklist',
          is_allowlisted: e.list_type === 'allowlist',
          api_service: s ? (API_SERVICE[s.kind] ?? null) : null,
          vendor_user_id: null,
          biometric_template_id: null,
          cosine: h.cosine,
        });
      }
    }
    if (searchType === 'blocklisted_or_approved') {
      matches = matches
        .filter((m) => m.is_blocklisted || m.is_allowlisted || m.status === 'Approved')
        .sort((a, b) => Number(b.is_blocklisted) - Number(a.is_blocklisted) || b.cosine - a.cosine);
    }
    return matches;
  }

  /** The documented warnings of a ranked match list (blocklist before duplicates, per band). */
  function warningsOf(matches: FaceSearchMatch[], faces: number): FaceSearchWarning[] {
    const warnings: FaceSearchWarning[] = [];
    const band = (m: FaceSearchMatch): 'high' | 'possible' | null =>
      m.similarity_percentage >= SEARCH_BANDS.high ? 'high' : m.similarity_percentage >= SEARCH_BANDS.possible ? 'possible' : null;
    const blocked = matches.filter((m) => m.is_blocklisted && band(m));
    const allowedHigh = matches.some((m) => m.is_allowlisted && band(m) === 'high');
    const dupes = matches.filter((m) => !m.is_blocklisted && !m.is_allowlisted && m.source === 'session' && m.status === 'Approved' && band(m));
    const blockHigh = blocked.find((m) => band(m) === 'high');
    const blockPossible = blocked.find((m) => band(m) === 'possible');
    const blockData = (m: FaceSearchMatch) => ({ blocklisted_session_id: m.session_id, blocklisted_session_number: m.session_number, api_service: m.api_service });
    if (blockHigh) warnings.push(warning('FACE_IN_BLOCKLIST', blockData(blockHigh)));
    else if (blockPossible) warnings.push(warning('POSSIBLE_FACE_IN_BLOCKLIST', blockData(blockPossible)));
    if (!allowedHigh) {
      const dupHigh = dupes.find((m) => band(m) === 'high');
      const dupPossible = dupes.find((m) => band(m) === 'possible');
      const dupData = (m: FaceSearchMatch) => ({ duplicated_session_id: m.session_id, duplicated_session_number: m.session_number, api_service: m.api_service });
      // A blocklist hit of a band suppresses the duplicate warning of the same band.
      if (dupHigh && !blockHigh) warnings.push(warning('DUPLICATED_FACE', dupData(dupHigh)));
      else if (dupPossible && !blockPossible && !dupHigh) warnings.push(warning('POSSIBLE_DUPLICATED_FACE', dupData(dupPossible)));
    }
    if (faces > 1) warnings.push(warning('MULTIPLE_FACES_DETECTED', null));
    return warnings;
  }

  return {
    async screenSession(applicationId, sessionId, embedding, vendorData) {
      // A returning user (same vendor_data) is not their own duplicate in a workflow; blocklist
      // entries still count (the standalone search excludes nothing).
      const matches = (await findMatches(applicationId, embedding, 'most_similar', sessionId))
        .filter((m) => vendorData === null || m.is_blocklisted || m.vendor_data !== vendorData)
        .slice(0, MAX_MATCHES);
      const warnings = warningsOf(matches, 1).map((w) =>
        // In a workflow a possible blocklist hit goes to review instead of declining.
        w.risk === 'POSSIBLE_FACE_IN_BLOCKLIST' ? { ...w, log_type: 'warning' as const } : w,
      );
      const risks = warnings.map((w) => w.risk);
      const status = risks.includes('FACE_IN_BLOCKLIST') ? 'Declined' : risks.includes('POSSIBLE_FACE_IN_BLOCKLIST') ? 'In Review' : 'Approved';
      return { warnings, status };
    },

    async search(app, input) {
      const searchType = input.searchType === undefined || input.searchType === null || input.searchType === '' ? 'most_similar' : input.searchType;
      if (typeof searchType !== 'string' || !(SEARCH_TYPES as readonly string[]).includes(searchType)) {
        throw fieldError('search_type', `search_type must be one of: ${SEARCH_TYPES.join(', ')}.`);
      }
      const rotateImage = parseBool(input.rotateImage, 'rotate_image', false);
      // Accepted for the platform's signature; the twin keeps no record of searches (see docs/contract.md).
      parseBool(input.saveApiRequest, 'save_api_request', true);
      if (input.vendorData !== undefined && input.vendorData !== null && typeof input.vendorData !== 'string') throw fieldError('vendor_data', 'vendor_data must be a string.');
      const vendorData = typeof input.vendorData === 'string' && input.vendorData !== '' ? input.vendorData : null;
      if (vendorData && vendorData.length > 1000) throw fieldError('vendor_data', 'vendor_data must be at most 1000 characters.');
      const metadata = parseMetadata(input.metadata);
      if (!Buffer.isBuffer(input.userImage) || input.userImage.length === 0) {
        throw new FacematchError('IMAGE_EMPTY', 'user_image is missing or empty.', { fields: { user_image: ['user_image is missing or empty.'] } });
      }
      const engine = await ctx.engine();
      const report = await engine.single(input.userImage, { rotateImage });
      if (!report.embedding || report.user_image.entities.length === 0) {
        throw new FacematchError('VALIDATION', 'No face detected in the image', { fields: { user_image: ['No face detected in the image; send a photo with one clearly visible face.'] } });
      }

      let matches = await findMatches(app.applicationId, report.embedding, searchType, null);
      matches = matches.slice(0, MAX_MATCHES);

      const warnings = warningsOf(matches, report.user_image.entities.length);
      const declined = warnings.some((w) => w.risk === 'FACE_IN_BLOCKLIST' || w.risk === 'POSSIBLE_FACE_IN_BLOCKLIST');
      return {
        request_id: newId(),
        face_search: {
          status: declined ? 'Declined' : 'Approved',
          total_matches: matches.length,
          matches: matches.map(({ cosine: _c, ...m }) => m),
          user_image: report.user_image,
          warnings,
        },
        vendor_data: vendorData,
        metadata,
        created_at: iso(ctx.now()),
      };
    },
  };
}
