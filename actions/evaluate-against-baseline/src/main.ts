import * as core from '@actions/core';
import {
  actionsLogger,
  optionalInput,
  resultsDirInput,
  runAction,
  setStageOutputs,
  specInput,
  stringInput,
  workspacePath,
} from '@mlops-actions/action';
import { stageResultPath } from '@mlops-actions/core';
import { createArtifactBaselineResolver, createClient, workflowFileFromRef } from '@mlops-actions/github';
import { parseShard, prepareEvaluation, runEvaluation, runEvaluationShard } from '@mlops-actions/stages';

await runAction(async () => {
  const spec = await specInput();
  const resultsDir = resultsDirInput();
  const model = optionalInput('model');
  const baseline = optionalInput('baseline');
  const token = stringInput('github-token');
  const [owner = '', repo = ''] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  const resolver = token
    ? createArtifactBaselineResolver({
        octokit: createClient({ token }),
        owner,
        repo,
        token,
        downloadDir: workspacePath(`${process.env.RUNNER_TEMP ?? '.mlops'}/mlops-baseline`),
        currentWorkflow: workflowFileFromRef(process.env.GITHUB_WORKFLOW_REF),
        modelPath: spec.model.path,
        log: core.info,
      })
    : undefined;
  const config = await prepareEvaluation(
    spec,
    { overrides: { model: model && workspacePath(model), baseline: baseline && workspacePath(baseline) } },
    resolver,
  );
  const shardText = optionalInput('shard');
  if (shardText) {
    const file = await runEvaluationShard(config, parseShard(shardText), resultsDir, actionsLogger);
    core.setOutput('results-file', file);
    core.setOutput('status', 'passed');
    core.setOutput('passed', 'true');
    core.setOutput('summary', `shard ${shardText} scored; merge the shards with mlops evaluate merge`);
    return undefined;
  }
  const result = await actionsLogger.group(`evaluate ${spec.model.name}`, () =>
    runEvaluation(config, resultsDir, actionsLogger),
  );
  setStageOutputs(result, stageResultPath(resultsDir, 'evaluate'));
  const headline = result.headline ? result.values[result.headline] : undefined;
  core.setOutput('headline-metric', result.headline ?? '');
  core.setOutput('headline-value', headline?.candidate ?? '');
  core.setOutput('headline-delta', headline?.delta ?? '');
  core.info(result.summary);
  return result;
});
