import { resolve } from 'node:path';
import { EXIT_GATE_FAILED } from '@mlops-actions/core';
import { loadSpec, runPipeline } from '@mlops-actions/stages';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';
import { localContext } from '../local-context.js';
import { checkOutDir } from '../stage-command.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'Run every stage the spec declares, in order, and write the report',
  usage: `
Usage: mlops run [--spec mlops.yml] [--out .mlops] [--continue-on-failure] [--no-cache]

Runs the stages declared in the spec in pipeline order with local stand-ins for the services
they use on GitHub: the train cache is a directory (<out>/cache), a baseline kept in an artifact
or a registry comes from the local model store (<spec dir>/.model-store/<branch or name>/model.onnx),
and the report goes to <out>/report.md and the terminal. Stops at the first failed stage unless
--continue-on-failure is given; the report is written either way.

Options:
  --spec FILE             the pipeline spec (default: mlops.yml)
  --out DIR               where stage results are written (default: .mlops)
  --continue-on-failure   run the remaining stages after a failure
  --no-cache              always run the training command (default: train.cache reuses a model
                          whose inputs are unchanged)
  --cache-dir DIR         the local train cache (default: <out>/cache)
  -h, --help              show this help

Exit codes: 0 every stage passed, 1 a gate failed or a stage could not complete, 2 bad usage or bad spec.
`,
  async run(argv) {
    const { values } = parseCommandArgs('run', argv, {
      spec: { type: 'string', default: 'mlops.yml' },
      out: { type: 'string', default: '.mlops' },
      'continue-on-failure': { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      'cache-dir': { type: 'string' },
    });
    checkOutDir(resolve(values.out!));
    const spec = await loadSpec(values.spec!);
    const ctx = localContext({ out: values.out!, cacheDir: values['cache-dir'], spec });
    const outcome = await runPipeline(spec, ctx, {
      continueOnFailure: values['continue-on-failure'],
      settings: values['no-cache'] ? { train: { cache: false } } : {},
    });
    if (outcome.terminalReport) console.log(`\n${outcome.terminalReport}`);
    if (outcome.reportFile) console.log(`report: ${outcome.reportFile}`);
    console.log(`mlops run: ${outcome.status}`);
    return outcome.status === 'passed' ? 0 : EXIT_GATE_FAILED;
  },
};
