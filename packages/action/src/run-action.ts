import * as core from '@actions/core';
import type { Logger, StageResult } from '@mlops-actions/core';
import { InputError, UsageError } from '@mlops-actions/core';
import { relative } from 'node:path';

/** A logger that folds groups and turns warnings into annotations on GitHub. */
export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  warn: (m) => core.warning(m),
  error: (m) => core.error(m),
  group: (name, fn) => core.group(name, fn),
};

interface Located {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

function workspaceRelative(file: string): string {
  const ws = process.env.GITHUB_WORKSPACE;
  return ws ? relative(ws, file) || file : file;
}

/** Spec problems (and located input errors) become annotations on the right file and line. */
function annotate(problems: Located[]): void {
  for (const p of problems) {
    core.error(p.message, {
      title: 'mlops',
      file: workspaceRelative(p.file),
      startLine: p.line,
      startColumn: p.column,
    });
  }
}

function problemsOf(err: InputError): Located[] {
  const withProblems = err as InputError & {
    problems?: { file: string; line?: number; column?: number; message: string; path?: string }[];
  };
  if (Array.isArray(withProblems.problems) && withProblems.problems.length) {
    return withProblems.problems.map((p) => ({
      ...p,
      message: p.path ? `${p.path}: ${p.message}` : p.message,
    }));
  }
  if (err.location) return [{ ...err.location, message: err.message }];
  return [];
}

/**
 * Runs an action body and maps its outcome onto the runner: outputs are the body's business;
 * here a failed stage fails the step, and errors become annotations instead of stack traces.
 */
export async function runAction(body: () => Promise<StageResult | undefined>): Promise<void> {
  try {
    const result = await body();
    if (!result) return;
    if (result.status === 'failed') {
      const failed = result.verdicts.filter((v) => v.status === 'fail');
      core.setFailed(
        `${result.stage}: ${failed.length} gate(s) failed: ${failed.map((v) => v.reason).join('; ')}`,
      );
    } else if (result.status === 'error') {
      core.setFailed(`${result.stage}: ${result.error ?? result.summary}`);
    }
  } catch (err) {
    if (err instanceof InputError) {
      const problems = problemsOf(err);
      if (problems.length) annotate(problems);
      core.setFailed(err.message);
    } else if (err instanceof UsageError) {
      core.setFailed(err.message);
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      core.debug(e.stack ?? e.message);
      core.setFailed(`unexpected error: ${e.message}`);
    }
  }
}

/** The outputs every stage action sets, so later steps can consume any stage the same way. */
export function setStageOutputs(result: StageResult, resultsFile: string): void {
  core.setOutput('passed', String(result.status === 'passed'));
  core.setOutput('status', result.status);
  core.setOutput('results-file', resultsFile);
  core.setOutput('summary', result.summary);
}
