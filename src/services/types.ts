// What the services share among themselves and with their callers in this process: the engine
// they need, the caller's application, the standalone compare's inputs and extras, delivery
// tuning. The platform's wire shapes and vocabularies are in ../contract.
import type { FaceEmbeddings, FaceMatchReport, MatchOptions, SingleFaceReport } from '../engine/types.js';
import type { FaceMatchBody } from '../contract/face-match.js';
import type { Workflow } from '../contract/workflows.js';

/** PNGs of the aligned 112x112 faces the score compared; null where no face was found. */
export type AlignedFaces = { user: Buffer | null; ref: Buffer | null };

/** What the services need from the face engine (FaceEngine satisfies it). */
export interface FaceMatcher {
  match(userImage: Buffer, refImage: Buffer, options?: MatchOptions): Promise<FaceMatchReport>;
  matchDetailed(userImage: Buffer, refImage: Buffer, options?: MatchOptions): Promise<{ report: FaceMatchReport; alignedFaces: AlignedFaces; embeddings: FaceEmbeddings }>;
  matchEmbedded(userImage: Buffer, refImage: Buffer, options?: MatchOptions): Promise<{ report: FaceMatchReport; embeddings: FaceEmbeddings }>;
  single(image: Buffer, options?: Pick<MatchOptions, 'rotateImage' | 'attributes'>): Promise<SingleFaceReport>;
}

export type AppContext = {
  applicationId: string;
  organizationId: string;
  keyId: string | null;
};

export type SessionByToken = {
  sessionId: string;
  status: string;
  callback: string | null;
  workflow: Workflow;
  /** True when the session has no portrait_image: the capture step must supply a reference. */
  needsReference: boolean;
  /** Sandbox extras for the capture page. */
  attemptsUsed: number;
  attemptsAllowed: number;
  /** True while images can still be submitted. */
  acceptsImages: boolean;
};

/** The standalone compare's options as callers send them (multipart strings or JSON values). */
export type FaceCompareOptionsInput = {
  /** 0-100, number or numeric string; default 30. */
  declineThreshold?: unknown;
  /** Boolean or "true"/"false"; default false. */
  rotateImage?: unknown;
};

export type FaceCompareOptions = { declineThreshold: number; rotateImage: boolean };

export type FaceCompareInput = FaceCompareOptionsInput & {
  userImage: Buffer;
  refImage: Buffer;
  /** Also return the aligned faces as PNGs (the MCP preview); off on the HTTP hot path. */
  withAlignedFaces?: boolean;
};

/** A standalone compare: the SPEC body plus what only local callers get (pictures, engine extras). */
export type FaceCompareResult = {
  body: FaceMatchBody;
  alignedFaces: AlignedFaces;
  /** The chosen faces' embeddings, for the face store (never sent on the wire). */
  embeddings: FaceEmbeddings;
  /** Not in the hosted API: raw cosine, advisory liveness p(live) of the selfie, stage timings. */
  extras: { similarity: number | null; liveness_user_image: number | null; timing_ms: Record<string, number> };
};

export type StandaloneFaceMatchInput = FaceCompareInput & {
  saveApiRequest?: unknown;
  vendorData?: unknown;
  metadata?: unknown;
};

export type SandboxStatus = {
  dbPath: string;
  publicBaseUrl: string;
  counts: Record<string, number>;
};

/** Delivery tuning; tests shorten the delays. */
export type WebhookDeliveryOptions = {
  /** First retry delay; doubles each attempt (default 1000 ms). */
  baseDelayMs?: number;
  /** Attempts per event and destination before giving up (default 6). */
  maxAttempts?: number;
  /** Connect, headers and body timeout per attempt (default 10000 ms). */
  timeoutMs?: number;
  /** How long a claimed row stays reserved for one process (default 60000 ms). */
  leaseMs?: number;
  /** How often the worker looks for due rows written by any process (default 500 ms). */
  pollMs?: number;
  /** Sends in flight at once to one destination (default 1: each destination gets its
   *  events in order, and a slow one holds only its own lane). */
  perDestinationConcurrency?: number;
};
