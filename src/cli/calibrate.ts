// `facematch-mcp calibrate DIR [--pairs-file F] [--max-pairs N] [--fold N] [--target-far X]
//   [--target-frr X] [--json]`: the calibrate_thresholds analysis from the command line.
import { FaceEngine } from '../engine/index.js';
import { calibrate, CALIBRATION_DEFAULTS } from '../services/calibration.js';
import { readImageFile } from './image-file.js';
import { decimalFlag, defineCommand, printedHelp, readFlags, usageLine } from './flags.js';
import { printJson, UsageError, type Command } from './common.js';

export const CALIBRATE = defineCommand({
  name: 'calibrate',
  args: 'DIR',
  summary: `DIR holds pairs.tsv: "path_a<TAB>path_b<TAB>1|0[<TAB>fold]" (1 = same person), paths relative to DIR.
Suggests workflow thresholds for a person to review; never below the engine's calibrated FAR point.`,
  flags: {
    'pairs-file': { type: 'string', value: 'FILE', default: 'pairs.tsv', description: 'the pairs file in DIR' },
    'max-pairs': { type: 'string', value: 'N', default: String(CALIBRATION_DEFAULTS.maxPairs), description: 'at most this many pairs (2 to 5000)' },
    fold: { type: 'string', value: 'N', description: 'only this fold' },
    'target-far': { type: 'string', value: 'X', default: String(CALIBRATION_DEFAULTS.targetFar), description: 'false accept rate to aim for (0 to 1)' },
    'target-frr': { type: 'string', value: 'X', default: String(CALIBRATION_DEFAULTS.targetFrr), description: 'false reject rate to aim for (0 to 1)' },
    json: { type: 'boolean', description: 'print the analysis as JSON' },
  },
});

export const run: Command = async (argv) => {
  if (printedHelp(CALIBRATE, argv)) return 0;
  const { positionals: positional, values: flags, given } = readFlags(CALIBRATE, argv);
  if (positional.length !== 1) throw new UsageError(`calibrate needs one folder (got ${positional.length}); ${usageLine(CALIBRATE)}`);
  // Only what was given goes to calibrate(): its own defaults apply otherwise.
  const num = (name: 'max-pairs' | 'target-far' | 'target-frr' | 'fold'): number | undefined => (given.has(name) ? decimalFlag(name, flags[name]) : undefined);
  const maxPairs = num('max-pairs');
  if (maxPairs !== undefined && (!Number.isInteger(maxPairs) || maxPairs < 2 || maxPairs > 5000)) throw new UsageError('--max-pairs must be a whole number from 2 to 5000.');
  const targetFar = num('target-far');
  const targetFrr = num('target-frr');
  for (const [name, v] of [['target-far', targetFar], ['target-frr', targetFrr]] as const) {
    if (v !== undefined && !(v > 0 && v < 1)) throw new UsageError(`--${name} must be between 0 and 1, e.g. 0.001.`);
  }
  const fold = num('fold');
  const engine = FaceEngine.shared();
  await engine.load();
  const { cosine } = await import('../engine/embed.js');
  let lastShown = 0;
  const result = await calibrate(
    { folder: positional[0]!, pairsFile: given.has('pairs-file') ? flags['pairs-file'] : undefined, maxPairs, fold, targetFar, targetFrr },
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
  if (flags.json) printJson(result);
  else process.stdout.write(`${result.summary}\n`);
  return 0;
};
