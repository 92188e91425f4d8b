// Helps an agent pick review/decline thresholds from the user's own labelled pairs.
import { z } from 'zod';
import type { PromptDefinition } from './prompt.js';

export const chooseThresholds: PromptDefinition = {
  name: 'choose_thresholds',
  title: 'Choose face match thresholds',
  description:
    'Pick face_match_score_decline_threshold and face_match_score_review_threshold for a workflow from measured score distributions on the user\'s own labelled photo pairs (calibrate_thresholds), trading fraud risk against manual review load.',
  argsSchema: {
    pairs_dir: z.string().optional().describe('Folder with the user\'s labelled pairs (pairs.tsv: path_a<TAB>path_b<TAB>same[<TAB>fold]).'),
    risk_tolerance: z.string().optional().describe('"strict" (fraud is costly), "balanced" or "lenient" (friction is costly).'),
  },
  render({ pairs_dir, risk_tolerance }) {
    const dir = pairs_dir?.trim() ? `the folder ${pairs_dir.trim()}` : 'a folder of the user\'s own labelled pairs (ask for it)';
    const risk = risk_tolerance?.trim() || 'balanced';
    return `Choose face match thresholds for a workflow (risk tolerance: ${risk}).

Background: scores are 0-100, calibrated. A workflow declines at score <= face_match_score_decline_threshold (default 50), sends to review at score <= face_match_score_review_threshold (default 70), approves above. Standalone /v3/face-match/ has one threshold (default 30). Read facematch://calibration for how raw similarity maps to scores and the false-accept rate at each score on public benchmark data.

1. Get data that looks like production: pairs of (selfie, ID or reference photo) from the user's own domain, labelled same/different person, at least a few hundred of each if possible. Write pairs.tsv in ${dir} with lines path_a<TAB>path_b<TAB>1 (same) or 0 (different), paths relative to the folder. Never upload or copy personal photos elsewhere.
2. Call calibrate_thresholds with that folder (it samples at most max_pairs pairs, default 200, and stops at a time budget; pass a larger max_pairs for a fuller measure). It returns both score distributions, the false accept rate (different people scored above a threshold) and false reject rate (same person at or below) per threshold, pairs where no face was found, the engine's own calibrated point for the chosen target_far, and suggested decline/review thresholds with, in plain words, the share of different-person pairs above each.
3. Treat the suggestion as a starting point, not an answer: show the user the numbers and decide together. Two different errors, one threshold each:
   - face_match_score_review_threshold controls impostors auto-approved (score above it): the smallest score where the false accept rate (FAR) is acceptable. strict: FAR <= 0.1%; balanced: <= 0.1-0.5%; lenient: <= 1%. Never go below the engine_floor the tool reports: a small set cannot show a lower FAR.
   - face_match_score_decline_threshold controls genuine users auto-declined (score at or below it): the largest score, not above the review threshold, where the false reject rate (FRR) is acceptable, typically <= 1%.
   Check before proposing anything: the impostor share above the review threshold (impostor_share_above_review), the share that lands in review (review_share_impostor; if most impostors wait for review, the decline threshold is doing little), the genuine users declined (genuine_share_declined), and whether the sample was cut (stopped_early, pairs_used vs pairs_in_file). With fewer than ~1,000 impostor pairs, FAR below 0.1% is not measurable: say so.
4. Apply only what the user approves: create_workflow (or update the user's config) with FACE_MATCH config face_match_score_decline_threshold and face_match_score_review_threshold (0..100, decline <= review). Then test with create_session + submit_session_images on a few held-out pairs (another fold) and show the decisions.
5. Record the numbers and the date in the project's docs; re-run calibrate_thresholds when the capture setup changes.`;
  },
};
