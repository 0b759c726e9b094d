import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { UsageError } from '@mlops-actions/core';
import { loadSpec, renderResults } from '@mlops-actions/stages';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'Render every stage result as one report (markdown or terminal), as the PR comment shows it',
  usage: `
Usage: mlops report [--results .mlops] [--out report.md] [--format terminal|markdown] [--spec mlops.yml]

Renders the report the metrics-report-comment action posts, from the stage results in a
directory, so it can be previewed without GitHub. The markdown is also kept as <results>/report.md.

Options:
  --results DIR      directory of stage results (default: .mlops)
  --out FILE         also write the markdown to FILE
  --format F         what to print: terminal (default on a terminal) or markdown
  --spec FILE        read the title and comment key from this spec
  -h, --help         show this help

Exit codes: 0 rendered, 2 no results or unreadable results.
`,
  async run(argv) {
    const { values } = parseCommandArgs('report', argv, {
      results: { type: 'string', default: '.mlops' },
      out: { type: 'string' },
      format: { type: 'string' },
      spec: { type: 'string' },
    });
    const format = values.format ?? (process.stdout.isTTY ? 'terminal' : 'markdown');
    if (format !== 'terminal' && format !== 'markdown') {
      console.error(`mlops report: --format must be terminal or markdown, got '${format}'`);
      return 2;
    }
    if (values.out && existsSync(values.out) && statSync(values.out).isDirectory()) {
      throw new UsageError(`mlops report: --out ${values.out} is a directory; name a file such as report.md`);
    }
    if (existsSync(values.results!) && !statSync(values.results!).isDirectory()) {
      throw new UsageError(`mlops report: --results ${values.results} is a file; name the results directory`);
    }
    const spec = values.spec ? await loadSpec(values.spec) : undefined;
    const rendered = await renderResults(values.results!, { spec });
    if (values.out) await writeFile(values.out, rendered.report.markdown);
    console.log(format === 'terminal' ? rendered.terminal : rendered.report.markdown);
    return 0;
  },
};
