import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, reportMarker } from '../../packages/core/src/report/index.js';
import type { StageResult } from '../../packages/core/src/stage-result/types.js';
import {
  BUNDLE_FILE,
  appendJobSummary,
  publishFromRun,
  publishReport,
  readReportBundle,
  readRunEvent,
} from '../../packages/github/src/index.js';
import type { RunEvent } from '../../packages/github/src/index.js';
import { renderStageReport } from '../../packages/stages/src/index.js';
import { fixture, pipeline } from '../report/load-fixtures.js';
import type { FakeGitHub } from './fake-github.js';
import { READONLY_TOKEN, client, startFake } from './helpers.js';

const HEAD = 'a'.repeat(40);

type PublishInput = Omit<Parameters<typeof publishReport>[0], 'report'> & { maxSlices?: number };

/** As the report action does it: render once, then publish that text. */
function publish(o: PublishInput) {
  const { maxSlices, ...rest } = o;
  const report = renderStageReport(o.results, undefined, {
    key: o.key ?? 'default',
    title: o.title,
    maxSlices,
    runUrl: o.event.runUrl,
    fullReportUrl: o.event.runUrl,
  });
  return publishReport({ ...rest, report });
}

function fromRun(o: Omit<Parameters<typeof publishFromRun>[0], 'render'>) {
  return publishFromRun({ ...o, render: (results, opts) => renderStageReport(results, undefined, opts) });
}

function prEvent(headRepo = 'acme/churn'): RunEvent {
  return {
    name: 'pull_request',
    owner: 'acme',
    repo: 'churn',
    sha: 'b'.repeat(40),
    runUrl: 'https://github.com/acme/churn/actions/runs/77',
    pullRequest: { number: 42, headRepo, baseRepo: 'acme/churn', headSha: HEAD },
  };
}

describe('publishReport', () => {
  let fake: FakeGitHub;
  let dir: string;
  let summary: string;
  beforeEach(async () => {
    fake = await startFake({ pulls: { 42: { headSha: HEAD } } });
    dir = await mkdtemp(join(tmpdir(), 'mlops-publish-'));
    summary = join(dir, 'step-summary.md');
  });
  afterEach(async () => {
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
    expect(fake.violations).toEqual([]);
  });

  const writeSummary = (md: string) => appendJobSummary(md, summary);

  it('comments on a same-repo PR and writes the job summary', async () => {
    const out = await publish({
      octokit: client(fake),
      event: prEvent(),
      results: pipeline(true),
      key: 'churn',
      writeSummary,
    });
    expect(out.channel).toBe('pr-comment');
    expect(out.comment?.action).toBe('created');
    const [c] = fake.issueComments('acme/churn#42');
    expect(c?.body.startsWith(reportMarker('churn'))).toBe(true);
    expect(c?.body).toContain('❌ **Failed**');
    expect(await readFile(summary, 'utf8')).toContain('### Metrics');
  });

  it('for a fork PR writes the summary and saves results without calling the API', async () => {
    const out = await publish({
      octokit: client(fake, READONLY_TOKEN),
      event: prEvent('contributor/churn'),
      results: pipeline(true),
      key: 'churn',
      writeSummary,
      bundleDir: join(dir, 'bundle'),
    });
    expect(out.channel).toBe('job-summary');
    expect(out.bundle).toBe(join(dir, 'bundle', BUNDLE_FILE));
    expect(out.notes.join('\n')).toMatch(/fork contributor\/churn.*from-run/s);
    expect(fake.requests).toEqual([]);
    expect(await readFile(summary, 'utf8')).toContain('mlops-actions:report key=churn');
  });

  it('treats a 403 on write as a read-only token: summary written, no failure', async () => {
    const out = await publish({
      octokit: client(fake, READONLY_TOKEN),
      event: prEvent(),
      results: pipeline(false),
      key: 'churn',
      writeSummary,
      bundleDir: join(dir, 'bundle'),
    });
    expect(out.channel).toBe('job-summary');
    expect(out.notes.join('\n')).toContain('Resource not accessible by integration');
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([403]);
    expect(fake.issueComments('acme/churn#42')).toEqual([]);
    const bundle = await readReportBundle(join(dir, 'bundle'));
    expect(bundle).toMatchObject({ repository: 'acme/churn', pullRequest: 42, headSha: HEAD, key: 'churn' });
    expect(await readFile(summary, 'utf8')).toContain('## mlops report');
  });

  it('cuts an over-limit report cleanly at a section boundary', async () => {
    const r = fixture('evaluate-fail');
    r.slices = Array.from({ length: 4000 }, (_, i) => ({
      column: 'account',
      value: `acct-${i}-${'y'.repeat(30)}`,
      rows: 50,
      values: { roc_auc: { candidate: 0.6 + (i % 300) / 1000, baseline: 0.8 } },
    }));
    await publish({
      octokit: client(fake),
      event: prEvent(),
      results: [r, fixture('load-test')],
      key: 'churn',
      maxSlices: 4000,
      writeSummary,
    });
    const body = fake.issueComments('acme/churn#42')[0]?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.startsWith(reportMarker('churn'))).toBe(true);
    expect(body).toContain('### Metrics');
    expect(body).toContain('See the [full report](https://github.com/acme/churn/actions/runs/77)');
    expect(body).not.toContain('<details open><summary>Worst slices');
    expect(body.trimEnd().endsWith('</sub>')).toBe(true);
    // The summary keeps what the comment left out.
    expect(await readFile(summary, 'utf8')).toContain('Worst slices');
  });

  it('on push writes the summary and, when asked, a commit comment', async () => {
    const event: RunEvent = { name: 'push', owner: 'acme', repo: 'churn', sha: 'c'.repeat(40) };
    const out = await publish({
      octokit: client(fake),
      event,
      results: pipeline(false),
      commitComment: true,
      writeSummary,
    });
    expect(out.channel).toBe('commit-comment');
    expect(fake.commitComments).toHaveLength(1);
    expect(fake.commitComments[0]?.sha).toBe('c'.repeat(40));
    const plain = await publish({
      octokit: client(fake),
      event: { ...event, name: 'schedule' },
      results: pipeline(false),
      writeSummary,
    });
    expect(plain.channel).toBe('job-summary');
    expect(fake.commitComments).toHaveLength(1);
  });
});

describe('from-run mode', () => {
  let fake: FakeGitHub;
  let dir: string;
  beforeEach(async () => {
    fake = await startFake({ pulls: { 42: { headSha: HEAD } } });
    dir = await mkdtemp(join(tmpdir(), 'mlops-fromrun-'));
  });
  afterEach(async () => {
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
    expect(fake.violations).toEqual([]);
  });

  const runEvent = (headSha = HEAD): RunEvent => ({
    name: 'workflow_run',
    owner: 'acme',
    repo: 'churn',
    sha: 'd'.repeat(40),
    workflowRun: {
      id: 991,
      headSha,
      headRepo: 'contributor/churn',
      event: 'pull_request',
      conclusion: 'failure',
    },
  });

  async function forkRun(results: StageResult[] = pipeline(true)): Promise<void> {
    await publish({
      event: prEvent('contributor/churn'),
      results,
      key: 'churn',
      writeSummary: async () => false,
      bundleDir: dir,
    });
  }

  it('posts the comment recorded by a fork PR run', async () => {
    await forkRun();
    const out = await fromRun({ octokit: client(fake), event: runEvent(), dir });
    expect(out.comment?.action).toBe('created');
    const [c] = fake.issueComments('acme/churn#42');
    expect(c?.body).toContain('❌ **Failed**');
    expect(c?.body).toContain('[workflow run](https://github.com/acme/churn/actions/runs/77)');
    // A second workflow_run for the same PR updates the same comment.
    await forkRun(pipeline(false));
    expect((await fromRun({ octokit: client(fake), event: runEvent(), dir })).comment?.action).toBe(
      'updated',
    );
    expect(fake.issueComments('acme/churn#42')).toHaveLength(1);
  });

  it('refuses an artifact whose PR head is not the commit the run built', async () => {
    await forkRun();
    await expect(fromRun({ octokit: client(fake), event: runEvent('e'.repeat(40)), dir })).rejects.toThrow(
      /mlops-report\.json: pullRequest: PR #42 is at aaaaaaa.*refusing/,
    );
    expect(fake.count('POST')).toBe(0);
  });

  it('names the file and field of a bad bundle', async () => {
    await expect(readReportBundle(dir)).rejects.toThrow(/mlops-report\.json: not found/);
    const file = join(dir, BUNDLE_FILE);
    await writeFile(file, '{ nope');
    await expect(readReportBundle(dir)).rejects.toThrow(/mlops-report\.json: not valid JSON/);
    const good = {
      schemaVersion: 1,
      kind: 'mlops-report-bundle',
      repository: 'acme/churn',
      pullRequest: 42,
      key: 'k',
      results: [fixture('train')],
    };
    await writeFile(file, JSON.stringify({ ...good, pullRequest: '42; rm -rf' }));
    await expect(readReportBundle(dir)).rejects.toThrow(/pullRequest: must be a positive integer/);
    await writeFile(file, JSON.stringify({ ...good, results: [{ ...fixture('train'), verdicts: 'x' }] }));
    await expect(readReportBundle(dir)).rejects.toThrow(/results\[0\]: verdicts: expected a list/);
    await writeFile(file, JSON.stringify({ ...good, repository: 'other/repo' }));
    await expect(fromRun({ octokit: client(fake), event: runEvent(), dir })).rejects.toThrow(
      /repository: the artifact is for other\/repo/,
    );
  });
});

describe('readRunEvent', () => {
  it('reads a fork pull_request payload', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlops-event-'));
    const path = join(dir, 'event.json');
    await writeFile(
      path,
      JSON.stringify({
        pull_request: {
          number: 7,
          head: { sha: HEAD, repo: { full_name: 'someone/churn' } },
          base: { repo: { full_name: 'acme/churn' } },
        },
      }),
    );
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REPOSITORY: 'acme/churn',
      GITHUB_EVENT_PATH: path,
      GITHUB_SHA: 'f'.repeat(40),
      GITHUB_RUN_ID: '55',
      GITHUB_SERVER_URL: 'https://ghe.example.com',
    };
    expect(await readRunEvent(env)).toEqual({
      name: 'pull_request',
      owner: 'acme',
      repo: 'churn',
      sha: 'f'.repeat(40),
      runUrl: 'https://ghe.example.com/acme/churn/actions/runs/55',
      pullRequest: { number: 7, headRepo: 'someone/churn', baseRepo: 'acme/churn', headSha: HEAD },
    });
    await writeFile(path, 'not json');
    await expect(readRunEvent(env)).rejects.toThrow(`${path}: the event payload is not valid JSON`);
    await expect(readRunEvent({})).rejects.toThrow(/GITHUB_EVENT_NAME and GITHUB_REPOSITORY must be set/);
    await rm(dir, { recursive: true, force: true });
  });
});
