import { readStageResults, InputError, EXIT_BAD_INPUT, EXIT_GATE_FAILED } from '@mlops-actions/core';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

export const gateCommand: Command = {
  name: 'gate',
  summary: 'Check the verdicts of every stage result in a results directory',
  usage: `
Usage: mlops gate [--results .mlops]

Reads every stage result (<stage>.json) in the results directory and prints each gate's
verdict. Use it as the last step of a job that collects results from several jobs.

Options:
  --results DIR   directory of stage results (default: .mlops)
  -h, --help      show this help

Exit codes: 0 every gate passed, 1 a gate failed or a stage errored, 2 no results or bad files.
`,
  async run(argv) {
    const { values } = parseCommandArgs('gate', argv, { results: { type: 'string', default: '.mlops' } });
    const results = await readStageResults(values.results!);
    if (results.length === 0) {
      throw new InputError(`${values.results}: no stage results found (expected files like evaluate.json)`);
    }
    let failed = false;
    for (const r of results) {
      console.log(`${r.stage}: ${r.status} — ${r.summary}`);
      if (r.status === 'failed' || r.status === 'error') failed = true;
      if (r.status === 'error' && r.error) console.log(`  error: ${r.error}`);
      for (const v of r.verdicts) {
        console.log(`  ${MARK[v.status]}  ${v.gate}: ${v.reason}`);
        if (v.status === 'fail') failed = true;
      }
    }
    return failed ? EXIT_GATE_FAILED : results.length ? 0 : EXIT_BAD_INPUT;
  },
};
