import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '@mlops-actions/core';
import { loadEvalData, type LoadEvalDataOptions } from '@mlops-actions/data';
import { tempFile } from './helpers.js';

async function failure(opts: LoadEvalDataOptions): Promise<InputError> {
  const err = await loadEvalData(opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const binary = { label: 'y', task: 'binary-classification' } as const;

describe('loadEvalData: errors name the file, line, data row and column', () => {
  it('non-numeric feature value', async () => {
    const file = tempFile('age,y\n' + '30,0\n'.repeat(15) + 'abc,1\n');
    const err = await failure({ path: file, ...binary });
    expect(err.message).toBe(`${file}:17: column 'age': 'abc' is not a number (data row 16)`);
    expect(err.location).toEqual({ file, line: 17 });
  });

  it('counts lines inside quoted fields so the line number stays right', async () => {
    const file = tempFile('note,age,y\n"a\nb",1,0\nok,x1,1\n');
    const err = await failure({ path: file, ...binary, extraColumns: ['note'] });
    expect(err.message).toBe(`${file}:4: column 'age': 'x1' is not a number (data row 2)`);
  });

  it('empty feature value', async () => {
    const file = tempFile('a,b,y\n1,2,0\n3,,1\n');
    expect((await failure({ path: file, ...binary })).message).toBe(
      `${file}:3: column 'b': empty value (data row 2)`,
    );
  });

  it('empty label and empty id', async () => {
    const noLabel = tempFile('a,y\n1,\n');
    expect((await failure({ path: noLabel, ...binary })).message).toBe(
      `${noLabel}:2: column 'y': empty label (data row 1)`,
    );
    const noId = tempFile('id,a,y\n1,1,0\n ,2,1\n');
    expect((await failure({ path: noId, ...binary, id: 'id' })).message).toBe(
      `${noId}:3: column 'id': empty id (data row 2)`,
    );
  });

  it('missing label column lists the columns and suggests a near name', async () => {
    const file = tempFile('age,income,churned\n1,2,0\n');
    const err = await failure({ path: file, label: 'churn', task: 'binary-classification' });
    expect(err.message).toBe(
      `${file}: label column 'churn' not found. Did you mean 'churned'? The file has columns: 'age', 'income', 'churned'`,
    );
  });

  it('missing feature, id and extra columns', async () => {
    const file = tempFile('mean_radius,region,y\n1,n,0\n');
    expect((await failure({ path: file, ...binary, features: ['mean_radus'] })).message).toContain(
      `feature column 'mean_radus' not found. Did you mean 'mean_radius'?`,
    );
    expect((await failure({ path: file, ...binary, id: 'customer_id' })).message).toContain(
      `id column 'customer_id' not found. The file has columns: 'mean_radius', 'region', 'y'`,
    );
    expect((await failure({ path: file, ...binary, extraColumns: ['Region'] })).message).toContain(
      `slice column 'Region' not found. Did you mean 'region'?`,
    );
  });

  it('empty file and header-only file', async () => {
    const empty = tempFile('');
    expect((await failure({ path: empty, ...binary })).message).toBe(
      `${empty}: the file is empty (expected a header row)`,
    );
    const headerOnly = tempFile('a,y\r\n');
    expect((await failure({ path: headerOnly, ...binary })).message).toBe(
      `${headerOnly}: the file has a header (line 1) but no data rows`,
    );
  });

  it('ragged rows: too few and too many fields', async () => {
    const short = tempFile('a,b,y\n1,2,0\n3,1\n');
    expect((await failure({ path: short, ...binary })).message).toBe(
      `${short}:3: expected 3 fields as in the header but found 2 (data row 2)`,
    );
    const long = tempFile('a,b,y\n1,2,0,9\n');
    expect((await failure({ path: long, ...binary })).message).toBe(
      `${long}:2: expected 3 fields as in the header but found 4 (data row 1)`,
    );
  });

  it('broken quoting', async () => {
    const unclosed = tempFile('a,y\n"1,0\n');
    expect((await failure({ path: unclosed, ...binary })).message).toBe(
      `${unclosed}:2: a quoted field is never closed (missing '"')`,
    );
    const trailing = tempFile('a,y\n"1"x,0\n');
    expect((await failure({ path: trailing, ...binary })).message).toContain(
      `${trailing}:2: unexpected text after the closing quote of field 1`,
    );
  });

  it('label outside the declared classes', async () => {
    const file = tempFile('a,y\n1,yes\n2,maybe\n');
    const err = await failure({
      path: file,
      label: 'y',
      task: 'binary-classification',
      classes: ['no', 'yes'],
    });
    expect(err.message).toBe(
      `${file}:3: column 'y': label 'maybe' is not one of the classes ['no', 'yes'] (data row 2)`,
    );
    const numeric = tempFile('a,y\n1,0\n2,3\n');
    expect(
      (await failure({ path: numeric, label: 'y', task: 'multiclass-classification', classes: [0, 1, 2] }))
        .message,
    ).toBe(`${numeric}:3: column 'y': label '3' is not one of the classes [0, 1, 2] (data row 2)`);
  });

  it('non-numeric regression label', async () => {
    const file = tempFile('a,target\n1,2.5\n2,high\n');
    expect((await failure({ path: file, label: 'target', task: 'regression' })).message).toBe(
      `${file}:3: column 'target': 'high' is not a number (regression labels must be numeric) (data row 2)`,
    );
  });

  it('binary task with more than two label values', async () => {
    const file = tempFile('a,y\n1,a\n2,b\n3,c\n');
    expect((await failure({ path: file, ...binary })).message).toContain(
      `${file}:4: column 'y': label 'c' makes 3 distinct values ['a', 'b', 'c'] but the task is binary-classification`,
    );
  });

  it('unreadable file: missing, a directory, unknown extension', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-data-dir-'));
    const missing = path.join(dir, 'nope.csv');
    expect((await failure({ path: missing, ...binary })).message).toBe(
      `${missing}: cannot read the file: no such file`,
    );
    const asDir = path.join(dir, 'x.csv');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(asDir);
    expect((await failure({ path: asDir, ...binary })).message).toBe(
      `${asDir}: cannot read the file: it is a directory, not a file`,
    );
    const txt = tempFile('a,y\n1,0\n', '.txt');
    expect((await failure({ path: txt, ...binary })).message).toContain(
      'cannot tell the data format from the extension',
    );
  });

  it('the label cannot also be a feature; no features left is an error', async () => {
    const file = tempFile('a,y\n1,0\n');
    expect((await failure({ path: file, ...binary, features: ['a', 'y'] })).message).toBe(
      `${file}: 'y' is the label column and cannot be a feature`,
    );
    const onlyLabel = tempFile('y\n0\n');
    expect((await failure({ path: onlyLabel, ...binary })).message).toContain(
      `${onlyLabel}: no feature columns`,
    );
  });

  it('NaN, Infinity and hex are not numbers', async () => {
    for (const bad of ['NaN', 'Infinity', '0x10', '1,5']) {
      const file = tempFile(`a,y\n"${bad}",0\n`);
      expect((await failure({ path: file, ...binary })).message).toBe(
        `${file}:2: column 'a': '${bad}' is not a number (data row 1)`,
      );
    }
  });
});
