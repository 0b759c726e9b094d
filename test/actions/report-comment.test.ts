import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_TOKEN, READONLY_TOKEN, startFake } from '../github/helpers.js';
import type { FakeGitHub } from '../github/fake-github.js';
import { REPO_ROOT, runActionBundle } from '../helpers/runner.js';

const HEAD = 'a'.repeat(40);

function prEvent(headRepo: string) {
  return {
    pull_request: {
      number: 12,
      head: { sha: HEAD, repo: { full_name: headRepo } },
      base: { repo: { full_name: 'octo-org/octo-repo' } },
    },
  };
}

// The bundled metrics-report-comment action against a local server that checks every request
// against GitHub's OpenAPI description (GitHub itself cannot be reached here).
describe('metrics-report-comment on a pull request', () => {
  let fake: FakeGitHub;
  let workspace: string;
  beforeAll(async () => {
    fake = await startFake();
    workspace = await mkdtemp(join(tmpdir(), 'report-action-'));
    for (const name of ['train', 'evaluate-fail']) {
      const to = name === 'train' ? 'train.json' : 'evaluate.json';
      await cp(join(REPO_ROOT, 'test', 'fixtures', 'results', `${name}.json`), join(workspace, '.mlops', to));
    }
  });
  afterAll(async () => fake.stop());

  const run = (token: string, headRepo = 'octo-org/octo-repo') =>
    runActionBundle('metrics-report-comment', {
      cwd: workspace,
      inputs: { 'github-token': token, 'results-dir': '.mlops', comment: 'update', mode: 'publish' },
      env: { GITHUB_API_URL: fake.url, GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: HEAD },
      event: prEvent(headRepo),
    });

  it('posts one sticky comment, then leaves it unchanged on a re-run', async () => {
    const first = await run(BOT_TOKEN);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.outputs['comment-action']).toBe('created');
    // The report does not gate; it reports that the evaluation failed.
    expect(first.outputs.passed).toBe('false');
    const comments = fake.issueComments('octo-org/octo-repo#12');
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/<!-- mlops-actions:report key=/);
    expect(first.summary).toMatch(/Failed/);
    // Rendered once: the saved report.md is the comment body and the job summary, byte for byte.
    const saved = await readFile(join(workspace, '.mlops', 'report.md'), 'utf8');
    expect(first.outputs['report-file']).toBe(join(workspace, '.mlops', 'report.md'));
    expect(comments[0]!.body).toBe(saved);
    expect(first.summary).toBe(saved);

    const second = await run(BOT_TOKEN);
    expect(second.code).toBe(0);
    expect(second.outputs['comment-action']).toBe('unchanged');
    expect(fake.issueComments('octo-org/octo-repo#12')).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("a fork's read-only token degrades to the job summary without failing", async () => {
    const r = await run(READONLY_TOKEN, 'someone/octo-repo');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.summary).toMatch(/mlops-actions:report|Failed/);
    expect(r.stdout).toMatch(/fork pull request/);
    expect(fake.issueComments('octo-org/octo-repo#12')).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });
});
