import {
  keyValueTable,
  stageHeading,
  str,
  isObj,
  timing,
  details,
  inlineCode,
  valuesTable,
} from '@mlops-actions/core';
import type { StageResult } from '@mlops-actions/core';

export function trainSection(result: StageResult): string {
  const d = result.details ?? {};
  const card = isObj(d.modelCard) ? d.modelCard : undefined;
  const parts = [stageHeading('Train', result)];
  if (card) {
    const { hyperparameters, trainingData, ...rest } = card;
    const info = keyValueTable(rest);
    if (info) parts.push(`**Model card**\n\n${info}`);
    if (isObj(trainingData)) parts.push(`**Training data**\n\n${keyValueTable(trainingData)}`);
    if (isObj(hyperparameters)) parts.push(details('Hyperparameters', keyValueTable(hyperparameters)));
  }
  const values = valuesTable(result);
  if (values) parts.push(values);
  const cache = isObj(d.cache) ? d.cache : undefined;
  if (cache && typeof cache.hit === 'boolean') {
    parts.push(
      cache.hit
        ? `Model restored from cache (key ${inlineCode(str(cache.key) ?? '?')}).`
        : 'Model trained (cache miss).',
    );
  }
  const otherDetails = Object.fromEntries(
    Object.entries(d).filter(([k]) => k !== 'modelCard' && k !== 'cache'),
  );
  if (Object.keys(otherDetails).length) parts.push(details('Details', keyValueTable(otherDetails)));
  parts.push(timing(result));
  return parts.join('\n\n');
}
