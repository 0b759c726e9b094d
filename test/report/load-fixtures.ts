import { readFileSync } from 'node:fs';
import type { StageResult } from '../../packages/core/src/stage-result/types.js';

const dir = new URL('../fixtures/results/', import.meta.url);

export function fixture(name: string): StageResult {
  return JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as StageResult;
}

/** A whole pipeline run; `failing` swaps in the evaluation that fails its gates. */
export function pipeline(failing = false): StageResult[] {
  return [
    fixture('train'),
    fixture(failing ? 'evaluate-fail' : 'evaluate-pass'),
    fixture('load-test'),
    fixture('image'),
    fixture('deploy-canary'),
    fixture('promote'),
    fixture('drift'),
  ];
}
