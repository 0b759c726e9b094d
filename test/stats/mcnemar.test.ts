import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import { exactMcNemarPValue, mcnemarExact } from '../../packages/metrics/src/index.js';

const cases = JSON.parse(readFileSync(new URL('../oracle/mcnemar.json', import.meta.url), 'utf8')) as Array<{
  b: number;
  c: number;
  pValue: number;
}>;

describe('mcnemarExact', () => {
  it.each(cases)('p-value for b=$b c=$c equals scipy.stats.binomtest', ({ b, c, pValue }) => {
    const p = exactMcNemarPValue(b, c);
    expect(Math.abs(p - pValue)).toBeLessThanOrEqual(1e-9 * Math.max(pValue, 1e-300) + 1e-300);
  });

  it('counts discordant pairs: b = candidate right and baseline wrong', () => {
    const y = [0, 1, 1, 0, 1, 0];
    const cand = [0, 1, 1, 1, 1, 0];
    const base = [1, 0, 1, 0, 1, 1];
    expect(mcnemarExact(y, cand, base)).toEqual({ b: 3, c: 1, pValue: 0.625 });
  });

  it('rejects predictions of another length', () => {
    expect(() => mcnemarExact([0, 1], [0], [0, 1])).toThrow(InputError);
    expect(() => mcnemarExact([0, 1], [0], [0, 1])).toThrow(/2 labels, 1 candidate and 2 baseline/);
  });
});
