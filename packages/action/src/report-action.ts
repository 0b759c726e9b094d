import { existsSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { InputError, readStageResults } from '@mlops-actions/core';
import {
  COMMENT_MODES,
  createClient,
  publishFromRun,
  publishReport,
  readRunEvent,
} from '@mlops-actions/github';
import type { PublishOutcome } from '@mlops-actions/github';
import { renderStageReport, reportOptions } from '@mlops-actions/stages';
import { renderReport } from '@mlops-actions/core';
import { uploadArtifact } from './artifacts.js';
import { actionInputs } from './inputs.js';
import { runAction } from './run-action.js';
import { specFromInputs } from './stage-action.js';
import { workspacePath } from './workspace.js';

/** The report action's inputs, read and validated once. */
export interface ReportSettings {
  resultsDir: string;
  token?: string;
  mode: 'publish' | 'from-run';
  comment: (typeof COMMENT_MODES)[number];
  key?: string;
  title?: string;
  commitComment: boolean;
  artifactName: string;
}

export function reportSettings(): ReportSettings {
  return {
    resultsDir: workspacePath(actionInputs.string('results-dir', '.mlops')),
    token: actionInputs.optional('github-token'),
    mode: actionInputs.choice('mode', ['publish', 'from-run'] as const, 'publish'),
    comment: actionInputs.choice('comment', COMMENT_MODES, 'update'),
    key: actionInputs.optional('key'),
    title: actionInputs.optional('title'),
    commitComment: actionInputs.boolean('commit-comment', false),
    artifactName: actionInputs.string('artifact-name', 'mlops-results'),
  };
}

function setOutcome(outcome: PublishOutcome, reportFile: string): void {
  for (const note of outcome.notes) core.info(note);
  core.setOutput('comment-id', outcome.comment?.commentId ?? '');
  core.setOutput('comment-url', outcome.comment?.url ?? outcome.commitCommentUrl ?? '');
  core.setOutput('comment-action', outcome.comment?.action ?? 'skipped');
  core.setOutput('report-file', reportFile);
}

/**
 * The report is rendered once: report.md is the text the comment and the job summary carry
 * (cut between sections only when GitHub's size limits require it).
 */
export function runReportAction(): Promise<void> {
  return runAction(async () => {
    const s = reportSettings();
    const event = await readRunEvent();
    const octokit = s.token ? createClient({ token: s.token }) : undefined;

    if (s.mode === 'from-run') {
      if (!octokit) throw new InputError("input 'github-token' is required in from-run mode");
      const bundleDir = existsSync(join(s.resultsDir, 'report'))
        ? join(s.resultsDir, 'report')
        : s.resultsDir;
      const render = (
        results: Parameters<typeof renderReport>[0],
        opts: Parameters<typeof renderReport>[1],
      ) => renderStageReport(results, undefined, opts);
      const outcome = await publishFromRun({ octokit, event, dir: bundleDir, mode: s.comment, render });
      setOutcome(outcome, '');
      return undefined;
    }

    const spec = await specFromInputs();
    const results = await readStageResults(s.resultsDir);
    if (results.length === 0) throw new InputError(`${s.resultsDir}: no stage results to report`);
    const key = s.key ?? spec?.report.key ?? spec?.project ?? 'mlops';
    const title = s.title ?? spec?.report.title;
    const report = renderReport(
      results,
      reportOptions(spec, { key, title, runUrl: event.runUrl, fullReportUrl: event.runUrl }),
    );
    await mkdir(s.resultsDir, { recursive: true });
    const reportFile = join(s.resultsDir, 'report.md');
    await writeFile(reportFile, report.markdown);
    const outcome = await publishReport({
      octokit,
      event,
      results,
      report,
      key,
      title,
      mode: spec?.report.comment === 'off' ? 'off' : s.comment,
      commitComment: s.commitComment,
      bundleDir: join(s.resultsDir, 'report'),
    });
    if (outcome.bundle) {
      const uploaded = await uploadArtifact(s.artifactName, [outcome.bundle], join(s.resultsDir, 'report'));
      core.info(
        uploaded
          ? 'this token cannot comment (fork pull request): results uploaded for the workflow_run comment workflow'
          : 'this token cannot comment (fork pull request): upload .mlops/report with actions/upload-artifact for the workflow_run comment workflow',
      );
    }
    setOutcome(outcome, reportFile);
    core.setOutput('passed', String(!results.some((r) => r.status === 'failed' || r.status === 'error')));
    // The report reports; the stages' own steps fail the job on their gates.
    return undefined;
  });
}
