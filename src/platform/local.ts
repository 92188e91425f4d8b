// The local implementation: the sandbox services in this process, called the way the HTTP
// twin's routes call them, so a tool gets the same answer here as over HTTP.
import { randomUUID } from 'node:crypto';
import { FacematchError } from '../errors.js';
import type { FaceEngine } from '../engine/index.js';
import { compareFaces, describeApplications, type AppContext, type ApplicationSummary, type SandboxServices } from '../services/index.js';
import type { SimulateOutcome } from '../contract/index.js';
import { withEventIds } from './deliveries.js';
import type { ActingFor, DeliveryEntry, PageQuery, Platform, PlatformStatus, ReviewResult, SandboxControls } from './types.js';

/** Which application this connection acts for: null = the latest provisioned one. */
export interface AppSelection {
  /** An application uuid or name. */
  chosen: string | null;
  chosenBy: string;
}

/** How long a resend waits for the receiver's answer, as the platform's resend call does. */
const RESEND_WAIT_MS = 5000;

function nextOffset(q: PageQuery, got: number, count: number): number | null {
  return got && q.offset + got < count ? q.offset + got : null;
}

export interface LocalPlatformOptions {
  sandbox: SandboxServices;
  selection: AppSelection;
  /** The engine with progress notifications bound to the current call. */
  engine: () => Promise<FaceEngine>;
  /** The HTTP twin's base URL when this process serves one. */
  httpBaseUrl: string | null;
}

export class LocalPlatform implements Platform, SandboxControls {
  readonly kind = 'local' as const;
  readonly label: string;
  private readonly sandbox: SandboxServices;
  private readonly selection: AppSelection;
  private readonly engine: () => Promise<FaceEngine>;
  private readonly httpBaseUrl: string | null;

  constructor(opts: LocalPlatformOptions) {
    this.sandbox = opts.sandbox;
    this.selection = opts.selection;
    this.engine = opts.engine;
    this.httpBaseUrl = opts.httpBaseUrl;
    this.label = `local sandbox (${opts.sandbox.dbPath})`;
  }

  // ---- application choice -------------------------------------------------------------------

  applications(): Array<{ application_id: string; name: string; organization_id: string }> {
    return this.sandbox.applications.list().map((a) => ({ application_id: a.application_id, name: a.name, organization_id: a.organization_id }));
  }

  /** The chosen application (FACEMATCH_APP, use_application), else the latest provisioned: the services' one rule. */
  private resolved(): { app: AppContext; application: ApplicationSummary } {
    const found = this.sandbox.applications.resolve(this.selection.chosen);
    if (found.ok) return found;
    if (found.reason === 'empty') {
      throw new FacematchError('FORBIDDEN', 'This sandbox has no account yet: call provision_account first (any email; it returns an API key and application id).');
    }
    throw new FacematchError(
      'NOT_FOUND',
      `${this.selection.chosenBy} names application '${this.selection.chosen}', which this sandbox (${this.sandbox.dbPath}) cannot use: ${found.problem}. Call use_application with no arguments to list the applications, or provision_account to create one.`,
    );
  }

  private acted = false;

  actedForApplication(): boolean {
    return this.acted;
  }

  private app(): AppContext {
    const { app } = this.resolved();
    this.acted = true;
    return app;
  }

  actingFor(): ActingFor {
    const { application } = this.resolved();
    return { application_id: application.application_id, name: application.name, chosen_by: this.selection.chosen === null ? 'latest provisioned' : this.selection.chosenBy };
  }

  useApplication(idOrName: string): ActingFor {
    const found = this.sandbox.applications.resolve(idOrName.trim());
    if (!found.ok) {
      const known = found.known.length ? `Known: ${describeApplications(found.known)}.` : 'It has none yet: call provision_account.';
      const why = found.reason === 'ambiguous' ? `${found.problem}.` : `No application '${idOrName}' in this sandbox.`;
      throw new FacematchError(found.reason === 'ambiguous' ? 'VALIDATION' : 'NOT_FOUND', `${why} ${known}`);
    }
    const { application } = found;
    this.selection.chosen = application.application_id;
    this.selection.chosenBy = 'use_application';
    return { application_id: application.application_id, name: application.name, chosen_by: 'use_application' };
  }

  provision(email: string, password?: string) {
    const res = this.sandbox.accounts.provision({ email, ...(password !== undefined ? { password } : {}) });
    // The account just provisioned is the one the agent means next, whatever was chosen before.
    this.selection.chosen = res.application_id;
    this.selection.chosenBy = 'provision_account';
    return res;
  }

  async status(): Promise<PlatformStatus> {
    const st = this.sandbox.status();
    let acting: ActingFor;
    try {
      acting = this.actingFor();
    } catch {
      acting = { application_id: null, name: null, chosen_by: this.selection.chosen === null ? 'none yet (call provision_account)' : `${this.selection.chosenBy} (unknown application)` };
    }
    return { kind: 'local', base_url: this.httpBaseUrl, acting_for: acting, db_path: st.dbPath, capture_base_url: st.publicBaseUrl, live_serve_url: this.sandbox.liveServeUrl(), last_serve: this.sandbox.lastServe(), counts: st.counts };
  }

  // ---- workflows, sessions ------------------------------------------------------------------

  async createWorkflow(input: Parameters<Platform['createWorkflow']>[0]) {
    return this.sandbox.workflows.create(this.app(), input);
  }

  async listWorkflows(query: PageQuery) {
    const res = this.sandbox.workflows.page(this.app(), query);
    return { count: res.count, next_offset: nextOffset(query, res.results.length, res.count), results: res.results };
  }

  async createSession(input: Parameters<Platform['createSession']>[0]) {
    return this.sandbox.sessions.create(this.app(), input);
  }

  async listSessions(query: Parameters<Platform['listSessions']>[0]) {
    const res = this.sandbox.sessions.list(this.app(), query);
    return { count: res.count, next_offset: nextOffset(query, res.results.length, res.count), results: res.results };
  }

  async getDecision(sessionId: string) {
    return this.sandbox.sessions.decision(this.app(), sessionId);
  }

  async reviewSession(sessionId: string, input: Parameters<Platform['reviewSession']>[1]): Promise<ReviewResult> {
    const app = this.app();
    const res = this.sandbox.sessions.updateStatus(app, sessionId, input);
    // As on the platform, update-status answers with the id; the status is read back.
    return { session_id: res.session_id, status: this.sandbox.sessions.decision(app, sessionId).status };
  }

  async deleteSession(sessionId: string) {
    this.sandbox.sessions.deleteSession(this.app(), sessionId);
  }

  async submitImages(sessionId: string, images: { selfie: Buffer; reference?: Buffer }) {
    const app = this.app();
    // Loads the models first (with progress notifications) so the services' match is warm.
    await this.engine();
    return this.sandbox.sessions.submitImages({ app, sessionId }, images);
  }

  revokeKey(apiKey: string) {
    return this.sandbox.accounts.revokeKey(apiKey, { applicationId: this.app().applicationId });
  }

  recentDeliveryIds(limit: number): string[] {
    const events = this.sandbox.deliveries.listByEvent(this.app(), { limit });
    return events
      .flatMap((e) => e.attempts.map((a) => a.id))
      .sort((a, b) => b - a)
      .slice(0, limit)
      .map(String);
  }

  deliveryAttempt(attemptId: number | string) {
    const app = this.app();
    const record = this.sandbox.deliveries.attempt(app, attemptId);
    let secret: string | null = null;
    try {
      secret = this.sandbox.webhooks.getDestination(app, record.destination_id).secret_shared_key;
    } catch (err) {
      if (!(err instanceof FacematchError && err.code === 'NOT_FOUND')) throw err;
    }
    return { record, secret };
  }

  async simulate(sessionId: string, outcome: SimulateOutcome) {
    return this.sandbox.sessions.simulate(this.app(), sessionId, outcome);
  }

  // ---- webhooks -----------------------------------------------------------------------------

  async createDestination(input: Parameters<Platform['createDestination']>[0]) {
    return this.sandbox.webhooks.createDestination(this.app(), input);
  }

  async listDestinations() {
    return this.sandbox.webhooks.listDestinations(this.app());
  }

  async getDestination(uuid: string) {
    return this.sandbox.webhooks.getDestination(this.app(), uuid);
  }

  async updateDestination(uuid: string, patch: Parameters<Platform['updateDestination']>[1]) {
    return this.sandbox.webhooks.updateDestination(this.app(), uuid, patch);
  }

  async deleteDestination(uuid: string) {
    this.sandbox.webhooks.deleteDestination(this.app(), uuid);
  }

  async listDeliveries(sessionId: string, opts: { waitMs: number }): Promise<DeliveryEntry[]> {
    const app = this.app();
    if (opts.waitMs > 0) await this.sandbox.webhooks.flush(opts.waitMs);
    return withEventIds(this.sandbox.webhooks.sessionWebhookLog(app, sessionId));
  }

  async resendWebhook(input: Parameters<Platform['resendWebhook']>[0]) {
    const app = this.app();
    // Newest first: the first match is the latest delivery of that event, as the hosted client picks it.
    const log = withEventIds(this.sandbox.webhooks.sessionWebhookLog(app, input.session_id));
    const entry = input.event_id ? log.find((d) => d.event_id === input.event_id) : log[0];
    if (!entry) {
      throw new FacematchError(
        'NOT_FOUND',
        input.event_id
          ? `Session ${input.session_id} has no delivery of event ${input.event_id}; use an event_id from list_webhook_deliveries for that session.`
          : `Session ${input.session_id} has no webhook delivery to resend yet (no destination subscribed, or nothing happened yet).`,
      );
    }
    // What POST /v3/session/{id}/webhook/{uuid}/resend does: queue it again, wait briefly for the attempt.
    const outboxId = this.sandbox.webhooks.requeueDelivery(app, input.session_id, entry.uuid);
    const before = this.sandbox.webhooks.latestAttempt(outboxId)?.uuid;
    const deadline = Date.now() + RESEND_WAIT_MS;
    while (this.sandbox.webhooks.latestAttempt(outboxId)?.uuid === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return { event_id: entry.event_id ?? entry.uuid, queued: 1 };
  }

  // ---- standalone face match ----------------------------------------------------------------

  async faceMatch(input: Parameters<Platform['faceMatch']>[0]) {
    const { body, alignedFaces, extras } = await compareFaces(() => this.engine(), {
      userImage: input.userImage,
      refImage: input.refImage,
      declineThreshold: input.declineThreshold,
      rotateImage: input.rotateImage,
      withAlignedFaces: true,
    });
    return { request_id: randomUUID(), face_match: body, created_at: new Date().toISOString(), engine: extras, alignedFaces };
  }

  async faceSearch(input: Parameters<Platform['faceSearch']>[0]) {
    const app = this.app();
    await this.engine();
    return this.sandbox.faceSearch.search(app, {
      userImage: input.userImage,
      searchType: input.searchType,
      rotateImage: input.rotateImage,
      saveApiRequest: false,
      vendorData: input.vendorData,
    });
  }
}
