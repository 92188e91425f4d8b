// facematch-mcp match USER_IMAGE REF_IMAGE [--decline-threshold N] [--review-threshold N]
// Prints the face_match report as JSON. With --review-threshold (or --workflow) the
// workflow rule is used (defaults 50/70), otherwise the standalone rule (default 30).
import { UsageError, printJson, type Command } from './common.js';
import { FaceEngine, decideStandalone, decideWorkflow, STANDALONE_DECLINE_DEFAULT, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT } from '../engine/index.js';
import { isFacematchError } from '../errors.js';
import { readImageFile } from './image-file.js';
import { decimalFlag, defineCommand, printedHelp, readFlags } from './flags.js';

export const MATCH = defineCommand({
  name: 'match',
  args: 'USER_IMAGE REF_IMAGE',
  summary: 'Compares two photos and prints the face_match report as JSON. With --review-threshold (or --workflow)\nthe workflow rule is used (defaults 50/70), otherwise the standalone rule (default 30).',
  flags: {
    'decline-threshold': { type: 'string', value: 'N', description: 'scores at or below it are Declined' },
    'review-threshold': { type: 'string', value: 'N', description: 'scores at or below it go to In Review (implies --workflow)' },
    workflow: { type: 'boolean', description: 'decide with the workflow rule (decline and review thresholds)' },
    rotate: { type: 'boolean', description: 'also try the photos turned 90, 180 and 270 degrees' },
    'node-id': { type: 'string', value: 'ID', description: 'the node_id to put in the report' },
  },
});

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
  if (printedHelp(MATCH, argv)) return 0;
  const { positionals: positional, values: flags } = readFlags(MATCH, argv);
  if (positional.length !== 2) {
    throw new UsageError(`match needs exactly two image paths (got ${positional.length}): facematch-mcp match USER_IMAGE REF_IMAGE [--decline-threshold N] [--review-threshold N].`);
  }
  const decline = decimalFlag('decline-threshold', flags['decline-threshold']);
  const review = decimalFlag('review-threshold', flags['review-threshold']);
  const workflow = flags.workflow || review !== undefined;
  checkThresholds(workflow, decline, review);
  const user = readImageFile(positional[0]!, 'user_image');
  const ref = readImageFile(positional[1]!, 'ref_image');
  const report = await FaceEngine.shared().match(user, ref, {
    mode: workflow ? 'workflow' : 'standalone',
    declineThreshold: decline,
    reviewThreshold: review,
    rotateImage: flags.rotate,
    nodeId: flags['node-id'] ?? null,
  });
  printJson(report);
  return 0;
};
