import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '@mlops-actions/core';
import { loadEvalData, type LoadEvalDataOptions } from '@mlops-actions/data';
import { FIXTURES, tempFile } from './helpers.js';

async function failure(opts: LoadEvalDataOptions): Promise<InputError> {
  const err = await loadEvalData(opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const binary = { label: 'y', task: 'binary-classification' } as const;

describe('loadEvalData: hostile sizes end in a clear error, not a hang or a crash', () => {
  it('a feature cell of a million digits is refused by its size (no regex backtracking)', async () => {
    const digits = '7'.repeat(1_000_000);
    for (const cell of [digits, `${digits}x`, `0.${digits}`]) {
      const file = tempFile(`a,y\n1,0\n${cell},1\n`);
      const err = await failure({ path: file, ...binary });
      expect(err.message).toBe(
        `${file}:3: column 'a': a cell of ${cell.length} characters is not a number (data row 2)`,
      );
    }
  });

  it('a 50k-digit cell ending in a letter (the old quadratic case) in a label or a slice column', async () => {
    const cell = `${'1'.repeat(50_000)}x`;
    const file = tempFile(`a,y\n1,${cell}\n`);
    const err = await failure({ path: file, label: 'y', task: 'regression' });
    expect(err.message).toContain(`column 'y': '1111111111`);
    expect(err.message).toContain('is not a number (regression labels must be numeric)');
    // As a slice column the cell is just text.
    const ok = tempFile(`a,s,y\n1,${cell},0\n2,b,1\n`);
    const data = await loadEvalData({ path: ok, ...binary, extraColumns: ['s'] });
    expect(data.extra.s).toEqual([cell, 'b']);
  });

  it('a mistyped label next to a megabyte header name is still a plain not-found error', async () => {
    const file = tempFile(`${'h'.repeat(1_000_000)},y\n1,0\n`);
    const err = await failure({ path: file, label: 'zzzz', task: 'binary-classification' });
    expect(err.message).toMatch(/label column 'zzzz' not found\. The file has columns: 'h{60}…', 'y'$/);
  });

  it('numbers beyond float32 are refused, not stored as Infinity', async () => {
    const file = tempFile('a,y\n1,0\n1e39,1\n');
    expect((await failure({ path: file, ...binary })).message).toBe(
      `${file}:3: column 'a': 1e+39 is out of the float32 range of model features (±3.4e38) (data row 2)`,
    );
    const huge = tempFile('a,y\n1e400,0\n');
    expect((await failure({ path: huge, ...binary })).message).toBe(
      `${huge}:2: column 'a': '1e400' is out of the range of a number (data row 1)`,
    );
    const jsonl = tempFile('{"a": 1e39, "y": 0}\n', '.jsonl');
    expect((await failure({ path: jsonl, ...binary })).message).toContain(
      `column 'a': 1e+39 is out of the float32`,
    );
  });

  it('a JSON Lines row of 100k nested arrays is an InputError, not a RangeError', async () => {
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const file = tempFile(`{"a": 1, "y": 0}\n{"a": ${nested}, "y": 1}\n`, '.jsonl');
    const err = await failure({ path: file, ...binary });
    expect(err.message).toBe(
      `${file}:2: JSON nested more than 64 levels deep (a data row is one flat object)`,
    );
    // Brackets inside strings are text, not nesting.
    const text = tempFile(
      `{"a": 1, "s": "${'['.repeat(1000)}", "y": 0}\n{"a": 2, "s": "x", "y": 1}\n`,
      '.jsonl',
    );
    expect((await loadEvalData({ path: text, ...binary, extraColumns: ['s'] })).n).toBe(2);
  });

  it('a JSON array or object where a value belongs names the row and column', async () => {
    const file = tempFile('{"a": 1, "y": 0}\n{"a": [1, 2], "y": 1}\n', '.jsonl');
    expect((await failure({ path: file, ...binary })).message).toBe(
      `${file}:2: column 'a': an array where a single value (number, string, boolean) belongs (data row 2)`,
    );
    const label = tempFile('{"a": 1, "y": {"v": 0}}\n', '.jsonl');
    expect((await failure({ path: label, ...binary })).message).toContain(`column 'y': an object where`);
  });
});

describe('loadEvalData: damaged Parquet', () => {
  const original = readFileSync(path.join(FIXTURES, 'churn.parquet'));
  const churn = { label: 'churned', task: 'binary-classification' } as const;

  it('a zeroed footer is an InputError naming the file', async () => {
    const metaLength = original.readUInt32LE(original.length - 8);
    const zeroed = Buffer.from(original);
    zeroed.fill(0, original.length - 8 - metaLength, original.length - 8);
    const file = tempFile(zeroed, '.parquet');
    const err = await failure({ path: file, ...churn });
    expect(err.message).toBe(`${file}: not a readable Parquet file: its footer (the metadata) is damaged`);
  });

  it('a footer whose length field is zeroed, or a file cut in half', async () => {
    const noLength = Buffer.from(original);
    noLength.fill(0, original.length - 8, original.length - 4);
    const cut = original.subarray(0, Math.floor(original.length / 2));
    for (const bytes of [noLength, cut, Buffer.concat([cut, Buffer.from('PAR1')])]) {
      const file = tempFile(bytes, '.parquet');
      const err = await failure({ path: file, ...churn });
      expect(err.message.startsWith(`${file}: not a readable Parquet file`)).toBe(true);
    }
  });
});

describe('loadEvalData: unnamed columns are never features', () => {
  it('f0,,f2: the empty-named column is ignored and reported', async () => {
    const file = tempFile('f0,,f2,y\n1,junk,3,0\n4,,6,1\n');
    const data = await loadEvalData({ path: file, ...binary });
    expect(data.featureNames).toEqual(['f0', 'f2']);
    expect(Array.from(data.features)).toEqual([1, 3, 4, 6]);
    expect(data.unnamedColumns).toEqual([2]);
  });

  it("pandas' index column (',a,b') and a trailing comma are ignored too", async () => {
    const file = tempFile(',a,y,\n0,1.5,0,\n1,2.5,1,\n');
    const data = await loadEvalData({ path: file, ...binary });
    expect(data.featureNames).toEqual(['a']);
    expect(data.unnamedColumns).toEqual([1, 4]);
  });

  it('JSON Lines: an empty key is ignored the same way', async () => {
    const file = tempFile('{"": 9, "a": 1, "y": 0}\n{"": 8, "a": 2, "y": 1}\n', '.jsonl');
    const data = await loadEvalData({ path: file, ...binary });
    expect(data.featureNames).toEqual(['a']);
    expect(data.unnamedColumns).toEqual([1]);
  });

  it('only unnamed columns besides the label: no features is an error', async () => {
    const file = tempFile(',y\n1,0\n');
    expect((await failure({ path: file, ...binary })).message).toContain('no feature columns');
  });
});

describe('loadEvalData: labels name the first offending row', () => {
  it('binary task, 0/1 data with one 2: the row holding the 2', async () => {
    const file = tempFile('a,y\n1,0\n2,1\n3,1\n4,2\n5,0\n');
    expect((await failure({ path: file, ...binary })).message).toBe(
      `${file}:5: column 'y': label '2' makes 3 distinct values [0, 1, 2] but the task is binary-classification; ` +
        `set 'classes' to name the two classes (negative first) (data row 4)`,
    );
  });

  it('declared classes: the first row with an unknown label, JSON Lines and CSV', async () => {
    const csv = tempFile('a,y\n1,0\n2,1\n3,5\n4,7\n');
    const opts = { label: 'y', task: 'multiclass-classification' as const, classes: [0, 1, 2] };
    expect((await failure({ path: csv, ...opts })).message).toBe(
      `${csv}:4: column 'y': label '5' is not one of the classes [0, 1, 2] (data row 3)`,
    );
    const jsonl = tempFile('{"a":1,"y":0}\n\n{"a":2,"y":5}\n', '.jsonl');
    expect((await failure({ path: jsonl, ...opts })).message).toBe(
      `${jsonl}:3: column 'y': label '5' is not one of the classes [0, 1, 2] (data row 2)`,
    );
  });

  it('three classes declared for a binary task, or a class listed twice', async () => {
    const file = tempFile('a,y\n1,0\n');
    expect((await failure({ path: file, ...binary, classes: [0, 1, 2] })).message).toBe(
      `${file}: the task is binary-classification but 'classes' lists 3 classes [0, 1, 2]; ` +
        `list exactly two (negative first) or use multiclass-classification`,
    );
    expect(
      (await failure({ path: file, label: 'y', task: 'multiclass-classification', classes: [0, 1, 1] }))
        .message,
    ).toBe(`${file}: 'classes' lists 1 twice`);
  });
});

describe('loadEvalData: text columns for models with one typed input per column', () => {
  const rows = 'sex,age,smoker,y\nfemale,30,True,0\nmale,41.5,False,1\n';

  it('CSV: text columns keep their cells; numbers still land in the matrix', async () => {
    const file = tempFile(rows);
    const data = await loadEvalData({ path: file, ...binary, textColumns: ['sex', 'smoker', 'age'] });
    expect(data.featureNames).toEqual(['sex', 'age', 'smoker']);
    expect(data.text).toEqual({ sex: ['female', 'male'], age: ['30', '41.5'], smoker: ['True', 'False'] });
    expect(Array.from(data.features)).toEqual([NaN, 30, NaN, NaN, 41.5, NaN]);
  });

  it('without textColumns a string cell is still a row error', async () => {
    const file = tempFile(rows);
    expect((await failure({ path: file, ...binary })).message).toBe(
      `${file}:2: column 'sex': 'female' is not a number (data row 1)`,
    );
  });

  it('JSON Lines: strings, numbers and booleans become the text a CSV would hold', async () => {
    const file = tempFile(
      '{"sex":"female","age":30,"smoker":true,"y":0}\n{"sex":"male","age":41.5,"smoker":false,"y":1}\n',
      '.jsonl',
    );
    const data = await loadEvalData({ path: file, ...binary, textColumns: ['sex', 'smoker'] });
    expect(data.text).toEqual({ sex: ['female', 'male'], smoker: ['true', 'false'] });
    expect(Array.from(data.features)).toEqual([NaN, 30, NaN, NaN, 41.5, NaN]);
  });
});
