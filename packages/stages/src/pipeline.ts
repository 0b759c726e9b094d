import { formatNumber } from '@mlops-actions/core';
import type { Spec, StageResult } from '@mlops-actions/core';
import type { StageContext } from './context.js';
import { STAGE_LIST } from './list.js';
import { renderResults } from './report.js';

export interface PipelineOptions {
  /** Run the remaining stages after a failed gate (the report is always written). */
  continueOnFailure?: boolean;
  /** Settings per stage name, as that stage's flags would give them (`{ train: { cache: false } }`). */
  settings?: Record<string, unknown>;
}

export interface PipelineOutcome {
  results: StageResult[];
  /** Stages that did not run because an earlier one failed. */
  skipped: string[];
  status: 'passed' | 'failed';
  reportFile?: string;
  terminalReport?: string;
}

function seconds(ms: number): string {
  return `${formatNumber(ms / 1000)} s`;
}

/**
 * Runs the stages a spec declares, in pipeline order, stopping at the first failed stage unless
 * told to go on. The report is always rendered from whatever results exist, so a failure is
 * explained the same way a success is.
 */
export async function runPipeline(
  spec: Spec,
  ctx: StageContext,
  opts: PipelineOptions = {},
): Promise<PipelineOutcome> {
  const stages = STAGE_LIST.filter((s) => s.declared(spec));
  const results: StageResult[] = [];
  const skipped: string[] = [];
  let failed = false;
  for (const [i, stage] of stages.entries()) {
    const prefix = `[${i + 1}/${stages.length}] ${stage.name}`;
    if (failed && !opts.continueOnFailure) {
      skipped.push(stage.name);
      ctx.log.info(`${prefix}: skipped (an earlier stage failed)`);
      continue;
    }
    ctx.log.info(`${prefix}: running`);
    const config = await stage.configure(spec, opts.settings?.[stage.name] ?? {}, ctx);
    const result = await stage.run(config, ctx);
    results.push(result);
    ctx.log.info(`${prefix}: ${result.status} in ${seconds(result.timings.durationMs)}: ${result.summary}`);
    for (const v of result.verdicts.filter((v) => v.status !== 'pass')) {
      ctx.log.info(`    ${v.status.toUpperCase()} ${v.gate}: ${v.reason}`);
    }
    if (result.status === 'error' && result.error) ctx.log.error(result.error);
    if (result.status === 'failed' || result.status === 'error') failed = true;
  }
  const outcome: PipelineOutcome = { results, skipped, status: failed ? 'failed' : 'passed' };
  if (results.length) {
    const rendered = await renderResults(ctx.resultsDir, { spec, results });
    outcome.reportFile = rendered.markdownFile;
    outcome.terminalReport = rendered.terminal;
  }
  return outcome;
}
