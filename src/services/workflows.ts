// Workflows: SPEC validation (strict UPPERCASE feature enum, FACE_MATCH config ranges and
// ordering), versions (PATCH bumps `version`; every version is kept so a session keeps the
// rules it was created with), and the hosted API's response shape.
import { z } from 'zod';
import { FacematchError } from '../errors.js';
import { iso, newId, randomToken, validate, type ServiceContext } from './context.js';
import type { AppContext } from './types.js';
import { FEATURE_ALIASES, FEATURE_NAMES, NOT_COMPUTED_ACTIONS, type FaceMatchConfig, type FeatureName, type Workflow, type WorkflowFeature } from '../contract/index.js';

export const FACE_MATCH_DEFAULTS: FaceMatchConfig = {
  face_match_score_decline_threshold: 50,
  face_match_score_review_threshold: 70,
  face_match_not_computed_action: 'DECLINE',
  face_match_max_attempts: 3,
};

/** The stored definition of one workflow version. */
export interface WorkflowDefinition {
  workflow_label: string;
  /** Kept for definitions stored before the strict create; new ones derive it from features. */
  workflow_type?: string | null;
  features: WorkflowFeature[];
  publish_status?: 'draft' | 'published';
  is_white_label_enabled?: boolean;
  is_desktop_allowed?: boolean;
  max_retry_attempts: number;
  retry_window_days: number;
  session_expiration_time: number;
}

const FEATURE_LIST = FEATURE_NAMES.join(', ');

/** A feature name as the platform spells it; the older spellings in FEATURE_ALIASES are read as theirs. */
const featureName = z
  .string({ error: 'Each feature name must be a string.' })
  .transform((f, c): FeatureName => {
    if ((FEATURE_NAMES as readonly string[]).includes(f)) return f as FeatureName;
    const alias = FEATURE_ALIASES[f];
    if (alias) return alias;
    const upper = f.toUpperCase();
    const fixed = (FEATURE_NAMES as readonly string[]).includes(upper) ? upper : FEATURE_ALIASES[upper];
    const hint = fixed ? ` Feature names are UPPERCASE: use '${fixed}'.` : '';
    c.addIssue({ code: 'custom', message: `Unknown feature '${f.slice(0, 60)}'.${hint} Allowed: ${FEATURE_LIST}.` });
    return z.NEVER;
  });

const threshold = (name: string) =>
  z
    .number({ error: `${name} must be a number from 0 to 100.` })
    .min(0, { error: `${name} must be from 0 to 100.` })
    .max(100, { error: `${name} must be from 0 to 100.` });

/** An integer in [min, max]; every way of missing it gets the same sentence. */
const wholeNumber = (message: string, min: number, max: number) =>
  z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });

const FaceMatchConfigInput = z.object({
  face_match_score_decline_threshold: threshold('face_match_score_decline_threshold').optional(),
  face_match_score_review_threshold: threshold('face_match_score_review_threshold').optional(),
  face_match_not_computed_action: z
    .enum(NOT_COMPUTED_ACTIONS, { error: 'face_match_not_computed_action must be REVIEW or DECLINE.' })
    .optional(),
  // The platform documents 2..5 attempts per FACE_MATCH node (default 3).
  face_match_max_attempts: wholeNumber('face_match_max_attempts must be an integer from 2 to 5.', 2, 5).optional(),
});

const FeatureInput = z.object({
  feature: featureName,
  config: z
    .record(z.string(), z.unknown(), { error: 'config must be a JSON object.' })
    .nullish(),
  label: z.string({ error: 'label must be a string.' }).max(100, { error: 'label must be at most 100 characters.' }).nullish(),
});

const settings = {
  workflow_label: z
    .string({ error: 'workflow_label must be a string.' })
    .trim()
    .min(1, { error: 'workflow_label must not be empty.' })
    .max(50, { error: 'workflow_label must be at most 50 characters.' }),
  is_default: z.boolean({ error: 'is_default must be true or false.' }).optional(),
  status: z.enum(['draft', 'published'], { error: 'status must be "draft" or "published".' }).optional(),
  is_white_label_enabled: z.boolean({ error: 'is_white_label_enabled must be true or false.' }).optional(),
  is_desktop_allowed: z.boolean({ error: 'is_desktop_allowed must be true or false.' }).optional(),
  features: z
    .array(FeatureInput, { error: 'features must be a list of {feature, config} objects.' })
    .min(1, { error: 'features must list at least one feature.' }),
  max_retry_attempts: wholeNumber('max_retry_attempts must be an integer from 0 to 10.', 0, 10).optional(),
  retry_window_days: wholeNumber('retry_window_days must be an integer from 1 to 365.', 1, 365).optional(),
  session_expiration_time: wholeNumber('session_expiration_time must be a whole number of minutes from 1 to 43200.', 1, 43_200).optional(),
};

const CreateInput = z.object({ ...settings, workflow_label: settings.workflow_label.optional() });
const UpdateInput = z.object({ ...settings, workflow_label: settings.workflow_label.optional(), features: settings.features.optional() });
const ALLOWED_KEYS = new Set(Object.keys(settings));
const ALLOWED_FEATURE_KEYS = new Set(['feature', 'config', 'label']);

/**
 * The platform answers 400 for keys it does not know, and in particular for the flat
 * `is_*_enabled` flags and `workflow_type` of its older API: the feature list replaced them.
 */
function refuseUnknownKeys(input: unknown, what: string): void {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return;
  for (const key of Object.keys(input)) {
    if (ALLOWED_KEYS.has(key)) continue;
    let msg: string;
    if (key === 'workflow_type') {
      msg = "workflow_type is not accepted: the platform derives the workflow from its features list (e.g. [{\"feature\":\"OCR\"},{\"feature\":\"FACE_MATCH\"}]).";
    } else if (/^is_.+_enabled$/.test(key)) {
      const name = key.slice(3, -8).toUpperCase();
      const feature = (FEATURE_NAMES as readonly string[]).includes(name) ? name : FEATURE_ALIASES[name] ?? null;
      msg = `${key} is not accepted: list the step in features instead${feature ? ` ({"feature":"${feature}"})` : ''}.`;
    } else {
      msg = `Unknown field '${key.slice(0, 60)}' in the ${what}. Allowed: ${[...ALLOWED_KEYS].join(', ')}.`;
    }
    throw new FacematchError('VALIDATION', msg, { fields: { [key]: [msg] } });
  }
  const features = (input as Record<string, unknown>).features;
  if (Array.isArray(features)) {
    features.forEach((f, i) => {
      if (!f || typeof f !== 'object' || Array.isArray(f)) return;
      for (const key of Object.keys(f)) {
        if (ALLOWED_FEATURE_KEYS.has(key)) continue;
        const msg = `Unknown field '${key.slice(0, 60)}' in features[${i}]; a feature is {feature, config?, label?}.`;
        throw new FacematchError('VALIDATION', msg, { fields: { [`features.${i}.${key}`]: [msg] } });
      }
    });
  }
}

type FeatureInputT = z.infer<typeof FeatureInput>;

/** Validates the feature list as a whole and fills in FACE_MATCH defaults. */
function normaliseFeatures(features: FeatureInputT[]): WorkflowFeature[] {
  const seen = new Set<string>();
  const out: WorkflowFeature[] = [];
  let documentAt = -1;
  features.forEach((f, i) => {
    const canonical = f.feature;
    if (seen.has(canonical)) {
      throw new FacematchError('VALIDATION', `features: ${f.feature} is listed twice.`, {
        fields: { [`features.${i}.feature`]: [`${f.feature} is listed twice.`] },
      });
    }
    seen.add(canonical);
    if (canonical === 'OCR') documentAt = i;
    if (f.feature === 'FACE_MATCH') {
      const cfg = validate(FaceMatchConfigInput, f.config ?? {}, 'FACE_MATCH config');
      const merged: FaceMatchConfig = { ...FACE_MATCH_DEFAULTS };
      for (const [k, v] of Object.entries(cfg)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
      if (merged.face_match_score_decline_threshold > merged.face_match_score_review_threshold) {
        const msg = `face_match_score_decline_threshold (${merged.face_match_score_decline_threshold}) must be <= face_match_score_review_threshold (${merged.face_match_score_review_threshold}).`;
        throw new FacematchError('VALIDATION', msg, { fields: { face_match_score_decline_threshold: [msg] } });
      }
      out.push({ feature: 'FACE_MATCH', config: { ...(f.config ?? {}), ...merged }, ...(f.label ? { label: f.label } : {}) });
      return;
    }
    out.push({ feature: f.feature, config: f.config ?? {}, ...(f.label ? { label: f.label } : {}) });
  });
  // FACE_MATCH compares the selfie with the document portrait, so the document step comes
  // first. Without any document step the workflow is allowed: sessions then supply
  // portrait_image (or a reference photo at capture), else NO_REFERENCE_IMAGE.
  const faceAt = out.findIndex((f) => f.feature === 'FACE_MATCH');
  if (faceAt >= 0 && documentAt > faceAt) {
    const msg = 'FACE_MATCH must come after OCR in features (it compares the selfie with the document portrait).';
    throw new FacematchError('VALIDATION', msg, { fields: { features: [msg] } });
  }
  return out;
}

/** Reads a stored definition written by any version of the sandbox (older spellings included). */
function normaliseStored(def: WorkflowDefinition): WorkflowDefinition {
  return {
    ...def,
    features: def.features.map((f) => ({ ...f, feature: FEATURE_ALIASES[f.feature] ?? f.feature })),
  };
}

export function faceMatchConfig(def: WorkflowDefinition): FaceMatchConfig | null {
  const f = def.features.find((x) => x.feature === 'FACE_MATCH');
  return f ? ({ ...FACE_MATCH_DEFAULTS, ...(f.config as Partial<FaceMatchConfig>) } as FaceMatchConfig) : null;
}

interface WorkflowRow {
  id: string;
  application_id: string;
  link_code: string;
  version: number;
  is_default: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export type WorkflowPage = { count: number; results: Workflow[] };

export interface Workflows {
  create(app: AppContext, input: unknown): Workflow;
  /** Every live workflow of the application, newest first. */
  list(app: AppContext): Workflow[];
  /** One page of list() for the platform's limit/offset envelope. */
  page(app: AppContext, query: { limit?: number; offset?: number }): WorkflowPage;
  get(app: AppContext, workflowId: string): Workflow;
  update(app: AppContext, workflowId: string, input: unknown): Workflow;
  /** Deletes the workflow; sessions made with it keep their rules (its versions stay stored). */
  remove(app: AppContext, workflowId: string): void;
  /** The workflow behind a public `workflow_url` code (for the HTTP twin's /u/{code} page). */
  byLinkCode(code: string): { app: AppContext; workflow: Workflow } | null;
  /** The workflow a session made without one would use: the default, else the newest; null when none. */
  defaultId(app: AppContext): string | null;
}

/** Internal helpers the session services use. */
export interface WorkflowInternals {
  definition(workflowId: string, version: number): WorkflowDefinition;
  current(app: AppContext, workflowId: string): { row: WorkflowRow; def: WorkflowDefinition };
  toWorkflowById(workflowId: string): Workflow;
}

export function createWorkflows(ctx: ServiceContext): Workflows & WorkflowInternals {
  const { db } = ctx;
  const rowStmt = db.prepare<[string, string], WorkflowRow>('SELECT * FROM workflows WHERE id = ? AND application_id = ? AND deleted_at IS NULL');
  const defStmt = db.prepare<[string, number], { definition: string }>(
    'SELECT definition FROM workflow_versions WHERE workflow_id = ? AND version = ?',
  );
  const sessionsUsing = db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM sessions WHERE workflow_id = ?");

  function definition(workflowId: string, version: number): WorkflowDefinition {
    const row = defStmt.get(workflowId, version);
    if (!row) throw new FacematchError('NOT_FOUND', `Workflow ${workflowId} version ${version} not found.`);
    return normaliseStored(JSON.parse(row.definition) as WorkflowDefinition);
  }

  function toWorkflow(row: WorkflowRow): Workflow {
    const def = definition(row.id, row.version);
    const fm = faceMatchConfig(def);
    const kyb = def.features.some((f) => f.feature.startsWith('KYB_'));
    return {
      uuid: row.id,
      workflow_id: row.id,
      workflow_label: def.workflow_label,
      workflow_type: def.workflow_type ?? (kyb ? 'kyb' : 'kyc'),
      is_default: row.is_default === 1,
      is_archived: false,
      features: def.features.map((f) => f.feature),
      feature_configs: def.features,
      is_face_match_enabled: fm !== null,
      face_match_score_decline_threshold: fm?.face_match_score_decline_threshold ?? null,
      face_match_score_review_threshold: fm?.face_match_score_review_threshold ?? null,
      face_match_not_computed_action: fm?.face_match_not_computed_action ?? null,
      face_match_max_attempts: fm?.face_match_max_attempts ?? null,
      // The sandbox charges nothing.
      total_price: '0.00',
      min_price: '0.00',
      max_price: '0.00',
      is_simple_workflow: true,
      is_editable: sessionsUsing.get(row.id)!.n === 0,
      is_white_label_enabled: def.is_white_label_enabled ?? false,
      is_desktop_allowed: def.is_desktop_allowed ?? true,
      workflow_url: `${ctx.publicBaseUrl()}/u/${row.link_code}`,
      max_retry_attempts: def.max_retry_attempts,
      retry_window_days: def.retry_window_days,
      session_expiration_time: def.session_expiration_time,
      version: row.version,
      status: def.publish_status ?? 'published',
      has_draft: false,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  function current(app: AppContext, workflowId: string): { row: WorkflowRow; def: WorkflowDefinition } {
    const row = typeof workflowId === 'string' ? rowStmt.get(workflowId, app.applicationId) : undefined;
    if (!row) throw new FacematchError('NOT_FOUND', `Workflow ${String(workflowId)} not found.`);
    return { row, def: definition(row.id, row.version) };
  }

  function setDefault(app: AppContext, workflowId: string): void {
    db.prepare('UPDATE workflows SET is_default = (id = ?) WHERE application_id = ? AND deleted_at IS NULL').run(workflowId, app.applicationId);
  }

  const listStmt = db.prepare<[string], WorkflowRow>(
    'SELECT * FROM workflows WHERE application_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id',
  );

  return {
    definition,
    current,
    toWorkflowById(workflowId) {
      const row = db.prepare<[string], WorkflowRow>('SELECT * FROM workflows WHERE id = ?').get(workflowId);
      if (!row) throw new FacematchError('NOT_FOUND', `Workflow ${workflowId} not found.`);
      return toWorkflow(row);
    },

    create(app, input) {
      refuseUnknownKeys(input, 'workflow');
      const body = validate(CreateInput, input, 'workflow');
      const def: WorkflowDefinition = {
        workflow_label: body.workflow_label ?? 'Untitled workflow',
        features: normaliseFeatures(body.features),
        publish_status: body.status ?? 'published',
        is_white_label_enabled: body.is_white_label_enabled ?? false,
        is_desktop_allowed: body.is_desktop_allowed ?? true,
        max_retry_attempts: body.max_retry_attempts ?? 3,
        retry_window_days: body.retry_window_days ?? 7,
        session_expiration_time: body.session_expiration_time ?? 1440,
      };
      const id = newId();
      const now = ctx.now();
      db.transaction(() => {
        db.prepare(
          'INSERT INTO workflows (id, application_id, link_code, version, is_default, created_at, updated_at) VALUES (?, ?, ?, 1, 0, ?, ?)',
        ).run(id, app.applicationId, randomToken(16), now, now);
        db.prepare('INSERT INTO workflow_versions (workflow_id, version, definition, created_at) VALUES (?, 1, ?, ?)').run(
          id,
          JSON.stringify(def),
          now,
        );
        const others = db
          .prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM workflows WHERE application_id = ? AND deleted_at IS NULL')
          .get(app.applicationId)!.n;
        // The first workflow of an application becomes its default.
        if (body.is_default || others === 1) setDefault(app, id);
      }).immediate();
      return toWorkflow(rowStmt.get(id, app.applicationId)!);
    },

    list(app) {
      return listStmt.all(app.applicationId).map(toWorkflow);
    },

    page(app, query) {
      const rows = listStmt.all(app.applicationId);
      const offset = query.offset ?? 0;
      const limit = query.limit ?? 50;
      return { count: rows.length, results: rows.slice(offset, offset + limit).map(toWorkflow) };
    },

    get(app, workflowId) {
      return toWorkflow(current(app, workflowId).row);
    },

    update(app, workflowId, input) {
      refuseUnknownKeys(input, 'workflow update');
      const body = validate(UpdateInput, input, 'workflow update');
      const now = ctx.now();
      db.transaction(() => {
        const { row, def } = current(app, workflowId);
        const next: WorkflowDefinition = {
          ...def,
          workflow_label: body.workflow_label ?? def.workflow_label,
          features: body.features ? normaliseFeatures(body.features) : def.features,
          publish_status: body.status ?? def.publish_status ?? 'published',
          is_white_label_enabled: body.is_white_label_enabled ?? def.is_white_label_enabled ?? false,
          is_desktop_allowed: body.is_desktop_allowed ?? def.is_desktop_allowed ?? true,
          max_retry_attempts: body.max_retry_attempts ?? def.max_retry_attempts,
          retry_window_days: body.retry_window_days ?? def.retry_window_days,
          session_expiration_time: body.session_expiration_time ?? def.session_expiration_time,
        };
        const version = row.version + 1;
        db.prepare('INSERT INTO workflow_versions (workflow_id, version, definition, created_at) VALUES (?, ?, ?, ?)').run(
          row.id,
          version,
          JSON.stringify(next),
          now,
        );
        db.prepare('UPDATE workflows SET version = ?, updated_at = ? WHERE id = ?').run(version, now, row.id);
        if (body.is_default === true) setDefault(app, row.id);
        if (body.is_default === false) db.prepare('UPDATE workflows SET is_default = 0 WHERE id = ?').run(row.id);
      }).immediate();
      return toWorkflow(rowStmt.get(workflowId, app.applicationId)!);
    },

    remove(app, workflowId) {
      db.transaction(() => {
        const { row } = current(app, workflowId);
        // A tombstone, not a row delete: sessions keep pointing at the versions they ran with.
        db.prepare('UPDATE workflows SET deleted_at = ?, is_default = 0 WHERE id = ?').run(ctx.now(), row.id);
      }).immediate();
    },

    byLinkCode(code) {
      const row = db.prepare<[string], WorkflowRow>('SELECT * FROM workflows WHERE link_code = ? AND deleted_at IS NULL').get(String(code));
      if (!row) return null;
      const app = db
        .prepare<[string], { organization_id: string }>('SELECT organization_id FROM applications WHERE id = ?')
        .get(row.application_id)!;
      return { app: { applicationId: row.application_id, organizationId: app.organization_id, keyId: null }, workflow: toWorkflow(row) };
    },

    defaultId(app) {
      const row = db
        .prepare<[string], { id: string }>('SELECT id FROM workflows WHERE application_id = ? AND deleted_at IS NULL ORDER BY is_default DESC, created_at DESC LIMIT 1')
        .get(app.applicationId);
      return row?.id ?? null;
    },
  };
}
