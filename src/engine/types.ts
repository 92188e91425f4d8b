import type { FaceMatchRisk } from '../contract/face-match.js';
import type { ImageQuality } from './quality.js';
// The face engine's public shapes. The report mirrors SPEC's `face_match` object; fields
// that the hosted API does not have are grouped under clearly named extras.

export type MatchStatus = 'Approved' | 'In Review' | 'Declined';

/** One detected face, as the hosted API's `entities` item (pixel coords of the original image). */
export interface FaceEntity {
  bbox: [number, number, number, number];
  confidence: number;
  /** Model-estimated age in years (present when attributes were asked for and their models are installed). */
  age?: number;
  gender?: 'male' | 'female';
}

export interface ImageReport {
  entities: FaceEntity[];
  best_angle: number;
}

export interface FaceMatchWarning {
  feature: 'FACEMATCH';
  risk: FaceMatchRisk;
  additional_data: Record<string, unknown> | null;
  log_type: 'information' | 'warning' | 'error';
  short_description: string;
  long_description: string;
  node_id: string | null;
}

/** Per-image pipeline switches (see analyzeImage). */
export interface AnalyzeOptions {
  liveness?: boolean;
  rotate?: boolean;
  embed?: boolean;
  /** Age and gender of each face (the attribute models, in the same worker). */
  attributes?: boolean;
}

export interface MatchOptions {
  /** 'standalone' (POST /v3/face-match/: one threshold, default 30) or 'workflow' (50 / 70). */
  mode?: 'standalone' | 'workflow';
  declineThreshold?: number;
  reviewThreshold?: number;
  /** Try 90/180/270 degree rotations when no face is found (SPEC `rotate_image`). */
  rotateImage?: boolean;
  /** Workflow node id put into warnings (e.g. "face_match_1"); null for standalone. */
  nodeId?: string | null;
  /** Add each face's model-estimated `age` and `gender` to the entities (advisory; default off). */
  attributes?: boolean;
}

/** One photo analysed on its own (FaceEngine.single). */
export interface SingleFaceReport {
  user_image: ImageReport;
  /** Advisory passive liveness of the chosen face, p(live) in 0..1; null when no face. */
  liveness: number | null;
  quality: ImageQuality;
  /** The chosen face's embedding (unit length), for the face store; null when no face. */
  embedding: Float32Array | null;
}

/** The chosen faces' embeddings of a match (unit length; null where no face was found). */
export interface FaceEmbeddings {
  user: Float32Array | null;
  ref: Float32Array | null;
}

export interface FaceMatchReport {
  status: MatchStatus;
  /** 0-100, calibrated; null when no face pair could be scored. */
  score: number | null;
  user_image: ImageReport;
  ref_image: ImageReport;
  warnings: FaceMatchWarning[];
  /** Extras (not in the hosted API): raw cosine similarity of the chosen faces. */
  similarity: number | null;
  /** Extras: advisory passive-liveness of the selfie's chosen face, p(live) in 0..1. */
  liveness: { user_image: number | null } | null;
  /** Extras: image-quality signals and plain-words issues of each image (see quality.ts). */
  quality: { user_image: ImageQuality; ref_image: ImageQuality };
  /** Extras: milliseconds per stage for this call. */
  timing_ms: Record<string, number>;
}
