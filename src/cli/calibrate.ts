// `facematch-mcp calibrate DIR [--pairs-file F] [--max-pairs N] [--fold N] [--target-far X]
//   [--target-frr X] [--json]`: the calibrate_thresholds analysis from the command line.
import { FaceEngine } from '../engine/index.js';
import { calibrate, CALIBRATION_DEFAULTS } from '../services/calibration.js';
import { numberFlag, parseArgs, readImageFile } from './args.js';
import { printJson, UsageError, type Command } from './common.js';

const USAGE = `usage: facematch-mcp calibrate DIR [--pairs-file pairs.tsv] [--max-pairs ${CALIBRATION_DEFAULTS.maxPairs}] [--fold N] [--target-far ${CALIBRATION_DEFAULTS.targetFar}] [--target-frr ${CALIBRATION_DEFAULTS.targetFrr}] [--json]
DIR holds pairs.tsv: "path_a<TAB>path_b<TAB>1|0[<TAB>fold]" (1 = same person), paths relative to DIR.
Suggests workflow thresholds for a person to review; never below the engine's calibrated FAR point.`;

export const run: Command = async (argv) => {
  if (argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { positional, flags } = parseArgs(argv, ['pairs-file', 'max-pairs', 'fold', 'target-far', 'target-frr'], ['json']);
  if (positional.length !== 1) throw new UsageError(`calibrate needs one folder (got ${positional.length}); ${USAGE.split('\n')[0]}`);
  const maxPairs = numberFlag(flags, 'max-pairs');
  if (maxPairs !== undefined && (!Number.isInteger(maxPairs) || maxPairs < 2 || maxPairs > 5000)) throw new UsageError('--max-pairs must be a whole number from 2 to 5000.');
  const targetFar = numberFlag(flags, 'target-far');
  const targetFrr = numberFlag(flags, 'target-frr');
  for (const [name, v] of [['target-far', targetFar], ['target-frr', targetFrr]] as const) {
    if (v !== undefined && !(v > 0 && v < 1)) throw new UsageError(`--${name} must be between 0 and 1, e.g. 0.001.`);
  }
  const fold = numberFlag(flags, 'fold');
  const engine = FaceEngine.shared();
  await engine.load();
  const { cosine } = await import('../engine/embed.js');
  let lastShown = 0;
  const result = await calibrate(
    { folder: positional[0]!, pairsFile: flags['pairs-file'], maxPairs, fold, targetFar, targetFrr },
    {
      embed: async (bytes) => (await engine.embed(bytes))?.embedding ?? null,
      cosine,
      readImage: async (path) => readImageFile(path, 'image'),
      progress: async (done, total) => {
        if (Date.now() - lastShown > 2000 || done === total) {
          lastShown = Date.now();
          process.stderr.write(`facematch-mcp: analysed ${done}/${total} images\n`);
        }
      },
    },
  );
  if (flags.json === 'true') printJson(result);
  else process.stdout.write(`${result.summary}\n`);
  return 0;
};
