import type { Measurement } from './types.js';

/**
 * The candidate value a gate compares, or the reason it cannot: a missing value, NaN or an
 * infinity is a failed gate with a reason, never a silent pass.
 */
export function candidateValue(
  subject: string,
  measurement: Measurement | undefined,
  stage: string | undefined,
): { value: number } | { reason: string } {
  const where = stage ? ` in stage ${stage}` : '';
  const value = measurement?.candidate;
  if (value === null || value === undefined) return { reason: `${subject}: no value measured${where}` };
  if (typeof value !== 'number')
    return { reason: `${subject}: value is not a number (${JSON.stringify(value)})` };
  if (Number.isNaN(value)) return { reason: `${subject} is NaN${where}` };
  if (!Number.isFinite(value)) return { reason: `${subject} is ${value}${where}` };
  return { value };
}
