import { dirname, join } from 'node:path';
import * as core from '@actions/core';
import {
  actionsLogger,
  booleanInput,
  resultsDirInput,
  runAction,
  setStageOutputs,
  specInput,
  stringInput,
  uploadArtifact,
  workspacePath,
} from '@mlops-actions/action';
import { stageResultPath } from '@mlops-actions/core';
import { ActionsCache, MODEL_CARD_FILE, trainStage } from '@mlops-actions/stages';

await runAction(async () => {
  const loaded = await specInput();
  const useCache = booleanInput('cache', true);
  const spec = loaded.train && !useCache ? { ...loaded, train: { ...loaded.train, cache: false } } : loaded;
  const resultsDir = resultsDirInput();
  const result = await trainStage(spec, {
    log: actionsLogger,
    resultsDir,
    cache: new ActionsCache({ log: { info: core.info, warning: core.warning } }),
    skipIfCached: booleanInput('skip-if-cached', false),
  });
  setStageOutputs(result, stageResultPath(resultsDir, 'train'));
  const modelPath = workspacePath(join(spec.dir, spec.model.path));
  const card = join(dirname(modelPath), MODEL_CARD_FILE);
  const cache = result.details?.cache as { key?: string; hit?: boolean } | undefined;
  core.setOutput('model-path', modelPath);
  core.setOutput('model-sha256', result.model?.sha256 ?? '');
  core.setOutput('model-card', card);
  core.setOutput('cache-hit', String(cache?.hit === true));
  core.setOutput('cache-key', cache?.key ?? '');
  if (result.status === 'passed' && booleanInput('upload-artifact', true)) {
    await uploadArtifact(stringInput('artifact-name', 'model'), [modelPath, card], dirname(modelPath));
  }
  return result;
});
