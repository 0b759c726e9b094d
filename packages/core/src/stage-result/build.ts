import { toolInfo } from '../version.js';
import type { StageName, StageResult } from './types.js';

type Fields = Omit<
  StageResult,
  'schemaVersion' | 'stage' | 'timings' | 'tool' | 'inputs' | 'values' | 'verdicts' | 'artifacts'
> &
  Partial<Pick<StageResult, 'inputs' | 'values' | 'verdicts' | 'artifacts'>>;

/** The workflow run a result came from, when running on GitHub Actions. */
export function runFromEnv(env: NodeJS.ProcessEnv = process.env): StageResult['run'] | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_WORKFLOW } = env;
  if (!GITHUB_RUN_ID) return undefined;
  return {
    id: GITHUB_RUN_ID,
    ...(GITHUB_WORKFLOW ? { workflow: GITHUB_WORKFLOW } : {}),
    ...(GITHUB_SERVER_URL && GITHUB_REPOSITORY
      ? { url: `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}` }
      : {}),
  };
}

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
    const run = fields.run ?? runFromEnv();
    return {
      schemaVersion: 1,
      stage: this.stage,
      inputs: {},
      values: {},
      verdicts: [],
      artifacts: [],
      ...fields,
      ...(run ? { run } : {}),
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
