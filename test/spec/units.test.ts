import { describe, expect, it } from 'vitest';
import {
  editDistance,
  expandString,
  formatFromExtension,
  formatPath,
  formatProblem,
  parseChange,
  parseDuration,
  parseRate,
  suggest,
} from '../../packages/core/src/spec/index.js';

describe('spec value parsers', () => {
  it('durations to milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
  });

  it('rates to requests per second', () => {
    expect(parseRate(250)).toBe(250);
    expect(parseRate('1000/s')).toBe(1000);
    expect(parseRate('600/m')).toBe(10);
    expect(parseRate('7200/h')).toBe(2);
  });

  it('changes: numbers are absolute, percentages relative and exact', () => {
    expect(parseChange(0.01)).toEqual({ amount: 0.01, relative: false });
    expect(parseChange('1%')).toEqual({ amount: 0.01, relative: true });
    expect(parseChange('0.5%')).toEqual({ amount: 0.005, relative: true });
    expect(parseChange('1.1%')).toEqual({ amount: 0.011, relative: true });
  });

  it('data formats from extensions', () => {
    expect(formatFromExtension('a/b.CSV')).toBe('csv');
    expect(formatFromExtension('b.ndjson')).toBe('jsonl');
    expect(formatFromExtension('b.parquet')).toBe('parquet');
    expect(formatFromExtension('b.txt')).toBeUndefined();
    expect(formatFromExtension('noext')).toBeUndefined();
  });
});

describe('suggestions', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('metirc', 'metric')).toBe(1);
    expect(editDistance('acuracy', 'accuracy')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests close names, kebab for camel, nothing for far ones', () => {
    expect(suggest('acuracy', ['accuracy', 'f1'])).toBe('accuracy');
    expect(suggest('batchSize', ['batch-size', 'baseline'])).toBe('batch-size');
    expect(suggest('max_drop', ['max-drop', 'max-increase'])).toBe('max-drop');
    expect(suggest('zzz', ['accuracy', 'f1'])).toBeUndefined();
  });
});

describe('env expansion', () => {
  it('expands, defaults, escapes and reports undefined names with their offset', () => {
    const missing: [string, number][] = [];
    const out = expandString('a ${A} ${B:-b} ${C:-} $${D} ${E}', { A: '1', C: 'c' }, (n, i) =>
      missing.push([n, i]),
    );
    expect(out).toBe('a 1 b c ${D} ${E}');
    expect(missing).toEqual([['E', 28]]);
  });
});

describe('problem formatting', () => {
  it('formats paths and problems', () => {
    expect(formatPath(['evaluate', 'gates', 1, 'metric'])).toBe('evaluate.gates[1].metric');
    expect(formatPath([])).toBe('');
    expect(formatProblem({ file: 'm.yml', line: 3, column: 5, path: 'a.b', message: 'bad' })).toBe(
      'm.yml:3:5: a.b: bad',
    );
    expect(formatProblem({ file: 'm.yml', line: 0, column: 0, path: '', message: 'gone' })).toBe(
      'm.yml: gone',
    );
  });
});
