import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '@mlops-actions/core';
import { computeDrift, parseFloat64, readDataset, type Dataset } from '@mlops-actions/drift';
import { DATASETS, rng, tempDir } from './helpers.js';

function column(d: Dataset, name: string): (number | string | null)[] {
  const c = d.columns.get(name)!;
  return Array.from({ length: c.rows }, (_, i) => {
    if (c.kind === 'numeric') return Number.isNaN(c.values[i]!) ? null : c.values[i]!;
    const code = c.codes![i]!;
    return code < 0 ? null : c.dictionary[code]!;
  });
}

describe('number parsing', () => {
  it('parseFloat64 equals Number() (correctly rounded) on random decimals', () => {
    const r = rng(5);
    const bad: string[] = [];
    for (let k = 0; k < 200000; k++) {
      const digits = 1 + Math.floor(r() * 19);
      let s = '';
      for (let i = 0; i < digits; i++) s += String(Math.floor(r() * 10));
      const dot = Math.floor(r() * (digits + 1));
      let t = dot === digits ? s : `${s.slice(0, dot)}.${s.slice(dot)}`;
      if (r() < 0.3) t += `e${Math.floor(r() * 60) - 30}`;
      if (r() < 0.5) t = `-${t}`;
      const buf = Buffer.from(` ${t} `);
      const mine = parseFloat64(buf, 0, buf.length);
      if (!Object.is(mine, Number(t))) bad.push(`${t}: ${mine} vs ${Number(t)}`);
      if (bad.length > 5) break;
    }
    expect(bad).toEqual([]);
    for (const t of ['', '-', '.', '1..2', '1e', '0x10', 'abc', '1,5']) {
      const b = Buffer.from(t);
      expect(parseFloat64(b, 0, b.length)).toBeNaN();
    }
  });
});

describe('CSV reading', () => {
  const dir = tempDir();

  it('reads a million-digit cell in linear time: text when it ends in a letter, too large a number otherwise', () => {
    // A number syntax that backtracks would take about half an hour on the first cell.
    const digits = '1'.repeat(1_000_000);
    const file = join(dir, 'long-cells.csv');
    writeFileSync(file, `text,big\n1,1\n${digits}x,${digits}\n`);
    const d = readDataset(file);
    expect(d.columns.get('text')!.kind).toBe('categorical');
    expect(column(d, 'text')).toEqual(['1', `${digits}x`]);
    // pandas reads it as inf, which Evidently counts as missing.
    expect(column(d, 'big')).toEqual([1, null]);
  }, 60_000);

  const text =
    '\ufeffnum,cat,"quoted ""name"""\r\n' +
    '1.5,"a, with comma",10\r\n' +
    '\r\n' +
    'NA,"multi\nline",\r\n' +
    '-2e3,b,"3"\r\n' +
    '4,,nan\n';
  const file = join(dir, 'odd.csv');
  writeFileSync(file, text);

  it('quotes, CRLF, BOM, blank lines and missing markers, at every chunk size', () => {
    const expected = readDataset(file);
    expect(expected.header).toEqual(['num', 'cat', 'quoted "name"']);
    expect(expected.rows).toBe(4);
    expect(column(expected, 'num')).toEqual([1.5, null, -2000, 4]);
    expect(column(expected, 'cat')).toEqual(['a, with comma', 'multi\nline', 'b', null]);
    expect(column(expected, 'quoted "name"')).toEqual([10, null, 3, null]);
    for (let chunk = 1; chunk < text.length + 2; chunk++) {
      const d = readDataset(file, { chunkBytes: chunk });
      for (const h of expected.header)
        expect(column(d, h), `chunk ${chunk} ${h}`).toEqual(column(expected, h));
      expect(d.files[0]!.sha256).toBe(expected.files[0]!.sha256);
    }
  });

  it('a real dataset reads the same in 64-byte chunks as in one', () => {
    const path = join(DATASETS, 'breast_cancer.csv');
    const a = readDataset(path);
    const b = readDataset(path, { chunkBytes: 64 });
    expect(a.rows).toBe(569);
    for (const h of a.header) expect(column(b, h)).toEqual(column(a, h));
  });

  it('errors name the file and line', () => {
    const bad = join(dir, 'ragged.csv');
    writeFileSync(bad, 'a,b\n1,2\n3\n');
    expect(() => readDataset(bad)).toThrow(/ragged\.csv:3: expected 2 fields as in the header but found 1/);
    const open = join(dir, 'open.csv');
    writeFileSync(open, 'a,b\n1,"2\n');
    expect(() => readDataset(open)).toThrow(/never closed/);
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    expect(() => readDataset(empty)).toThrow(InputError);
    expect(() => readDataset(join(dir, 'absent.csv'))).toThrow(/no such file or directory/);
    const wanted = join(dir, 'ok.csv');
    writeFileSync(wanted, 'a,b\n1,2\n');
    expect(() => readDataset(wanted, { columns: ['a', 'z'] })).toThrow(/missing column 'z'/);
  });
});

describe('JSON Lines and directories', () => {
  it("reads the model server's --log-inputs lines in all three shapes, and plain rows", () => {
    const dir = tempDir();
    const p = join(dir, 'requests.jsonl');
    writeFileSync(
      p,
      [
        JSON.stringify({ ts: '2026-12-01T00:00:00Z', inputs: { x: 1, y: 'a' }, outputs: { score: 0.3 } }),
        JSON.stringify({
          inputs: [
            { x: 2, y: 'b' },
            { x: null, y: 'a' },
          ],
        }),
        JSON.stringify({ inputs: { x: [3, 4], y: ['c', 'a'] } }),
        '',
      ].join('\n'),
    );
    const d = readDataset(p);
    expect(d.rows).toBe(5);
    expect(column(d, 'x')).toEqual([1, 2, null, 3, 4]);
    expect(column(d, 'y')).toEqual(['a', 'b', 'a', 'c', 'a']);
    // The server's --log-inputs rows (packages/serve InputLogRow), in its daily file names.
    const logDir = join(dir, 'serve-log');
    mkdirSync(logDir);
    const row = (x: number, y: string | null) =>
      JSON.stringify({
        ts: '2026-12-01T00:00:00.000Z',
        model: 'm',
        version: '1',
        route: 'predict',
        features: { x, y },
        outputs: { score: [0.4] },
        prediction: { score: 0.4 },
      });
    writeFileSync(join(logDir, 'inputs-2026-11-30-000.jsonl'), row(1, 'a') + '\n' + row(2, null) + '\n');
    writeFileSync(join(logDir, 'inputs-2026-12-01-000.jsonl'), row(3, 'b') + '\n');
    const served = readDataset(logDir);
    expect(served.header).toEqual(['x', 'y']);
    expect(column(served, 'x')).toEqual([1, 2, 3]);
    expect(column(served, 'y')).toEqual(['a', null, 'b']);
    const plain = join(dir, 'rows.ndjson');
    writeFileSync(plain, '{"x": 1.25, "y": "q"}\n{"x": "2", "y": "r"}\n');
    expect(column(readDataset(plain), 'x')).toEqual([1.25, 2]);
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, '{"x": 1}\n{"x": \n');
    expect(() => readDataset(broken)).toThrow(/broken\.jsonl:2: not valid JSON/);
  });

  it('a directory of daily files is one current set; a day missing a column is an error', () => {
    const dir = tempDir();
    const days = join(dir, 'days');
    mkdirSync(days);
    writeFileSync(join(days, '2026-11-29.csv'), 'x,y\n1,a\n2,b\n');
    writeFileSync(join(days, '2026-11-30.jsonl'), '{"inputs": {"y": "c", "x": 3}}\n');
    writeFileSync(join(days, 'README.md'), 'not data');
    const d = readDataset(days);
    expect(d.files.map((f) => f.rows)).toEqual([2, 1]);
    expect(column(d, 'x')).toEqual([1, 2, 3]);
    expect(column(d, 'y')).toEqual(['a', 'b', 'c']);
    writeFileSync(join(days, '2026-12-01.csv'), 'x\n4\n');
    expect(() => readDataset(days)).toThrow(/2026-12-01\.csv: missing 'y', which the earlier files have/);
    const emptyDir = join(dir, 'none');
    mkdirSync(emptyDir);
    expect(() => readDataset(emptyDir)).toThrow(/has no data files/);
  });

  it('drift between a CSV reference and a log of current inputs', () => {
    const dir = tempDir();
    const ref = join(dir, 'ref.csv');
    const r = rng(8);
    const rows = Array.from({ length: 300 }, () => [r() * 10, r() < 0.5 ? 'u' : 'v']);
    writeFileSync(ref, 'x,g\n' + rows.map((x) => x.join(',')).join('\n') + '\n');
    const log = join(dir, 'log.jsonl');
    writeFileSync(
      log,
      Array.from({ length: 300 }, () =>
        JSON.stringify({ inputs: { x: r() * 10 + 3, g: r() < 0.5 ? 'u' : 'v' } }),
      ).join('\n'),
    );
    const rep = computeDrift(readDataset(ref), readDataset(log));
    expect(rep.features.map((f) => [f.name, f.method, f.drifted])).toEqual([
      ['x', 'ks', true],
      ['g', 'z', false],
    ]);
    expect(rep.features[0]!.outOfRangeRate).toBeGreaterThan(0.2);
  });
});

describe('radix sort', () => {
  it('orders like TypedArray#sort, negatives, zeros, subnormals and ties included', async () => {
    const { sortFloat64 } = await import('../../packages/drift/src/sort.js');
    const r = rng(12);
    for (const n of [10, 5000, 70000]) {
      const x = Float64Array.from({ length: n }, (_, i) =>
        i % 7 === 0
          ? Math.round(r() * 10) - 5
          : i % 11 === 0
            ? (r() - 0.5) * 1e-310
            : (r() - 0.5) * 10 ** (r() * 20 - 10),
      );
      x[0] = -0;
      x[1] = 0;
      x[2] = -Infinity;
      x[3] = Infinity;
      const want = Float64Array.from(x).sort();
      const got = sortFloat64(Float64Array.from(x));
      expect(got.length).toBe(n);
      let same = true;
      for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) same = false;
      expect(same).toBe(true);
    }
  });
});
