import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { InputError } from '@mlops-actions/core';
import { loadEvalData, type EvalData } from '@mlops-actions/data';
import { settle, tally, tempFile } from './helpers.js';

/**
 * Property-based and hand-made malformed input for the data readers: every case is either read
 * exactly (round trips) / consistently (mutations), or ends in an InputError naming the file.
 */
type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

const binary = { label: 'y', task: 'binary-classification' } as const;
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

function consistent(data: EvalData): void {
  expect(data.n).toBeGreaterThan(0);
  expect(data.features.length).toBe(data.n * data.d);
  expect(data.featureNames).toHaveLength(data.d);
  for (const v of data.features) expect(Number.isFinite(v)).toBe(true);
  expect(data.labels).toHaveLength(data.n);
  for (const l of data.labels) expect(l === 0 || l === 1).toBe(true);
}

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const value = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ min: -1e30, max: 1e30, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e-30, 3.4e38, -3.4e38, 0.1, 123456789012345680000),
);
const table = fc
  .record({
    names: fc.uniqueArray(name, { minLength: 1, maxLength: 6 }).filter((n) => !n.includes('y')),
    rows: fc.integer({ min: 2, max: 30 }),
    seed: fc.integer(),
  })
  .chain(({ names, rows }) =>
    fc.record({
      names: fc.constant(names),
      values: fc.array(fc.array(value, { minLength: names.length, maxLength: names.length }), {
        minLength: rows,
        maxLength: rows,
      }),
      labels: fc.array(fc.constantFrom(0, 1), { minLength: rows, maxLength: rows }).map((l) => [0, 1, ...l]),
      quote: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      trailingNewline: fc.boolean(),
      spaces: fc.boolean(),
    }),
  );

function toCsv(t: Of<typeof table>): string {
  const nl = t.crlf ? '\r\n' : '\n';
  let q = 0;
  const cell = (s: string): string => (t.quote[q++ % t.quote.length] ? `"${s}"` : s);
  const lines = [[...t.names, 'y'].map(cell).join(',')];
  t.labels.forEach((label, i) => {
    const row = t.values[i % t.values.length]!.map((v) => cell(t.spaces ? ` ${String(v)} ` : String(v)));
    lines.push([...row, cell(String(label))].join(','));
  });
  return (t.bom ? '\uFEFF' : '') + lines.join(nl) + (t.trailingNewline ? nl : '');
}

function expectedFeatures(t: Of<typeof table>): Float32Array {
  // What the text says (String(-0) is '0'), rounded to float32 as a model sees it.
  return Float32Array.from(
    t.labels.flatMap((_, i) => t.values[i % t.values.length]!.map((v) => Number(String(v)))),
  );
}

/** Random edits with the characters that matter to CSV and JSON. */
const edits = fc.array(
  fc.record({
    at: fc.nat(),
    del: fc.integer({ min: 0, max: 3 }),
    text: fc.oneof(
      fc.constantFrom(
        '"',
        ',',
        '\n',
        '\r',
        '""',
        '\u0000',
        '{',
        '[',
        ']',
        '}',
        'e',
        '-',
        '.',
        ' ',
        'x',
        '1e999',
        '',
      ),
      fc.string({ maxLength: 4 }),
    ),
  }),
  { minLength: 1, maxLength: 6 },
);
function mutate(text: string, ops: Of<typeof edits>): string {
  let s = text;
  for (const op of ops) {
    const at = op.at % (s.length + 1);
    s = s.slice(0, at) + op.text + s.slice(at + op.del);
  }
  return s;
}

afterAll(() => {
  console.log(`fuzz/data: ${tally.cases} cases`);
});

describe('fuzz: CSV reader', () => {
  it('round trip: quoting, CRLF, BOM, spaces and trailing newlines never change a value', async () => {
    await fc.assert(
      fc.asyncProperty(table, async (t) => {
        const file = tempFile(toCsv(t), '.csv');
        tally.cases++;
        const data = await loadEvalData({ path: file, ...binary });
        expect(data.featureNames).toEqual(t.names);
        expect(data.features).toEqual(expectedFeatures(t));
        expect(Array.from(data.labels)).toEqual(t.labels);
      }),
      { numRuns: 150 },
    );
  });

  it('mutations end in an InputError or a consistent table', async () => {
    await fc.assert(
      fc.asyncProperty(table, edits, async (t, ops) => {
        const file = tempFile(mutate(toCsv(t), ops), '.csv');
        const out = await settle(file, () => loadEvalData({ path: file, ...binary }));
        if (!(out instanceof InputError)) consistent(out);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const file = tempFile(bytes, '.csv');
        const out = await settle(file, () => loadEvalData({ path: file, ...binary }));
        if (!(out instanceof InputError)) consistent(out);
      }),
      { numRuns: 100 },
    );
  });
});

describe('fuzz: JSON Lines reader', () => {
  const toJsonl = (t: Of<typeof table>): string =>
    t.labels
      .map((label, i) => {
        const row: Record<string, number> = {};
        t.names.forEach((n, j) => (row[n] = t.values[i % t.values.length]![j]!));
        row.y = label;
        return JSON.stringify(row);
      })
      .join(t.crlf ? '\r\n' : '\n');

  it('round trip', async () => {
    await fc.assert(
      fc.asyncProperty(table, async (t) => {
        const file = tempFile(toJsonl(t), '.jsonl');
        tally.cases++;
        const data = await loadEvalData({ path: file, ...binary });
        expect(data.features).toEqual(expectedFeatures(t));
      }),
      { numRuns: 100 },
    );
  });

  it('mutations and arbitrary JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(table, edits, async (t, ops) => {
        const file = tempFile(mutate(toJsonl(t), ops), '.jsonl');
        const out = await settle(file, () => loadEvalData({ path: file, ...binary }));
        if (!(out instanceof InputError)) consistent(out);
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ maxDepth: 4 }), { minLength: 1, maxLength: 5 }),
        async (rows) => {
          const file = tempFile(rows.map((r) => JSON.stringify(r)).join('\n'), '.jsonl');
          const out = await settle(file, () => loadEvalData({ path: file, ...binary }));
          if (!(out instanceof InputError)) consistent(out);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('fuzz: Parquet reader', () => {
  const originals = [
    readFileSync(path.join(FIXTURES, 'data/churn.parquet')),
    readFileSync(path.join(FIXTURES, 'models/tabular_eval.parquet')),
  ];
  const labelOf = ['churned', 'charged'];

  it('flipped, zeroed and truncated bytes end in an InputError naming the file or a consistent table', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1 }),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (which, flips, cut) => {
          const bytes = Buffer.from(originals[which]!);
          for (const f of flips) bytes[f.at % bytes.length] = f.byte;
          const data = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
          const file = tempFile(data, '.parquet');
          const out = await settle(file, () =>
            loadEvalData({
              path: file,
              label: labelOf[which]!,
              task: 'binary-classification',
              ...(which === 0 ? { features: ['age', 'income'] } : { textColumns: ['sex', 'region'] }),
            }),
          );
          if (!(out instanceof InputError)) {
            expect(out.n).toBeGreaterThan(0);
            expect(out.features.length).toBe(out.n * out.d);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('fuzz: hand-made corpus', () => {
  const digits = '9'.repeat(1_000_000);
  const csvCases: [string, string][] = [
    ['million-digit cell', `a,y\n${digits},0\n`],
    ['million-digit cell ending in a letter', `a,y\n${digits}x,0\n`],
    ['million-char header', `${'h'.repeat(1_000_000)},y\n1,0\n`],
    ['70000 columns', `${Array.from({ length: 70_000 }, (_, i) => `c${i}`).join(',')},y\n`],
    ['NUL bytes', 'a,y\n1\u0000,0\n'],
    ['only a BOM', '\uFEFF'],
    ['only quotes', '""""""'],
    ['unterminated quote at EOF', 'a,y\n"1,0\n'],
    ['lone CR line ends', 'a,y\r1,0\r2,1\r'],
    ['label only', 'y\n0\n1\n'],
    ['blank lines only', '\n\n\n'],
    ['header repeated as data', 'a,y\na,y\n'],
    ['1e999', 'a,y\n1e999,0\n'],
    ['hex and Infinity', 'a,y\n0x10,0\nInfinity,1\n'],
    ['unnamed columns only', ',,y\n1,2,0\n'],
    ['duplicate columns', 'a,a,y\n1,2,0\n'],
    ['three labels on a binary task', 'a,y\n1,0\n2,1\n3,2\n'],
  ];
  for (const [what, text] of csvCases) {
    it(`CSV: ${what}`, async () => {
      const file = tempFile(text, '.csv');
      const out = await settle(file, () => loadEvalData({ path: file, ...binary }));
      if (!(out instanceof InputError)) consistent(out);
    });
  }
  const jsonlCases: [string, string][] = [
    ['100k nested arrays', `{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "y": 0}`],
    ['100k nested objects', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`],
    ['unbalanced brackets', '{"a": [[[[, "y": 0}'],
    ['a top-level array', '[1, 2, 3]'],
    ['__proto__ key', '{"__proto__": 1, "a": 1, "y": 0}\n{"__proto__": 2, "a": 2, "y": 1}'],
    ['an empty key', '{"": 1, "a": 1, "y": 0}\n{"": 2, "a": 2, "y": 1}'],
    ['a huge string', `{"a": "${'x'.repeat(1_000_000)}", "y": 0}`],
    ['keys differ by line', '{"a": 1, "y": 0}\n{"b": 1, "y": 1}'],
    ['NaN literal', '{"a": NaN, "y": 0}'],
  ];
  for (const [what, text] of jsonlCases) {
    it(`JSON Lines: ${what}`, async () => {
      const file = tempFile(text, '.jsonl');
      const out = await settle(file, () => loadEvalData({ path: file, ...binary }));
      if (!(out instanceof InputError)) consistent(out);
    });
  }
  it('Parquet: empty, magic only, zeroed footer, footer length past the start', async () => {
    const churn = readFileSync(path.join(FIXTURES, 'data/churn.parquet'));
    const zeroFooter = Buffer.from(churn);
    const metaLength = churn.readUInt32LE(churn.length - 8);
    zeroFooter.fill(0, churn.length - 8 - metaLength, churn.length - 8);
    const longLength = Buffer.from(churn);
    longLength.writeUInt32LE(0xffffff, churn.length - 8);
    for (const bytes of [
      Buffer.alloc(0),
      Buffer.from('PAR1'),
      Buffer.from('PAR1PAR1'),
      zeroFooter,
      longLength,
    ]) {
      const file = tempFile(bytes, '.parquet');
      const out = await settle(file, () =>
        loadEvalData({ path: file, label: 'churned', task: 'binary-classification' }),
      );
      expect(out).toBeInstanceOf(InputError);
    }
  });
});
