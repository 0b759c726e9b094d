import { existsSync } from 'node:fs';
import * as core from '@actions/core';
import { stageResultPath } from '@mlops-actions/core';
import type { Spec } from '@mlops-actions/core';
import { ActionsCache, loadSpec } from '@mlops-actions/stages';
import type { AnyStageDefinition, BaselineResolver, StageContext } from '@mlops-actions/stages';
import { uploadArtifact } from './artifacts.js';
import { actionInputs } from './inputs.js';
import { ensureOrt } from './ort-install.js';
import { actionsLogger, runAction, setStageOutputs } from './run-action.js';
import { workspacePath } from './workspace.js';

/**
 * Artifact baselines need the GitHub API; the client is loaded only when a stage asks for a
 * baseline, so actions that never do stay small.
 */
function artifactResolver(spec: Spec, token: string): BaselineResolver {
  return {
    async resolve(baseline) {
      const github = await import('@mlops-actions/github');
      const [owner = '', repo = ''] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
      return github
        .createArtifactBaselineResolver({
          octokit: github.createClient({ token }),
          owner,
          repo,
          token,
          downloadDir: workspacePath(`${process.env.RUNNER_TEMP ?? '.mlops'}/mlops-baseline`),
          currentWorkflow: github.workflowFileFromRef(process.env.GITHUB_WORKFLOW_REF),
          modelPath: spec.model.path,
          log: core.info,
        })
        .resolve(baseline);
    },
  };
}

/** The runner's services for a stage: the Actions cache, artifacts, the artifact baseline. */
export function actionContext(spec: Spec | undefined): StageContext {
  const token = actionInputs.optional('github-token');
  return {
    log: actionsLogger,
    resultsDir: workspacePath(actionInputs.string('results-dir', '.mlops')),
    cwd: workspacePath('.'),
    host: 'github',
    cache: new ActionsCache({ log: actionsLogger }),
    ...(spec && token && { baselineResolver: artifactResolver(spec, token) }),
    uploadArtifact,
  };
}

/** The spec named by the `spec` input; absent only when the input is left at its default and no such file exists. */
export async function specFromInputs(): Promise<Spec | undefined> {
  const given = actionInputs.optional('spec');
  const path = workspacePath(given ?? 'mlops.yml');
  return given || existsSync(path) ? loadSpec(path) : undefined;
}

/**
 * Every stage action is this: read the action's settings, configure and run the stage, set
 * outputs, fail the step on a failed gate. The CLI composes the stage the same way from flags.
 */
export function runStageAction(stage: AnyStageDefinition): Promise<void> {
  return runAction(async () => {
    const settings = stage.action.settings(actionInputs);
    if (stage.action.onnxRuntime) await ensureOrt(actionsLogger);
    const spec = await specFromInputs();
    const ctx = actionContext(spec);
    const config = await stage.configure(spec, settings, ctx);
    const result = await stage.run(config, ctx);
    setStageOutputs(result, stageResultPath(ctx.resultsDir, stage.name));
    for (const [name, value] of Object.entries(stage.action.outputs(result, config))) {
      core.setOutput(name, String(value));
    }
    core.info(`${stage.name}: ${result.status}: ${result.summary}`);
    await stage.action.after?.(result, config, actionInputs, ctx);
    return result;
  });
}
