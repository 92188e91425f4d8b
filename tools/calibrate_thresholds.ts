// calibrate_thresholds: the user's labelled pairs -> score distributions and suggested workflow
// thresholds. A thin adapter over src/services/calibration.ts (shared with `facematch-mcp calibrate`).
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';
import { CALIBRATION_DEFAULTS, calibrate } from '../src/services/calibration.js';

const dist = z.object({
  pairs: z.number().int(),
  not_scored: z.number().int(),
  histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number().int() })),
  percentiles: z.record(z.string(), z.number().nullable()),
  mean: z.number().nullable(),
});
const share = z.number().nullable();

const outputSchema = z.object({
  folder: z.string(),
  pairs_in_file: z.number().int(),
  pairs_used: z.number().int(),
  images_analysed: z.number().int(),
  images_cached: z.number().int(),
  stopped_early: z.boolean(),
  genuine: dist,
  impostor: dist,
  table: z.array(z.object({ threshold: z.number(), far: share, frr: share })),
  eer: share,
  engine_floor: z.object({ review_threshold: z.number(), far: z.number(), impostor_pairs: z.number(), note: z.string() }),
  suggested: z.object({
    face_match_score_decline_threshold: share,
    face_match_score_review_threshold: share,
    impostor_share_above_review: share,
    impostor_share_above_decline: share,
    genuine_share_declined: share,
    review_share_genuine: share,
    review_share_impostor: share,
    raised_to_engine_floor: z.boolean(),
    rationale: z.string(),
  }),
  failures: z.array(z.object({ line: z.number().int(), path: z.string(), problem: z.string() })),
  failures_total: z.number().int(),
});

export const calibrateThresholds = defineTool({
  name: 'calibrate_thresholds',
  title: 'Calibrate thresholds on your own pairs',
  description:
    'Measure the face engine on the user\'s labelled photo pairs (folder with pairs.tsv: "path_a<TAB>path_b<TAB>1|0[<TAB>fold]", 1 = same person) and suggest workflow thresholds, never below the engine\'s own calibrated point for target_far. Returns distributions, FAR/FRR per threshold and, in plain words, the share of different-person pairs above each suggestion. Samples at most max_pairs, stops at a time budget, caches embeddings, sends progress. Show the result to the user before create_workflow.',
  inputSchema: z.strictObject({
    folder: z.string().min(1, { error: 'folder is required: the directory holding pairs.tsv.' }).describe('Directory with pairs.tsv (absolute, or relative to the server working directory).'),
    pairs_file: z.string().min(1).default(CALIBRATION_DEFAULTS.pairsFile),
    max_pairs: z.number().int().min(2, { error: 'max_pairs must be at least 2.' }).max(5000, { error: 'max_pairs must be at most 5000.' }).default(CALIBRATION_DEFAULTS.maxPairs).describe('Even, balanced sample of at most this many pairs (default 200).'),
    fold: z.number().int().optional().describe('Only pairs of this fold (4th column).'),
    target_far: z.number().gt(0).lt(1, { error: 'target_far must be between 0 and 1, e.g. 0.001.' }).default(CALIBRATION_DEFAULTS.targetFar).describe('Acceptable share of impostors auto-approved.'),
    target_frr: z.number().gt(0).lt(1, { error: 'target_frr must be between 0 and 1, e.g. 0.01.' }).default(CALIBRATION_DEFAULTS.targetFrr).describe('Acceptable share of genuine users auto-declined.'),
  }),
  outputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const folder = isAbsolute(input.folder) ? input.folder : resolve(ctx.cwd, input.folder);
    const engine = await ctx.engine();
    // Imported here: embed.js pulls in onnxruntime, which would slow every server start.
    const { cosine } = await import('../src/engine/embed.js');
    const { summary, ...result } = await calibrate(
      { folder, pairsFile: input.pairs_file, maxPairs: input.max_pairs, fold: input.fold, targetFar: input.target_far, targetFrr: input.target_frr },
      {
        embed: async (bytes) => (await engine.embed(bytes))?.embedding ?? null,
        cosine,
        readImage: async (path) => (await loadImageArg(path, path, { cwd: folder })).bytes,
        progress: (done, total, message) => ctx.progress(done, total, message),
        signal: ctx.signal,
      },
    );
    return { structured: result, summary };
  },
});
