import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { InputError } from '@mlops-actions/core';
import { parseJUnit, type JUnitSummary } from '../../packages/core/src/gates/junit.js';
import { settle, tally } from './helpers.js';

/**
 * The JUnit reader under generated reports (whose counts are known, so the result must be exact),
 * mutations of the real corpus and random XML-ish text: exact counts, or an InputError naming the
 * file; never another exception, never a count that includes something the file does not say.
 */
type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

const JUNIT = path.resolve(import.meta.dirname, '../fixtures/junit');
const corpus = [
  ...readdirSync(path.join(JUNIT, 'corpus'))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => readFileSync(path.join(JUNIT, 'corpus', f), 'utf8')),
  ...['pytest.xml', 'vitest.xml', 'jest.xml'].map((f) => readFileSync(path.join(JUNIT, f), 'utf8')),
];

type Outcome = 'passed' | 'failed' | 'errored' | 'skipped';
const outcome = fc.constantFrom<Outcome>('passed', 'failed', 'errored', 'skipped');
const text = fc.string({ maxLength: 12 });
const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/>/g, '&gt;');

/** A generated report: suites (possibly nested) of cases with known outcomes. */
const report = fc.record({
  suites: fc.array(
    fc.record({
      name: text,
      nested: fc.boolean(),
      cases: fc.array(
        fc.record({
          name: text,
          outcome,
          // How a skip is written: a child element or a status attribute (ctest, gtest).
          skipStyle: fc.constantFrom('element', 'status-disabled', 'notrun'),
          message: text,
          cdata: fc.boolean(),
        }),
        { minLength: 1, maxLength: 8 },
      ),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  comment: fc.boolean(),
});

function render(r: Of<typeof report>): string {
  const suites = r.suites.map((s) => {
    const cases = s.cases.map((c) => {
      const body = c.cdata && !c.message.includes(']]>') ? `<![CDATA[${c.message}]]>` : esc(c.message);
      const attrs = `name="${esc(c.name)}" classname="pkg.${esc(s.name)}" time="0.01"`;
      switch (c.outcome) {
        case 'passed':
          return `<testcase ${attrs}/>`;
        case 'failed':
          return `<testcase ${attrs}><failure message="${esc(c.message)}">${body}</failure></testcase>`;
        case 'errored':
          return `<testcase ${attrs}><error type="E">${body}</error></testcase>`;
        case 'skipped':
          return c.skipStyle === 'element'
            ? `<testcase ${attrs}><skipped message="${esc(c.message)}"/></testcase>`
            : c.skipStyle === 'status-disabled'
              ? `<testcase ${attrs} status="disabled"/>`
              : `<testcase ${attrs} status="notrun" result="suppressed"/>`;
      }
    });
    const count = (o: Outcome) => s.cases.filter((c) => c.outcome === o).length;
    const inner = `<testsuite name="${esc(s.name)}" tests="${s.cases.length}" failures="${count('failed')}" errors="${count('errored')}" skipped="${count('skipped')}">${
      r.comment ? '<!-- <failure message="in a comment"/> -->' : ''
    }${cases.join('\n')}</testsuite>`;
    return s.nested ? `<testsuite name="outer">${inner}</testsuite>` : inner;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>${suites.join('\n')}</testsuites>`;
}

function consistent(s: JUnitSummary): void {
  expect(s.total).toBe(s.passed + s.failed + s.errored + s.skipped);
  expect(s.total).toBeGreaterThan(0);
  expect(s.failures.length).toBeLessThanOrEqual(s.failed + s.errored);
}

afterAll(() => {
  console.log(`fuzz/junit: ${tally.cases} cases`);
});

describe('fuzz: JUnit reader', () => {
  it('generated reports are counted exactly (comments and CDATA hide nothing and add nothing)', async () => {
    await fc.assert(
      fc.asyncProperty(report, async (r) => {
        const s = (await settle('gen.xml', () => parseJUnit(render(r), 'gen.xml'))) as JUnitSummary;
        expect(s).not.toBeInstanceOf(InputError);
        const all = r.suites.flatMap((x) => x.cases);
        for (const o of ['passed', 'failed', 'errored', 'skipped'] as const) {
          expect(s[o]).toBe(all.filter((c) => c.outcome === o).length);
        }
        expect(s.warnings).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('mutated real reports: exact parse, InputError, or consistent counts', async () => {
    const edit = fc.record({
      at: fc.nat(),
      del: fc.integer({ min: 0, max: 8 }),
      text: fc.oneof(
        fc.constantFrom(
          '<',
          '>',
          '/>',
          '</testcase>',
          '<testcase name="x">',
          '&',
          '&amp;',
          '"',
          "'",
          '<!--',
          ']]>',
          '<![CDATA[',
          '<!DOCTYPE x [<!ENTITY e "f">]>',
          '',
        ),
        fc.string({ maxLength: 5 }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: corpus.length - 1 }),
        fc.array(edit, { minLength: 1, maxLength: 5 }),
        async (i, ops) => {
          let xml = corpus[i]!;
          for (const op of ops) {
            const at = op.at % (xml.length + 1);
            xml = xml.slice(0, at) + op.text + xml.slice(at + op.del);
          }
          const out = await settle('mutated.xml', () => parseJUnit(xml, 'mutated.xml'));
          if (!(out instanceof InputError)) consistent(out);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('truncated real reports are refused or read consistently', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: corpus.length - 1 }), fc.nat(), async (i, cut) => {
        const xml = corpus[i]!.slice(0, cut % corpus[i]!.length);
        const out = await settle('cut.xml', () => parseJUnit(xml, 'cut.xml'));
        if (!(out instanceof InputError)) consistent(out);
      }),
      { numRuns: 200 },
    );
  });

  it('random XML-ish text', async () => {
    const piece = fc.constantFrom(
      '<testsuites>',
      '</testsuites>',
      '<testsuite>',
      '</testsuite>',
      '<testcase name="a"/>',
      '<testcase>',
      '</testcase>',
      '<failure/>',
      '<skipped/>',
      '<error>',
      '</error>',
      '<?xml?>',
      '<!DOCTYPE x>',
      'text',
      '&lt;',
      '&bogus;',
      '<![CDATA[x]]>',
      ' ',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 20 }), async (pieces) => {
        const out = await settle('rand.xml', () => parseJUnit(pieces.join(''), 'rand.xml'));
        if (!(out instanceof InputError)) consistent(out);
      }),
      { numRuns: 300 },
    );
  });

  it('hand-made: entity bombs, external entities, deep nesting, huge attributes', async () => {
    const cases = [
      `<!DOCTYPE t [<!ENTITY a "x"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><testsuite><testcase name="&b;"/></testsuite>`,
      `<!DOCTYPE t [<!ENTITY ext SYSTEM "file:///etc/passwd">]><testsuite><testcase name="&ext;"/></testsuite>`,
      `<!DOCTYPE t [<!ENTITY % p "x">]><testsuite><testcase/></testsuite>`,
      `<testsuites>${'<testsuite>'.repeat(50_000)}`,
      `<testsuite><testcase name="${'a'.repeat(2_000_000)}"><failure message="${'m'.repeat(1_000_000)}"/></testcase></testsuite>`,
      `<testsuite tests="99999999999999999999" failures="-1" disabled="NaN"><testcase/></testsuite>`,
      `<testsuite disabled="1000000"><testcase/><testcase/></testsuite>`,
      '\uFEFF<testsuite><testcase/></testsuite>\u0000',
    ];
    for (const xml of cases) {
      const out = await settle('hand.xml', () => parseJUnit(xml, 'hand.xml'));
      if (!(out instanceof InputError)) consistent(out);
    }
  });
});
