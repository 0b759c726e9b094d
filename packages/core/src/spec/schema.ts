/** The mlops.yml JSON Schema and its compiled validator (compiled once, on first use). */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import mlopsSchema from '../../../../schemas/mlops.schema.json' with { type: 'json' };

export { mlopsSchema };

let validator: ValidateFunction | undefined;

/**
 * `useDefaults` fills defaults into the data it validates. Gates, baselines and slices dispatch
 * with if/then/else rather than oneOf in the schema, so defaults land only in the branch that
 * applies (ajv would otherwise write one branch's defaults into data another branch then rejects).
 */
export function specValidator(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false }).compile(
    mlopsSchema,
  );
  return validator;
}
