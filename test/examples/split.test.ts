import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { split as splitBreastCancer } from '../../examples/breast-cancer/split.js';
import { split as splitDiabetes } from '../../examples/diabetes/split.js';
import { split as splitWine } from '../../examples/wine/split.js';
import { splitCsvText, splitFile } from '../../examples/lib/split.js';
import { EXAMPLES, tempDir } from './helpers.js';

const SOURCES = join(import.meta.dirname, '..', '..', 'examples', 'datasets');
const cases = [
  { name: 'breast-cancer', source: 'breast_cancer.csv', split: splitBreastCancer },
  { name: 'diabetes', source: 'diabetes.csv', split: splitDiabetes },
  { name: 'wine', source: 'wine.csv', split: splitWine },
];

describe('example data splits', () => {
  it('the source datasets this test re-splits are present', () => {
    for (const c of cases) expect(existsSync(join(SOURCES, c.source))).toBe(true);
  });

  for (const c of cases) {
    it(`${c.name}: re-running split.ts gives the committed files byte for byte`, () => {
      const out = tempDir();
      const counts = c.split(join(SOURCES, c.source), out);
      for (const file of ['train.csv', 'eval.csv']) {
        expect(readFileSync(join(out, file)).equals(readFileSync(join(EXAMPLES, c.name, 'data', file)))).toBe(
          true,
        );
      }
      const total = counts.train + counts.eval;
      expect(counts.eval / total).toBeGreaterThan(0.17);
      expect(counts.eval / total).toBeLessThan(0.33);
    });
  }

  it('partitions the rows: every source row lands in exactly one side, header on both', () => {
    const text = 'a,b\n' + Array.from({ length: 200 }, (_, i) => `${i},${i * 2}`).join('\n') + '\n';
    const parts = splitCsvText(text, 'x.csv');
    const train = parts.train.trim().split('\n');
    const evalRows = parts.eval.trim().split('\n');
    expect(train[0]).toBe('a,b');
    expect(evalRows[0]).toBe('a,b');
    const rows = [...train.slice(1), ...evalRows.slice(1)].sort(
      (x, y) => Number(x.split(',')[0]) - Number(y.split(',')[0]),
    );
    expect(rows).toEqual(text.trim().split('\n').slice(1));
    // Appending rows never moves an existing row to the other side.
    const longer = splitCsvText(text + '200,400\n201,402\n', 'x.csv');
    expect(longer.eval.startsWith(parts.eval)).toBe(true);
  });

  it('names the file when the source is missing or has no data rows', () => {
    expect(() => splitFile('/nonexistent/data.csv', tempDir())).toThrow(
      /\/nonexistent\/data.csv: cannot read the source dataset \(ENOENT\)/,
    );
    const empty = join(tempDir(), 'empty.csv');
    writeFileSync(empty, 'a,b\n');
    expect(() => splitFile(empty, tempDir())).toThrow(/empty.csv: expected a header row and data rows/);
  });
});
