/** Small helpers the example scripts share for their command lines. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** True when the module is the script being run, so trainers can also be imported by tests. */
export function isMain(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(importMetaUrl));
  } catch {
    return false;
  }
}

export interface TrainArgs {
  variant: 'candidate' | 'baseline';
  out: string;
  metrics: string;
  params: string;
  train: string;
}

/** `--variant candidate|baseline --out F --metrics F --params F [--train F]`. */
export function parseTrainArgs(argv: string[]): TrainArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      variant: { type: 'string', default: 'candidate' },
      out: { type: 'string', default: 'artifacts/model.onnx' },
      metrics: { type: 'string', default: 'artifacts/train-metrics.json' },
      params: { type: 'string', default: 'params.yml' },
      train: { type: 'string', default: 'data/train.csv' },
    },
    strict: true,
  });
  if (values.variant !== 'candidate' && values.variant !== 'baseline') {
    throw new Error(`--variant must be 'candidate' or 'baseline', got '${values.variant}'`);
  }
  return {
    variant: values.variant,
    out: values.out,
    metrics: values.metrics,
    params: values.params,
    train: values.train,
  };
}

/** Runs a script's main, printing only the error's message; exit 2 because every failure here is bad input. */
export function runMain(main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
    });
}
