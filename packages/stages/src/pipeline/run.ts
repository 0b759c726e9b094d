import { formatNumber } from '@mlops-actions/core';
import type { Spec, StageName, StageResult } from '@mlops-actions/core';
import type { StageContext } from '../context.js';
import type { BaselineResolver } from '../evaluate/baseline.js';
import { evaluateStage } from '../evaluate/stage.js';
import { renderResults } from '../report/render-results.js';
import { trainStage } from '../train/stage.js';
import { declaredStages } from './stages.js';

export interface PipelineOptions {
  /** Run the remaining stages after a failed gate (the report always runs). */
  continueOnFailure?: boolean;
  baselineResolver?: BaselineResolver;
}

export interface PipelineOutcome {
  results: StageResult[];
  /** Stages that did not run because an earlier one failed. */
  skipped: StageName[];
  status: 'passed' | 'failed';
  reportFile?: string;
  terminalReport?: string;
}

type StageRunner = (spec: Spec, ctx: StageContext, opts: PipelineOptions) => Promise<StageResult>;

const RUNNERS: Partial<Record<StageName, StageRunner>> = {
  train: (spec, ctx) => trainStage(spec, ctx),
  evaluate: (spec, ctx, opts) => evaluateStage(spec, ctx, opts.baselineResolver),
};

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
  const stages = declaredStages(spec);
  const results: StageResult[] = [];
  const skipped: StageName[] = [];
  let failed = false;
  const work = stages.filter((s) => s !== 'report');
  for (const [i, stage] of work.entries()) {
    const prefix = `[${i + 1}/${work.length}] ${stage}`;
    if (failed && !opts.continueOnFailure) {
      skipped.push(stage);
      ctx.log.info(`${prefix}: skipped (an earlier stage failed)`);
      continue;
    }
    const runner = RUNNERS[stage];
    if (!runner) {
      // A declared stage this version cannot run must not look like one that passed.
      failed = true;
      skipped.push(stage);
      ctx.log.error(`${prefix}: declared in ${spec.file} but not yet available in this version`);
      continue;
    }
    ctx.log.info(`${prefix}: running`);
    const result = await runner(spec, ctx, opts);
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
