import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';
import { declaredStages, loadSpec } from '@mlops-actions/stages';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check mlops.yml against the schema; print every problem with file:line:col',
  usage: `
Usage: mlops validate [--spec mlops.yml]

Parses and validates the pipeline spec: the schema, then each stage's own checks (gates that
can never be meaningful, expressions that do not parse, measurements the stage does not make).
Every problem is printed on its own line as
  path/to/mlops.yml:LINE:COL: field.path: message
and all problems are reported at once.

Options:
  --spec FILE   the spec to check (default: mlops.yml)
  -h, --help    show this help

Exit codes: 0 valid, 2 invalid or unreadable.
`,
  async run(argv) {
    const { values } = parseCommandArgs('validate', argv, { spec: { type: 'string', default: 'mlops.yml' } });
    const spec = await loadSpec(values.spec!);
    console.log(`${values.spec}: valid (stages: ${declaredStages(spec).join(', ') || 'none'})`);
    return 0;
  },
};
