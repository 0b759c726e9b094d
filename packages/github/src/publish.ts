import { join } from 'node:path';
import type { RenderOptions, RenderedReport, StageResult } from '@mlops-actions/core';
import { COMMENT_LIMIT, InputError, SUMMARY_LIMIT_BYTES, truncateReport } from '@mlops-actions/core';
import { readReportBundle, saveReportBundle } from './bundle.js';
import type { GitHubClient } from './client.js';
import { messageOf, statusOf } from './client.js';
import type { RunEvent } from './runner.js';
import { appendJobSummary } from './runner.js';
import type { CommentMode, UpsertResult } from './sticky-comment.js';
import { upsertStickyComment } from './sticky-comment.js';

export interface PublishOptions {
  /** Absent when there is no token: the report then goes to the job summary only. */
  octokit?: GitHubClient;
  event: RunEvent;
  results: StageResult[];
  /** The report, rendered once by the caller: the comment and the summary are this text. */
  report: RenderedReport;
  key?: string;
  title?: string;
  mode?: CommentMode;
  identity?: string;
  /** On push/schedule/dispatch, also comment on the commit. */
  commitComment?: boolean;
  /** Where results are saved for artifact upload when the comment cannot be posted. */
  bundleDir?: string;
  /** Writes the job summary; default appends to $GITHUB_STEP_SUMMARY. */
  writeSummary?: (markdown: string) => Promise<boolean>;
}

/** Renders stage results into the one report (the stage list's renderer, passed in by the caller). */
export type RenderResults = (results: StageResult[], opts: RenderOptions) => RenderedReport;

export interface PublishOutcome {
  channel: 'pr-comment' | 'job-summary' | 'commit-comment';
  comment?: UpsertResult;
  commitCommentUrl?: string;
  summaryWritten: boolean;
  /** Path of the saved bundle, when the PR comment has to be posted by a later workflow_run. */
  bundle?: string;
  /** What happened, in words for the log. */
  notes: string[];
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);

export const DEFAULT_BUNDLE_DIR = '.mlops/report';

/** A write the token is not allowed to make: fork PRs get a read-only GITHUB_TOKEN. */
export function isReadOnlyTokenError(err: unknown): boolean {
  return (
    statusOf(err) === 403 &&
    /Resource not accessible by integration|must have (push|write) access/i.test(messageOf(err))
  );
}

/**
 * Publishes one report where the event allows: a sticky PR comment for a same-repo PR, the job
 * summary always (it holds the full report the comment may point to), and for a fork PR (or a
 * token refused with 403) a saved bundle for a `workflow_run` job to post, without failing.
 */
export async function publishReport(o: PublishOptions): Promise<PublishOutcome> {
  const ev = o.event;
  const runUrl = ev.runUrl;
  const report = o.report;
  const writeSummary = o.writeSummary ?? ((md: string) => appendJobSummary(md));
  const summaryWritten = await writeSummary(
    truncateReport(report.sections, SUMMARY_LIMIT_BYTES, { unit: 'utf8-bytes' }),
  );
  const notes: string[] = [
    summaryWritten ? 'report written to the job summary' : 'no job summary file (not on GitHub Actions)',
  ];
  const key = o.key ?? 'default';

  const saveForLater = async (why: string): Promise<PublishOutcome> => {
    const pr = ev.pullRequest;
    const bundle = await saveReportBundle(o.bundleDir ?? DEFAULT_BUNDLE_DIR, {
      repository: `${ev.owner}/${ev.repo}`,
      pullRequest: pr?.number ?? 0,
      headSha: pr?.headSha,
      key,
      title: o.title,
      runUrl,
      results: o.results,
    });
    notes.push(
      `${why}; results saved to ${bundle}: upload that directory as an artifact and post the comment from a ` +
        "workflow_run workflow (report mode 'from-run'). Gates are unaffected.",
    );
    return { channel: 'job-summary', summaryWritten, bundle, notes };
  };

  if (PR_EVENTS.has(ev.name) && ev.pullRequest) {
    const pr = ev.pullRequest;
    if ((o.mode ?? 'update') === 'off') {
      notes.push('PR comment disabled (mode off)');
      return { channel: 'job-summary', summaryWritten, comment: { action: 'skipped' }, notes };
    }
    if (ev.name === 'pull_request' && pr.headRepo && pr.baseRepo && pr.headRepo !== pr.baseRepo) {
      return saveForLater(
        `pull request #${pr.number} comes from the fork ${pr.headRepo}, whose token is read-only`,
      );
    }
    if (!o.octokit) return saveForLater('no GitHub token was given');
    try {
      const comment = await upsertStickyComment({
        octokit: o.octokit,
        owner: ev.owner,
        repo: ev.repo,
        issueNumber: pr.number,
        key,
        body: truncateReport(report.sections, COMMENT_LIMIT, { fullReportUrl: runUrl }),
        mode: o.mode ?? 'update',
        identity: o.identity,
      });
      notes.push(`PR #${pr.number} comment ${comment.action}${comment.url ? `: ${comment.url}` : ''}`);
      return { channel: 'pr-comment', comment, summaryWritten, notes };
    } catch (err) {
      if (isReadOnlyTokenError(err))
        return saveForLater(`the token may not comment on PR #${pr.number} (${messageOf(err)})`);
      throw err;
    }
  }

  if (o.commitComment && o.octokit && ev.sha) {
    try {
      const { data } = await o.octokit.rest.repos.createCommitComment({
        owner: ev.owner,
        repo: ev.repo,
        commit_sha: ev.sha,
        body: truncateReport(report.sections, COMMENT_LIMIT, { fullReportUrl: runUrl }),
      });
      notes.push(`commit comment posted: ${data.html_url}`);
      return { channel: 'commit-comment', commitCommentUrl: data.html_url, summaryWritten, notes };
    } catch (err) {
      if (!isReadOnlyTokenError(err)) throw err;
      notes.push(`commit comment not allowed for this token (${messageOf(err)})`);
    }
  }
  return { channel: 'job-summary', summaryWritten, notes };
}

export interface FromRunOptions {
  octokit: GitHubClient;
  /** The `workflow_run` event of the job doing the posting. */
  event: RunEvent;
  /** Directory the PR run's artifact was downloaded into. */
  dir: string;
  mode?: CommentMode;
  identity?: string;
  maxSlices?: number;
  render: RenderResults;
}

/**
 * `from-run` mode: post the comment for a PR whose own run could not (fork PRs). Runs in the
 * base repository's trusted `workflow_run` context and reads only data from the artifact. The
 * PR number in that data is attacker-controlled, so it must belong to this repository and the
 * PR's head must be the commit the triggering run built.
 */
export async function publishFromRun(o: FromRunOptions): Promise<PublishOutcome> {
  const bundle = await readReportBundle(o.dir);
  const file = join(o.dir, 'mlops-report.json');
  const repository = `${o.event.owner}/${o.event.repo}`;
  if (bundle.repository.toLowerCase() !== repository.toLowerCase()) {
    throw new InputError(
      `${file}: repository: the artifact is for ${bundle.repository}, this workflow runs in ${repository}`,
      { file },
    );
  }
  const expectedSha = o.event.workflowRun?.headSha;
  const { data: pull } = await o.octokit.rest.pulls.get({
    owner: o.event.owner,
    repo: o.event.repo,
    pull_number: bundle.pullRequest,
  });
  if (expectedSha && pull.head.sha !== expectedSha) {
    throw new InputError(
      `${file}: pullRequest: PR #${bundle.pullRequest} is at ${pull.head.sha.slice(0, 7)}, but the run that produced this artifact built ${expectedSha.slice(0, 7)}; refusing to comment`,
      { file },
    );
  }
  const report = o.render(bundle.results, {
    key: bundle.key,
    title: bundle.title,
    maxSlices: o.maxSlices,
    runUrl: bundle.runUrl,
    fullReportUrl: bundle.runUrl,
  });
  const comment = await upsertStickyComment({
    octokit: o.octokit,
    owner: o.event.owner,
    repo: o.event.repo,
    issueNumber: bundle.pullRequest,
    key: bundle.key,
    body: truncateReport(report.sections, COMMENT_LIMIT, { fullReportUrl: bundle.runUrl }),
    mode: o.mode ?? 'update',
    identity: o.identity,
  });
  return {
    channel: 'pr-comment',
    comment,
    summaryWritten: false,
    notes: [
      `PR #${bundle.pullRequest} comment ${comment.action} from the artifact of run ${o.event.workflowRun?.id ?? '?'}`,
    ],
  };
}
