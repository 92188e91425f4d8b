// Command line of the tools that read a KYC set and an embeddings dump (`eval --dump`):
// TOOL KYC_DIR DUMP.json [--source SET]; exits 2 with the usage line when one is missing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readPairsTsv, type PairRow } from '../../src/cli/eval.js';

export interface KycDumpArgs {
  kycDir: string;
  /** The LFW set the KYC set was rendered from (its pairs.tsv rows give the identities). */
  source: string;
  src: PairRow[];
  kyc: PairRow[];
  emb: Record<string, number[] | null>;
}

export function kycDumpArgs(tool: string, argv = process.argv.slice(2)): KycDumpArgs {
  const si = argv.indexOf('--source');
  const source = resolve(si >= 0 ? argv[si + 1]! : '../shared/data/faces/lfw-funneled-dev');
  const [kycDir, dumpFile] = argv.filter((a, i) => !a.startsWith('--') && (si < 0 || i !== si + 1));
  if (!kycDir || !dumpFile) {
    process.stderr.write(`usage: ${tool} KYC_DIR DUMP.json [--source SET]\n`);
    process.exit(2);
  }
  return { kycDir, source, src: readPairsTsv(source), kyc: readPairsTsv(resolve(kycDir)), emb: JSON.parse(readFileSync(dumpFile, 'utf8')) as Record<string, number[] | null> };
}
