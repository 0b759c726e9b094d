import { describe, expect, it } from 'vitest';
import { formatNumber, formatTogether } from '../../packages/core/src/gates/format.js';

describe('number formatting in reasons', () => {
  it('rounds to 4 significant digits without trailing zeros', () => {
    expect(formatNumber(0.87104)).toBe('0.871');
    expect(formatNumber(0.912345)).toBe('0.9123');
    expect(formatNumber(1234.56)).toBe('1235');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });

  it('shares decimals between numbers shown side by side', () => {
    expect(formatTogether([0.871, 0.88])).toEqual(['0.871', '0.880']);
    expect(formatTogether([42.1, 50])).toEqual(['42.1', '50.0']);
  });

  it('adds digits until different values look different', () => {
    expect(formatTogether([0.88, 0.880001])).toEqual(['0.880000', '0.880001']);
    expect(formatTogether([49.99996, 50])).toEqual(['49.99996', '50.00000']);
  });

  it('uses a typographic minus', () => {
    expect(formatTogether([-0.011, -0.002])).toEqual(['\u22120.011', '\u22120.002']);
  });
});
