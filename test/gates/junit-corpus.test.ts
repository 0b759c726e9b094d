import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import { parseJUnit, readJUnitFile } from '../../packages/core/src/gates/junit.js';

/**
 * Real-format JUnit files from several producers (test/fixtures/junit/corpus, written by the tools
 * where they run here: pytest, vitest, ctest, Maven Surefire + JUnit 5; the rest from the formats'
 * documentation, producer named in each header) counted against an independent count with
 * Python's xml.etree (test/oracle/count_junit.py).
 */
const junitDir = fileURLToPath(new URL('../fixtures/junit/', import.meta.url));
const corpusDir = join(junitDir, 'corpus');
const oracle = fileURLToPath(new URL('../oracle/count_junit.py', import.meta.url));

const files = [
  ...readdirSync(corpusDir)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => join(corpusDir, f)),
  ...['pytest.xml', 'vitest.xml', 'jest.xml'].map((f) => join(junitDir, f)),
];
type Counts = { total: number; passed: number; failed: number; errored: number; skipped: number };
const independent = JSON.parse(
  execFileSync('/usr/bin/python3', [oracle, ...files], { encoding: 'utf8' }),
) as Record<string, Counts>;

describe('JUnit corpus: counts equal an independent xml.etree count', () => {
  it('covers nine producers, each file named by its producer', () => {
    const producer: Record<string, string> = {
      'ctest-disabled.xml': 'CTest 3.25 (ran here)',
      'go-junit-report.xml': 'go-junit-report v2 (documented format)',
      'junit5-console.xml': 'JUnit Platform Console Launcher (documented format)',
      'nextest.xml': 'cargo-nextest / quick-junit (documented format)',
      'phpunit.xml': 'PHPUnit 10 (documented format)',
      'pytest-params.xml': 'pytest 7 (ran here)',
      'surefire-CanaryTest.xml': 'Maven Surefire 3.2.5 + JUnit Jupiter 5.11 (ran here)',
      'surefire-ModelTest.xml': 'Maven Surefire 3.2.5 + JUnit Jupiter 5.11 (ran here)',
      'vitest-skip-todo.xml': 'vitest 4 (ran here)',
      'pytest.xml': 'pytest 7 (ran here)',
      'vitest.xml': 'vitest 4 (ran here)',
      'jest.xml': 'jest-junit 16 (documented format)',
    };
    const names = files.map((f) => f.slice(f.lastIndexOf('/') + 1)).sort();
    expect(names).toEqual(Object.keys(producer).sort());
    expect(new Set(Object.values(producer).map((p) => p.split(' ')[0])).size).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      // Hand-written files say so and name their producer in the header comment.
      if (producer[f.slice(f.lastIndexOf('/') + 1)]!.includes('documented'))
        expect(text).toMatch(/Hand-written/);
    }
  });

  for (const file of files) {
    it(file.slice(junitDir.length), () => {
      const s = readJUnitFile(file);
      const { total, passed, failed, errored, skipped } = s;
      expect({ total, passed, failed, errored, skipped }).toEqual(independent[file]);
      expect(total).toBe(passed + failed + errored + skipped);
      // Real producers' attributes agree with their cases: no warning on any of them.
      expect(s.warnings).toEqual([]);
    });
  }

  it('ctest: status="disabled" cases (no <skipped> child) count as skipped, not passed', () => {
    const s = readJUnitFile(join(corpusDir, 'ctest-disabled.xml'));
    expect(s).toMatchObject({ total: 5, passed: 2, failed: 1, skipped: 2 });
  });

  it('Surefire + JUnit 5: @Disabled methods, a @Disabled class and an aborted assumption are skipped', () => {
    expect(readJUnitFile(join(corpusDir, 'surefire-ModelTest.xml'))).toMatchObject({
      total: 6,
      passed: 1,
      failed: 1,
      errored: 1,
      skipped: 3,
    });
    expect(readJUnitFile(join(corpusDir, 'surefire-CanaryTest.xml'))).toMatchObject({
      passed: 0,
      skipped: 2,
    });
  });
});

describe('JUnit: disabled tests, lying totals and DTD entities', () => {
  it('googletest/Jenkins status and result attributes: notrun, suppressed, skipped', () => {
    const s = parseJUnit(
      `<testsuites><testsuite name="Model" tests="4">
        <testcase name="Loads" status="run" result="completed"/>
        <testcase name="DISABLED_Gpu" status="notrun" result="suppressed"/>
        <testcase name="Arm" status="run" result="skipped"/>
        <testcase name="Old" status="disabled"/>
      </testsuite></testsuites>`,
      'gtest.xml',
    );
    expect(s).toMatchObject({ total: 4, passed: 1, skipped: 3 });
  });

  it('a suite disabled="N" whose cases do not say which: N unmarked cases are skipped, with a warning', () => {
    const cases = Array.from({ length: 11 }, (_, i) => `<testcase classname="s" name="t${i}"/>`).join('');
    const s = parseJUnit(`<testsuite name="legacy" tests="11" disabled="5">${cases}</testsuite>`, 'x.xml');
    expect(s).toMatchObject({ total: 11, passed: 6, skipped: 5 });
    expect(s.warnings).toEqual([
      `<testsuite name="legacy"> declares disabled="5" but its test cases do not say which: 5 unmarked case(s) counted as skipped, not passed`,
    ]);
    // Nested: the root repeating the count does not move more cases.
    const nested = parseJUnit(
      `<testsuites disabled="5"><testsuite name="legacy" disabled="5">${cases}</testsuite></testsuites>`,
      'x.xml',
    );
    expect(nested).toMatchObject({ passed: 6, skipped: 5 });
    expect(nested.warnings).toHaveLength(1);
  });

  it('failures="3" that disagree with the cases: the cases are trusted and a warning says so', () => {
    const s = parseJUnit(
      `<testsuites><testsuite name="unit" tests="4" failures="3" errors="0">
        <testcase name="a"/><testcase name="b"/><testcase name="c"><failure message="boom"/></testcase><testcase name="d"/>
      </testsuite></testsuites>`,
      'merged.xml',
    );
    expect(s).toMatchObject({ total: 4, passed: 3, failed: 1 });
    expect(s.warnings).toEqual([
      `<testsuite name="unit"> declares failures="3" but its test cases hold 1 <failure>: counted from the test cases`,
    ]);
  });

  it('tests="10" with 2 cases warns that the report may be incomplete', () => {
    const s = parseJUnit(
      `<testsuite name="u" tests="10"><testcase name="a"/><testcase name="b"/></testsuite>`,
      'cut.xml',
    );
    expect(s.warnings).toEqual([
      `<testsuite name="u"> declares tests="10" but holds 2 test case(s): the report may be incomplete; counted from the test cases`,
    ]);
  });

  it('a <failure> hidden in an internal DTD entity: the report is refused, not counted as passing', () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE testsuite [ <!ENTITY hidden "<failure message='secret'/>"> ]>
<testsuite name="u"><testcase name="a">&hidden;</testcase></testsuite>`;
    // The independent parser expands the entity: there really is a failure in this file.
    let err: unknown;
    try {
      parseJUnit(xml, 'entity.xml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      `entity.xml: not valid JUnit XML: the DOCTYPE declares entities (<!ENTITY ...>); test runners never write ` +
        `them and they can hide test results, so the report is refused at line 2, column 1`,
    );
    // A billion-laughs file is refused the same way, at once.
    const laughs = `<!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;">]><testsuite>&c;</testsuite>`;
    expect(() => parseJUnit(laughs, 'lol.xml')).toThrow(InputError);
  });

  it('a DOCTYPE without entity declarations is still read', () => {
    const s = parseJUnit(
      `<!DOCTYPE testsuite SYSTEM "junit.dtd"><testsuite><testcase name="a"/></testsuite>`,
      'dtd.xml',
    );
    expect(s.total).toBe(1);
  });

  it('elements nested 100k deep are refused as invalid, not a stack overflow', () => {
    const deep = `<testsuites>${'<testsuite>'.repeat(100_000)}<testcase name="a"/>${'</testsuite>'.repeat(100_000)}</testsuites>`;
    expect(() => parseJUnit(deep, 'deep.xml')).toThrow(/nested more than 256 levels deep/);
  });
});
