// The sandbox: one SQLite file and the services on it. Knows nothing of HTTP or MCP; the
// HTTP twin and the MCP tools both call these functions, so they validate and answer alike.
import { resolve } from 'node:path';
import type { FaceEngine } from '../engine/index.js';
import { startCheckpointer } from '../store/checkpointer.js';
import { openStore, type Db } from '../store/db.js';
import { loadSealKey } from './key-seal.js';
import { createAccounts, type Accounts } from './accounts.js';
import type { ServiceContext } from './context.js';
import { DeliveryWorker } from './delivery.js';
import { serveRegistry } from './serve-registry.js';
import { createDeliveryRecords, type DeliveryRecords } from './delivery-records.js';
import { createFaceMatch, type FaceMatch } from './faceMatch.js';
import { createFaceStore, type FaceStore } from './face-store.js';
import { createFaceLists, type FaceLists } from './face-lists.js';
import { createFaceSearch, type FaceSearch } from './face-search.js';
import { createMedia, type Media } from './media.js';
import { createQuality, type Quality } from './quality.js';
import { createSessions, type Sessions } from './sessions.js';
import type { AppContext, FaceMatcher, SandboxStatus, WebhookDeliveryOptions } from './types.js';
import { createWebhooks, type Webhooks } from './webhooks.js';
import { createWorkflows, type Workflows } from './workflows.js';
import { createApplications, type Applications } from './applications.js';
import { createListenSlots, type ListenSlots } from './listen-slots.js';
import { createSyntheticFaces, type SyntheticFaces } from './synthetic-faces.js';
import { checkSandboxCredential, ensureSandboxCredential } from './sandbox-credential.js';

export * from './types.js';
export type { AttemptFeedRow, DeliveryAttemptRecord, DeliveryEventRecord, DeliveryRecordFilter, DeliveryRecords, SessionDeliveryRow } from './delivery-records.js';
export type { AppResolution, Applications, ApplicationSummary } from './applications.js';
export { describeApplications } from './applications.js';
export type { Claimed, ListenSlots, SlotRow } from './listen-slots.js';
export { isListenLabel, LISTEN_LABEL, ownerPid, slotTaken } from './listen-slots.js';
export type { SyntheticFaces } from './synthetic-faces.js';
export { FACE_MATCH_DEFAULTS } from './workflows.js';
export { compareFaces, parseBool, parseCompareOptions, parseMetadata, parseThreshold } from './faceMatch.js';

export const DEFAULT_PUBLIC_BASE_URL = 'http://127.0.0.1:8787';

export interface SandboxOptions {
  /** SQLite file; created with its parent folders if missing. */
  dbPath: string;
  /** Where the HTTP twin is reachable; used in session and media URLs. */
  publicBaseUrl?: string;
  /** Default: FaceEngine.shared(), loaded on first use. */
  engine?: FaceEngine | FaceMatcher;
  /** Millisecond clock for business time (expiry, timestamps); tests inject one. */
  now?: () => number;
  /** Run the background webhook delivery worker (default true). */
  deliverWebhooks?: boolean;
  /** Retry/backoff/timeout tuning for webhook delivery. */
  webhookDelivery?: WebhookDeliveryOptions;
  /**
   * WAL checkpoints in a worker thread instead of inside commits (default false): for
   * long-running processes (serve, the MCP server), whose request latency they would stall.
   */
  backgroundCheckpoints?: boolean;
}

export interface Sandbox {
  readonly dbPath: string;
  publicBaseUrl: string;
  /** The newest address a still-running `serve` on this database recorded, or null when none runs. */
  liveServeUrl(): string | null;
  /** The last `serve` on this database known to have stopped (address, when), or null if none is known. */
  lastServe(): { url: string; stopped_at: number } | null;
  accounts: Accounts;
  /** Which application a caller acts for: an id, or a name exactly one application has. */
  applications: Applications;
  workflows: Workflows;
  sessions: Sessions;
  faceMatch: FaceMatch;
  /** POST /v3/face-search/ over the application's kept faces. */
  faceSearch: FaceSearch;
  /** /v3/lists/ and the blocklist by session. */
  lists: FaceLists;
  /** The kept faces and the search over them (bench, diagnostics). */
  faces: FaceStore;
  /** The capture page's advisory photo check (engine quality signals). */
  quality: Quality;
  media: Media;
  webhooks: Webhooks & {
    /** Waits until the outbox has no pending rows, or the timeout passes (default 30 s). */
    flush(timeoutMs?: number): Promise<void>;
  };
  /** The delivery log with requests and answers, grouped by event; one attempt by id. */
  deliveries: DeliveryRecords;
  /** The destinations `listen` processes own, one per running listener. */
  listenSlots: ListenSlots;
  /** Benchmarks only: bare sessions with one synthetic face each. */
  syntheticFaces: SyntheticFaces;
  /** The sandbox credential (a file beside the database, its hash inside): required by /mcp
   *  over HTTP and the sandbox-only peeks. */
  credential: {
    /** The credential, created on first use. */
    ensure(): string;
    /** Whether `presented` is this sandbox's credential. */
    check(presented: string | undefined | null): boolean;
  };
  status(): SandboxStatus;
  /** Stops claiming deliveries, waits (bounded by the attempt timeout) for sends in flight to
   *  finish and be recorded, then closes the DB. */
  close(): Promise<void>;
  /** The raw database, for the services' own tests only: the layers above (cli, platform, mcp,
   *  http, tools, prompts) go through the operations above (test/structure/layers.test.ts). */
  readonly db: Db;
}

export type { AppContext };
/** What the layers above the services get: every operation, not the database handle. */
export type SandboxServices = Omit<Sandbox, 'db'>;
export type { ImageQuality, PhotoCheck, PhotoPurpose, Quality, QualityIssue } from './quality.js';

export function openSandbox(opts: SandboxOptions): Sandbox {
  const dbPath = resolve(opts.dbPath);
  const db = openStore(dbPath);
  const checkpointer = opts.backgroundCheckpoints ? startCheckpointer(db, dbPath) : null;
  // A running `serve` records its address in the DB, so another process on the same file
  // (e.g. the MCP server) hands out session and media URLs that point at a server that runs.
  const servers = serveRegistry(db);
  const trimUrl = (url: string): string => String(url).replace(/\/+$/, '');
  /** Set when this process has an address of its own (an option, or its own server). */
  let ownBaseUrl: string | null = opts.publicBaseUrl ? trimUrl(opts.publicBaseUrl) : null;
  let closed = false;
  let lastKnownBaseUrl = DEFAULT_PUBLIC_BASE_URL;
  const currentBaseUrl = (): string => {
    if (ownBaseUrl) return ownBaseUrl;
    if (!closed) lastKnownBaseUrl = trimUrl(servers.live() ?? DEFAULT_PUBLIC_BASE_URL);
    return lastKnownBaseUrl;
  };
  let engine: FaceMatcher | null = opts.engine ?? null;
  let worker: DeliveryWorker | null = null;

  const ctx: ServiceContext = {
    db,
    now: opts.now ?? Date.now,
    publicBaseUrl: currentBaseUrl,
    engine: async () => {
      if (!engine) {
        // Loaded lazily: accounts, workflows and webhooks work without the models.
        const mod = await import('../engine/index.js');
        engine = mod.FaceEngine.shared();
      }
      return engine;
    },
    kickDelivery: () => {
      if (worker && deliver) queueMicrotask(() => worker?.kick());
    },
  };

  const deliver = opts.deliverWebhooks !== false;
  const accounts = createAccounts(ctx, { sealKey: loadSealKey(db, dbPath) });
  const workflows = createWorkflows(ctx);
  const media = createMedia(ctx);
  // Webhooks and sessions refer to each other (resend by session needs the session's
  // current envelope); the late-bound hook breaks the cycle.
  let sessionsRef: ReturnType<typeof createSessions> | null = null;
  const webhooks = createWebhooks(ctx, {
    emitCurrent(app, sessionId) {
      const s = sessionsRef!;
      return db
        .transaction(() => {
          const row = s.rowById(sessionId);
          if (!row || row.application_id !== app.applicationId) return null;
          const id = s.emit(row, ['status.updated']);
          return id;
        })
        .immediate();
    },
  });
  const faces = createFaceStore(ctx);
  const faceSearch = createFaceSearch(ctx, { faces, media });
  const sessions = createSessions(ctx, { workflows, media, webhooks, faces, faceSearch });
  sessionsRef = sessions;
  const faceMatch = createFaceMatch(ctx, { sessions, media, faces });
  const lists = createFaceLists(ctx, { faces, media });
  const quality = createQuality(ctx);

  worker = new DeliveryWorker(ctx, opts.webhookDelivery ?? {}, () => {
    try {
      sessions.expireDue();
    } catch {
      /* another process holds the lock for longer than busy_timeout; next pass retries */
    }
  });
  if (deliver) worker.start();

  const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;

  return {
    dbPath,
    db,
    get publicBaseUrl() {
      return currentBaseUrl();
    },
    set publicBaseUrl(value: string) {
      ownBaseUrl = trimUrl(value);
      if (!closed) servers.record(ownBaseUrl);
    },
    liveServeUrl() {
      const url = closed ? null : servers.live();
      return url ? trimUrl(url) : null;
    },
    lastServe() {
      if (closed) return null;
      const last = servers.last();
      return last ? { url: trimUrl(last.url), stopped_at: last.stopped_at } : null;
    },
    accounts,
    workflows: {
      create: workflows.create,
      list: workflows.list,
      page: workflows.page,
      get: workflows.get,
      update: workflows.update,
      remove: workflows.remove,
      byLinkCode: workflows.byLinkCode,
      defaultId: workflows.defaultId,
    },
    sessions: {
      create: sessions.create,
      list: sessions.list,
      decision: sessions.decision,
      submitImages: sessions.submitImages,
      simulate: sessions.simulate,
      byToken: sessions.byToken,
      createFromWorkflowLink: sessions.createFromWorkflowLink,
      updateStatus: sessions.updateStatus,
      listReviews: sessions.listReviews,
      addReview: sessions.addReview,
      deleteSession: sessions.deleteSession,
      deleteSessions: sessions.deleteSessions,
      sessionPdf: sessions.sessionPdf,
    },
    faceMatch,
    faceSearch,
    lists,
    faces,
    deliveries: createDeliveryRecords(ctx),
    applications: createApplications(ctx),
    listenSlots: createListenSlots(ctx, webhooks),
    syntheticFaces: createSyntheticFaces(ctx, faces),
    credential: {
      ensure: () => ensureSandboxCredential({ db, dbPath }),
      check: (presented) => checkSandboxCredential(db, presented),
    },
    quality,
    media: { signedUrl: media.signedUrl, open: media.open },
    webhooks: {
      getConfig: (app) => webhooks.getConfig(app),
      updateConfig: (app, input) => webhooks.updateConfig(app, input),
      createDestination: webhooks.createDestination,
      listDestinations: webhooks.listDestinations,
      getDestination: webhooks.getDestination,
      updateDestination: webhooks.updateDestination,
      deleteDestination: webhooks.deleteDestination,
      listDeliveries: webhooks.listDeliveries,
      sessionWebhookLog: webhooks.sessionWebhookLog,
      requeueDelivery: webhooks.requeueDelivery,
      latestAttempt: webhooks.latestAttempt,
      resend: webhooks.resend,
      flush: async (timeoutMs = 30_000) => {
        if (closed) return;
        await worker!.drain(timeoutMs);
      },
    },
    status() {
      const latency = db
        .prepare<[], { ms: number }>(
          `SELECT finished_at - created_at AS ms FROM webhook_outbox WHERE state = 'delivered' ORDER BY id DESC LIMIT 1000`,
        )
        .all()
        .map((r) => r.ms)
        .sort((a, b) => a - b);
      return {
        dbPath,
        publicBaseUrl: currentBaseUrl(),
        counts: {
          accounts: count('SELECT COUNT(*) AS n FROM accounts'),
          organizations: count('SELECT COUNT(*) AS n FROM organizations'),
          applications: count('SELECT COUNT(*) AS n FROM applications'),
          api_keys_active: count('SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL'),
          workflows: count('SELECT COUNT(*) AS n FROM workflows'),
          sessions: count("SELECT COUNT(*) AS n FROM sessions WHERE kind = 'session'"),
          face_matches: count("SELECT COUNT(*) AS n FROM sessions WHERE kind = 'face_match'"),
          media: count('SELECT COUNT(*) AS n FROM media'),
          faces: count('SELECT COUNT(*) AS n FROM faces'),
          webhook_destinations: count('SELECT COUNT(*) AS n FROM webhook_destinations'),
          webhook_deliveries_pending: count("SELECT COUNT(*) AS n FROM webhook_outbox WHERE state = 'pending'"),
          webhook_deliveries_delivered: count("SELECT COUNT(*) AS n FROM webhook_outbox WHERE state = 'delivered'"),
          webhook_deliveries_failed: count("SELECT COUNT(*) AS n FROM webhook_outbox WHERE state = 'failed'"),
          webhook_attempts: count('SELECT COUNT(*) AS n FROM webhook_attempts'),
          ...(latency.length ? { webhook_delivery_latency_p50_ms: latency[Math.floor((latency.length - 1) / 2)]! } : {}),
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        servers.forget();
      } catch {
        /* busy: readers skip entries of processes that are gone */
      }
      await worker!.stop();
      await checkpointer?.stop();
      db.close();
    },
  };
}
