/**
 * Makes data/train.csv and data/eval.csv (≈ 75/25 by a hash of the row index) from the
 * scikit-learn 1.2.1 copy of the dataset. Re-running gives byte-identical files.
 *
 *   npx tsx split.ts [--source ../datasets/breast_cancer.csv]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMain, runMain } from '../lib/cli.js';
import { splitFile } from '../lib/split.js';

export const DEFAULT_SOURCE = fileURLToPath(new URL('../datasets/breast_cancer.csv', import.meta.url));
export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');

export function split(source = DEFAULT_SOURCE, outDir = DATA_DIR): { train: number; eval: number } {
  return splitFile(source, outDir, 25);
}

if (isMain(import.meta.url)) {
  runMain(() => {
    const { values } = parseArgs({ options: { source: { type: 'string', default: DEFAULT_SOURCE } } });
    const counts = split(values.source);
    console.log(`wrote ${DATA_DIR}/train.csv (${counts.train} rows) and eval.csv (${counts.eval} rows)`);
  });
}
