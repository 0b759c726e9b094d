import { toolInfo } from '../version.js';
import type { StageName, StageResult } from './types.js';

type Fields = Omit<
  StageResult,
  'schemaVersion' | 'stage' | 'timings' | 'tool' | 'inputs' | 'values' | 'verdicts' | 'artifacts'
> &
  Partial<Pick<StageResult, 'inputs' | 'values' | 'verdicts' | 'artifacts'>>;

/**
 * Times a stage from construction to `finish`, so every stage fills timings and tool info the same
 * way; phases are recorded with `phase`.
 */
export class StageClock {
  private readonly startedAt = new Date();
  private readonly t0 = performance.now();
  readonly phases: Record<string, number> = {};

  constructor(readonly stage: StageName) {}

  async phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.phases[name] = Math.round(performance.now() - t);
    }
  }

  finish(fields: Fields): StageResult {
    return {
      schemaVersion: 1,
      stage: this.stage,
      inputs: {},
      values: {},
      verdicts: [],
      artifacts: [],
      ...fields,
      timings: {
        startedAt: this.startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: Math.round(performance.now() - this.t0),
        phases: this.phases,
      },
      tool: toolInfo(),
    };
  }
}
