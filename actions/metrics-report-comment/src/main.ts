import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import {
  booleanInput,
  choiceInput,
  optionalInput,
  resultsDirInput,
  runAction,
  stringInput,
  uploadArtifact,
  workspacePath,
} from '@mlops-actions/action';
import { loadSpec, readStageResults, InputError } from '@mlops-actions/core';
import {
  COMMENT_MODES,
  createClient,
  publishFromRun,
  publishReport,
  readRunEvent,
} from '@mlops-actions/github';
import type { PublishOutcome } from '@mlops-actions/github';
import { renderResults } from '@mlops-actions/stages';

function setOutcome(outcome: PublishOutcome, reportFile: string): void {
  for (const note of outcome.notes) core.info(note);
  core.setOutput('comment-id', outcome.comment?.commentId ?? '');
  core.setOutput('comment-url', outcome.comment?.url ?? outcome.commitCommentUrl ?? '');
  core.setOutput('comment-action', outcome.comment?.action ?? 'skipped');
  core.setOutput('report-file', reportFile);
}

await runAction(async () => {
  const resultsDir = resultsDirInput();
  const token = stringInput('github-token');
  const mode = choiceInput('mode', ['publish', 'from-run'] as const, 'publish');
  const commentMode = choiceInput('comment', COMMENT_MODES, 'update');
  const event = await readRunEvent();
  const octokit = token ? createClient({ token }) : undefined;

  if (mode === 'from-run') {
    if (!octokit) throw new InputError("input 'github-token' is required in from-run mode");
    const bundleDir = existsSync(join(resultsDir, 'report')) ? join(resultsDir, 'report') : resultsDir;
    const outcome = await publishFromRun({ octokit, event, dir: bundleDir, mode: commentMode });
    setOutcome(outcome, '');
    return undefined;
  }

  const specPath = workspacePath(stringInput('spec', 'mlops.yml'));
  const spec = existsSync(specPath) ? await loadSpec(specPath) : undefined;
  const results = (await readStageResults(resultsDir)).filter((r) => r.stage !== 'report');
  if (results.length === 0) throw new InputError(`${resultsDir}: no stage results to report`);
  const rendered = await renderResults(resultsDir, { spec, results });
  const key =
    optionalInput('key') ??
    `${spec?.report.key ?? spec?.project ?? 'mlops'}/${process.env.GITHUB_WORKFLOW ?? ''}`;
  const outcome = await publishReport({
    octokit,
    event,
    results,
    key,
    title: optionalInput('title') ?? spec?.report.title,
    mode: spec?.report.comment === 'off' ? 'off' : commentMode,
    commitComment: booleanInput('commit-comment', false),
    bundleDir: join(resultsDir, 'report'),
    maxSlices: spec?.report.maxSlices,
  });
  if (outcome.bundle) {
    const uploaded = await uploadArtifact(
      stringInput('artifact-name', 'mlops-results'),
      [outcome.bundle],
      join(resultsDir, 'report'),
    );
    core.info(
      uploaded
        ? 'this token cannot comment (fork pull request): results uploaded for the workflow_run comment workflow'
        : 'this token cannot comment (fork pull request): upload .mlops/report with actions/upload-artifact for the workflow_run comment workflow',
    );
  }
  setOutcome(outcome, rendered.markdownFile);
  const failed = results.some((r) => r.status === 'failed' || r.status === 'error');
  core.setOutput('passed', String(!failed));
  // The report reports; the stages' own steps fail the job on their gates.
  return undefined;
});
