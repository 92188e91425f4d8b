// facematch-mcp match USER_IMAGE REF_IMAGE [--decline-threshold N] [--review-threshold N]
// Prints the face_match report as JSON. With --review-threshold (or --workflow) the
// workflow rule is used (defaults 50/70), otherwise the standalone rule (default 30).
import { UsageError, printJson, type Command } from './common.js';
import { FaceEngine } from '../engine/index.js';
import { numberFlag, parseArgs, readImageFile } from './args.js';

export const run: Command = async (argv) => {
  const { positional, flags } = parseArgs(argv, ['decline-threshold', 'review-threshold', 'node-id'], ['workflow', 'rotate']);
  if (positional.length !== 2) throw new UsageError('match needs two image paths: facematch-mcp match USER_IMAGE REF_IMAGE [--decline-threshold N] [--review-threshold N].');
  const decline = numberFlag(flags, 'decline-threshold');
  const review = numberFlag(flags, 'review-threshold');
  const workflow = flags.workflow === 'true' || review !== undefined;
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
