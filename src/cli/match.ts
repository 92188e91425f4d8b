// facematch-mcp match USER_IMAGE REF_IMAGE [--decline-threshold N] [--review-threshold N]
// Prints the face_match report as JSON. With --review-threshold (or --workflow) the
// workflow rule is used (defaults 50/70), otherwise the standalone rule (default 30).
import { UsageError, printJson, type Command } from './common.js';
import { FaceEngine, decideStandalone, decideWorkflow, STANDALONE_DECLINE_DEFAULT, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT } from '../engine/index.js';
import { isFacematchError } from '../errors.js';
import { numberFlag, parseArgs, readImageFile } from './args.js';

const USAGE = 'facematch-mcp match USER_IMAGE REF_IMAGE [--decline-threshold N] [--review-threshold N]';

/** Checks the thresholds before any file is read; errors name the CLI flags, not API fields. */
function checkThresholds(workflow: boolean, decline: number | undefined, review: number | undefined): void {
  try {
    if (workflow) decideWorkflow(0, decline ?? WORKFLOW_DECLINE_DEFAULT, review ?? WORKFLOW_REVIEW_DEFAULT, null);
    else decideStandalone(0, decline ?? STANDALONE_DECLINE_DEFAULT);
  } catch (err) {
    if (!isFacematchError(err)) throw err;
    const msg = err.message.replace(/face_match_score_decline_threshold/g, '--decline-threshold').replace(/face_match_score_review_threshold/g, '--review-threshold');
    const defaults = workflow && (decline === undefined || review === undefined) ? ` (workflow defaults: decline ${WORKFLOW_DECLINE_DEFAULT}, review ${WORKFLOW_REVIEW_DEFAULT})` : '';
    throw new UsageError(msg.replace(/\.$/, `${defaults}.`));
  }
}

export const run: Command = async (argv) => {
  const { positional, flags } = parseArgs(argv, ['decline-threshold', 'review-threshold', 'node-id'], ['workflow', 'rotate']);
  if (positional.length !== 2) {
    throw new UsageError(`match needs exactly two image paths (got ${positional.length}): ${USAGE}.`);
  }
  const decline = numberFlag(flags, 'decline-threshold');
  const review = numberFlag(flags, 'review-threshold');
  const workflow = flags.workflow === 'true' || review !== undefined;
  checkThresholds(workflow, decline, review);
  const user = readImageFile(positional[0]!, 'user_image');
  const ref = readImageFile(positional[1]!, 'ref_image');
  const report = await FaceEngine.shared().match(user, ref, {
    mode: workflow ? 'workflow' : 'standalone',
    declineThreshold: decline,
    reviewThreshold: review,
    rotateImage: flags.rotate === 'true',
    nodeId: flags['node-id'] ?? null,
  });
  printJson(report);
  return 0;
};
