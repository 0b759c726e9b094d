import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { InputError } from '@mlops-actions/core';
import { loadEvalData, type LoadEvalDataOptions } from '@mlops-actions/data';
import { FIXTURES, tempFile } from './helpers.js';

const churn: Omit<LoadEvalDataOptions, 'path'> = {
  label: 'churned',
  id: 'customer_id',
  extraColumns: ['region'],
  task: 'binary-classification',
};

describe('loadEvalData: JSON Lines', () => {
  it('reads one object per line; numbers, numeric strings and string labels', async () => {
    const file = tempFile(
      '{"id": 3, "x": 1.5, "z": "2", "region": "n", "y": "yes"}\n\n' +
        '{"id": 4, "x": -2, "z": 0.25, "region": null, "y": "no"}\r\n',
      '.jsonl',
    );
    const data = await loadEvalData({
      path: file,
      label: 'y',
      id: 'id',
      extraColumns: ['region'],
      task: 'binary-classification',
    });
    expect(data.featureNames).toEqual(['x', 'z']);
    expect([...data.features]).toEqual([1.5, 2, -2, 0.25]);
    expect(data.classes).toEqual(['no', 'yes']);
    expect([...data.labels]).toEqual([1, 0]);
    expect([...data.rowKeys]).toEqual([3, 4]);
    expect(data.extra.region).toEqual(['n', '']);
  });

  it('names the line and data row of a bad value, a missing key and invalid JSON', async () => {
    const bad = tempFile('{"x": 1, "y": 0}\n\n{"x": "abc", "y": 1}\n', '.jsonl');
    await expect(loadEvalData({ path: bad, label: 'y', task: 'binary-classification' })).rejects.toThrow(
      `${bad}:3: column 'x': 'abc' is not a number (data row 2)`,
    );
    const nul = tempFile('{"x": null, "y": 0}\n', '.ndjson');
    await expect(loadEvalData({ path: nul, label: 'y', task: 'binary-classification' })).rejects.toThrow(
      `${nul}:1: column 'x': empty value (data row 1)`,
    );
    const missing = tempFile('{"x": 1, "y": 0}\n{"y": 1}\n', '.jsonl');
    await expect(loadEvalData({ path: missing, label: 'y', task: 'binary-classification' })).rejects.toThrow(
      `${missing}:2: column 'x': missing (every line needs the same keys) (data row 2)`,
    );
    const broken = tempFile('{"x": 1, "y": 0}\n{"x": 1,\n', '.jsonl');
    const err = await loadEvalData({ path: broken, label: 'y', task: 'binary-classification' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(new RegExp(`^${broken}:2: not valid JSON: `));
    const array = tempFile('[1, 2]\n', '.jsonl');
    await expect(loadEvalData({ path: array, label: 'y', task: 'binary-classification' })).rejects.toThrow(
      `${array}:1: expected a JSON object per line`,
    );
    const empty = tempFile('\n\n', '.jsonl');
    await expect(loadEvalData({ path: empty, label: 'y', task: 'binary-classification' })).rejects.toThrow(
      `${empty}: the file is empty`,
    );
  });
});

describe('loadEvalData: Parquet', () => {
  it('loads the same EvalData as the CSV with the same rows (apart from the digest)', async () => {
    const parquet = await loadEvalData({ path: path.join(FIXTURES, 'churn.parquet'), ...churn });
    const csv = await loadEvalData({ path: path.join(FIXTURES, 'churn.csv'), ...churn });
    expect(parquet.featureNames).toEqual(['age', 'income']);
    expect([...parquet.features]).toEqual([
      34, 52000, 51.5, 81000.5, 23, 31000, 45.25, 67000, 62, 45500, 29, 39000.25,
    ]);
    expect(parquet.classes).toEqual(['no', 'yes']);
    expect([...parquet.labels]).toEqual([0, 1, 0, 1, 1, 0]);
    expect([...parquet.rowKeys]).toEqual([101, 102, 103, 104, 105, 106]);
    expect(parquet.extra.region).toEqual(['north', 'south', 'north', 'east', 'south', 'west']);
    const { sha256: _a, bytes: _b, ...p } = parquet;
    const { sha256: _c, bytes: _d, ...c } = csv;
    expect(p).toEqual(c);
    expect(parquet.sha256).not.toBe(csv.sha256);
  });

  it('reports a null as an empty value with its 1-based row', async () => {
    const file = path.join(FIXTURES, 'churn_null.parquet');
    await expect(loadEvalData({ path: file, ...churn })).rejects.toThrow(
      `${file}: row 4: column 'age': empty value`,
    );
  });

  it('reports missing columns with suggestions and a non-Parquet file', async () => {
    const file = path.join(FIXTURES, 'churn.parquet');
    await expect(loadEvalData({ path: file, ...churn, label: 'churn' })).rejects.toThrow(
      `label column 'churn' not found. Did you mean 'churned'?`,
    );
    const fake = tempFile('not parquet at all', '.parquet');
    await expect(loadEvalData({ path: fake, ...churn })).rejects.toThrow(
      `${fake}: not a readable Parquet file`,
    );
  });
});

describe('loadEvalData: classification labels', () => {
  it('sorts numeric classes numerically, string classes lexically', async () => {
    const numeric = tempFile('a,y\n1,10\n2,9\n3,100\n4,9.0\n');
    const n = await loadEvalData({ path: numeric, label: 'y', task: 'multiclass-classification' });
    expect(n.classes).toEqual([9, 10, 100]);
    expect([...n.labels]).toEqual([1, 0, 2, 0]);
    const text = tempFile('a,y\n1,setosa\n2,virginica\n3,versicolor\n');
    const t = await loadEvalData({ path: text, label: 'y', task: 'multiclass-classification' });
    expect(t.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect([...t.labels]).toEqual([0, 2, 1]);
  });

  it('uses declared classes as the index order', async () => {
    const file = tempFile('a,y\n1,yes\n2,no\n');
    const data = await loadEvalData({
      path: file,
      label: 'y',
      task: 'binary-classification',
      classes: ['yes', 'no'],
    });
    expect(data.classes).toEqual(['yes', 'no']);
    expect([...data.labels]).toEqual([0, 1]);
    const numeric = tempFile('a,y\n1,2.0\n2,1\n');
    const m = await loadEvalData({
      path: numeric,
      label: 'y',
      task: 'multiclass-classification',
      classes: [1, 2, 3],
    });
    expect([...m.labels]).toEqual([1, 0]);
  });

  it('a binary file with only 1s still has classes [0, 1]', async () => {
    const file = tempFile('a,y\n1,1\n2,1\n');
    const data = await loadEvalData({ path: file, label: 'y', task: 'binary-classification' });
    expect(data.classes).toEqual([0, 1]);
    expect([...data.labels]).toEqual([1, 1]);
  });

  it('regression keeps label values as float64', async () => {
    const file = tempFile('a,target\n1,151.25\n2,0.1\n');
    const data = await loadEvalData({ path: file, label: 'target', task: 'regression' });
    expect([...data.labels]).toEqual([151.25, 0.1]);
    expect(data.classes).toBeUndefined();
  });
});
