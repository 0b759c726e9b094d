import { loadSpec, EXIT_GATE_FAILED } from '@mlops-actions/core';
import { trainStage } from '@mlops-actions/stages';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';
import { COMMON_OPTIONS_HELP, localContext } from '../local-context.js';

export const trainCommand: Command = {
  name: 'train',
  summary: "Run the spec's training command and write the model card (cached by input digest)",
  usage: `
Usage: mlops train [--spec mlops.yml] [--out .mlops] [--skip-if-cached] [--cache-dir DIR]

Runs train.run from the spec in its shell and working directory, streams its output, checks the
declared outputs exist, and writes model-card.json next to the model (commit, input and model
digests, params, training metrics, command, duration, tool versions).

Options:
${COMMON_OPTIONS_HELP}
  --skip-if-cached   restore the model from the cache when every declared input is unchanged
  --cache-dir DIR    the local train cache (default: <out>/cache)
  -h, --help         show this help

Exit codes: 0 trained (or restored), 1 the command failed or left outputs missing,
2 bad usage or bad spec.
`,
  async run(argv) {
    const { values } = parseCommandArgs('train', argv, {
      spec: { type: 'string', default: 'mlops.yml' },
      out: { type: 'string', default: '.mlops' },
      'skip-if-cached': { type: 'boolean', default: false },
      'cache-dir': { type: 'string' },
    });
    const spec = await loadSpec(values.spec!);
    const ctx = localContext({
      out: values.out!,
      cacheDir: values['cache-dir'],
      skipIfCached: values['skip-if-cached'],
    });
    const result = await trainStage(spec, ctx);
    console.log(`train: ${result.status}: ${result.summary}`);
    if (result.status === 'error') {
      if (result.error) console.error(result.error);
    }
    return result.status === 'passed' ? 0 : EXIT_GATE_FAILED;
  },
};
