import { describe, expect, it } from 'vitest';
import { StageClock, runFromEnv, validateStageResult } from '../../packages/core/src/index.js';

describe('StageClock', () => {
  it('fills timings, phases and tool info, and the result validates against the schema', async () => {
    const clock = new StageClock('evaluate');
    await clock.phase('work', async () => new Promise((r) => setTimeout(r, 5)));
    const result = clock.finish({ status: 'passed', summary: 'ok' });
    expect(result.timings.phases!.work).toBeGreaterThanOrEqual(4);
    expect(result.tool.name).toBe('mlops-actions');
    expect(validateStageResult(result).ok).toBe(true);
  });

  it('records the workflow run when running on GitHub Actions', () => {
    expect(runFromEnv({})).toBeUndefined();
    expect(
      runFromEnv({
        GITHUB_RUN_ID: '42',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'octo/repo',
        GITHUB_WORKFLOW: 'model-pr',
      }),
    ).toEqual({ id: '42', workflow: 'model-pr', url: 'https://github.com/octo/repo/actions/runs/42' });
  });
});
