import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { loadEvalData } from '@mlops-actions/data';
import { tempFile } from './helpers.js';

const binary = { label: 'y', task: 'binary-classification' } as const;

describe('loadEvalData: CSV', () => {
  it('reads features row-major in file order, labels, digest and size', async () => {
    const text = 'a,b,y,c\n1,2,0,3\n4.5,-6e-1,1,7\n';
    const file = tempFile(text);
    const data = await loadEvalData({ path: file, ...binary });
    expect(data.n).toBe(2);
    expect(data.d).toBe(3);
    expect(data.featureNames).toEqual(['a', 'b', 'c']);
    expect([...data.features]).toEqual([1, 2, 3, 4.5, Math.fround(-0.6), 7]);
    expect([...data.labels]).toEqual([0, 1]);
    expect(data.classes).toEqual([0, 1]);
    expect([...data.rowKeys]).toEqual([0, 1]);
    expect(data.bytes).toBe(Buffer.byteLength(text));
    expect(data.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('handles RFC 4180 quoting: commas, doubled quotes and newlines inside fields', async () => {
    const file = tempFile(
      'id,"x, first","note",y,region\n' +
        '7,"1.5","he said ""hi""",1,"north, upper"\n' +
        '8,2,"two\nlines",0,"south"\n' +
        '9,"3","",1,""\n',
    );
    const data = await loadEvalData({
      path: file,
      ...binary,
      id: 'id',
      features: ['x, first'],
      extraColumns: ['note', 'region'],
    });
    expect(data.featureNames).toEqual(['x, first']);
    expect([...data.features]).toEqual([1.5, 2, 3]);
    expect(data.extra).toEqual({
      note: ['he said "hi"', 'two\nlines', ''],
      region: ['north, upper', 'south', ''],
    });
    expect([...data.rowKeys]).toEqual([7, 8, 9]);
  });

  it('accepts CRLF line ends, a UTF-8 BOM, blank lines and a missing final newline', async () => {
    const file = tempFile('\uFEFFa,y\r\n1,0\r\n\r\n2,1\r\n3,1');
    const data = await loadEvalData({ path: file, ...binary });
    expect(data.featureNames).toEqual(['a']);
    expect([...data.features]).toEqual([1, 2, 3]);
    expect([...data.labels]).toEqual([0, 1, 1]);
  });

  it('keeps extra columns as strings and leaves them out of the default features', async () => {
    const file = tempFile('region,a,b,y\nnorth,1,2,0\n,3,4,1\n');
    const data = await loadEvalData({ path: file, ...binary, extraColumns: ['region'] });
    expect(data.featureNames).toEqual(['a', 'b']);
    expect(data.extra.region).toEqual(['north', '']);
  });

  it('uses the row index as key when ids are not numeric, and keeps the ids in extra', async () => {
    const file = tempFile('cid,a,y\nc-1,1,0\nc-2,2,1\n');
    const data = await loadEvalData({ path: file, ...binary, id: 'cid' });
    expect(data.featureNames).toEqual(['a']);
    expect([...data.rowKeys]).toEqual([0, 1]);
    expect(data.extra.cid).toEqual(['c-1', 'c-2']);
  });

  it('parses numbers from bytes exactly as Math.fround(Number(text))', async () => {
    const values: string[] = [];
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 3000; i++) {
      const v = (rand() - 0.5) * 10 ** Math.floor(rand() * 16 - 8);
      const kind = i % 4;
      values.push(
        kind === 0
          ? String(v)
          : kind === 1
            ? v.toExponential(Math.floor(rand() * 17))
            : kind === 2
              ? v.toFixed(6)
              : ` ${Math.round(v)} `,
      );
    }
    values.push(
      '0',
      '-0',
      '007',
      '1.',
      '.5',
      '+3.25',
      '1E-5',
      '123456789012345678901234',
      '0.000000000000000000000000001',
    );
    const file = tempFile('x,y\n' + values.map((v) => `${v},0`).join('\n') + '\n');
    const data = await loadEvalData({ path: file, ...binary });
    expect(data.n).toBe(values.length);
    const expected = values.map((v) => Math.fround(Number(v)));
    expect([...data.features]).toEqual(expected);
  });

  it('reads the selected features in the order given, not file order', async () => {
    const file = tempFile('a,b,c,y\n1,2,3,0\n');
    const data = await loadEvalData({ path: file, ...binary, features: ['c', 'a'] });
    expect([...data.features]).toEqual([3, 1]);
  });

  it('reads a large file (100k × 30) to the last value', async () => {
    const header = Array.from({ length: 30 }, (_, j) => `f${j}`).join(',') + ',y\n';
    const row = Array.from({ length: 30 }, (_, j) => (j * 1.2345 - 10).toFixed(4)).join(',');
    const body = (row + ',1\n' + row + ',0\n').repeat(50_000);
    const file = tempFile(header + body);
    const data = await loadEvalData({ path: file, ...binary });
    expect(data.n).toBe(100_000);
    expect(data.features[30 * 99_999 + 29]).toBe(Math.fround(29 * 1.2345 - 10));
    // Speed is measured in bench/evaluate, not here.
  });
});
