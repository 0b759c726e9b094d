/** The stage-result JSON Schema and a validator that explains failures in plain words. */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import stageResultSchema from '../../../../schemas/stage-result.schema.json' with { type: 'json' };
import { formatPath } from '../spec/problems.js';
import { explainSchemaErrors } from '../spec/schema-errors.js';
import type { StageResult } from './types.js';

export { stageResultSchema };

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(stageResultSchema);
  return validator;
}

/** `timings.durationMs: expected a number, got string '12'`, one line per problem. */
export type StageResultValidation = { ok: true; result: StageResult } | { ok: false; problems: string[] };

export function validateStageResult(value: unknown): StageResultValidation {
  const validate = compiled();
  if (validate(value)) return { ok: true, result: value as StageResult };
  const problems = explainSchemaErrors(validate.errors ?? [], value).map((issue) => {
    const where = formatPath(issue.path) || '(top level)';
    return `${where}: ${issue.message}`;
  });
  return { ok: false, problems };
}
