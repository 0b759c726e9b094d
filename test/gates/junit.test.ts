import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import { parseJUnit, readJUnitFile } from '../../packages/core/src/gates/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/junit/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);

describe('JUnit from real tools', () => {
  it('pytest: passes, a failure, a setup error, a skip', () => {
    const s = readJUnitFile(fixture('pytest.xml'));
    expect(s).toMatchObject({ total: 6, passed: 3, failed: 1, errored: 1, skipped: 1 });
    expect(s.file).toBe(fixture('pytest.xml'));
    expect(s.durationSeconds).toBeGreaterThan(0);
    expect(s.failures).toEqual([
      {
        name: 'test_model.test_roc_auc_threshold',
        message: 'AssertionError: roc_auc below <threshold> & "quoted" assert 0.71 >= 0.8',
      },
      {
        name: 'test_model.test_uses_broken_fixture',
        message: 'failed on setup with "RuntimeError: could not load eval data"',
      },
    ]);
  });

  it('vitest: nested describes, a file that failed to import, skip and todo', () => {
    const s = readJUnitFile(fixture('vitest.xml'));
    expect(s).toMatchObject({ total: 7, passed: 2, failed: 3, errored: 0, skipped: 2 });
    expect(s.failures.map((f) => f.name)).toEqual([
      'broken.test.js',
      'model.test.js > model > gates > roc_auc meets the minimum',
      'model.test.js > model > gates > throws on a missing column',
    ]);
    expect(s.failures[0]?.message).toBe('cannot import ./model.onnx.js');
    expect(s.failures[2]?.message).toBe("column 'region' <missing> & not found");
  });

  it('jest-junit: counts the suite that failed to run although its suite says tests="0"', () => {
    const s = readJUnitFile(fixture('jest.xml'));
    expect(s).toMatchObject({
      total: 6,
      passed: 3,
      failed: 1,
      errored: 1,
      skipped: 1,
      durationSeconds: 1.482,
    });
    expect(s.failures).toEqual([
      {
        name: 'churn model gates roc_auc meets the minimum',
        message: 'Error: expect(received).toBeGreaterThanOrEqual(expected)',
      },
      {
        name: 'Test suite failed to run > test/broken.test.js',
        message: "Test suite failed to run: Cannot find module '../src/model' from 'test/broken.test.js'",
      },
    ]);
  });
});

describe('JUnit files that cannot be trusted', () => {
  const expectInputError = (fn: () => unknown, pattern: RegExp) => {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as Error).message).toMatch(pattern);
    return caught as InputError;
  };

  it('a missing file', () => {
    const err = expectInputError(
      () => readJUnitFile(fixture('nope.xml'), 'reports/nope.xml'),
      /^reports\/nope\.xml: file not found \(looked at .*nope\.xml\)$/,
    );
    expect(err.location?.file).toBe('reports/nope.xml');
  });

  it('a directory instead of a file', () => {
    expectInputError(
      () => readJUnitFile(fixtures, 'reports'),
      /^reports: it is a directory, not a JUnit XML file \(looked at /,
    );
  });

  it('a truncated report, with line and column', () => {
    const err = expectInputError(
      () => readJUnitFile(fixture('truncated.xml'), 'truncated.xml'),
      /^truncated\.xml: not valid JUnit XML: unterminated tag <testcase at line \d+, column \d+$/,
    );
    expect(err.location?.line).toBeGreaterThan(0);
  });

  it('a report with no test cases', () => {
    expectInputError(
      () => readJUnitFile(fixture('no-testcases.xml'), 'no-testcases.xml'),
      /^no-testcases\.xml: no test cases/,
    );
  });

  it('an XML file that is not JUnit', () => {
    expectInputError(
      () => readJUnitFile(fixture('not-junit.xml'), 'coverage.xml'),
      /^coverage\.xml: not a JUnit report: root element is <coverage>/,
    );
  });

  it.each([
    ['an empty file', '', /no root element/],
    ['JSON', '{"tests": 3}', /text outside the root element at line 1, column 1/],
    [
      'mismatched tags',
      '<testsuite><testcase name="a"></testsuite>',
      /closing tag <\/testsuite> does not match <testcase>/,
    ],
    [
      'an unquoted attribute',
      '<testsuite><testcase name=a/></testsuite>',
      /attribute 'name' of <testcase> is not quoted/,
    ],
    [
      'an attribute without value',
      '<testsuite><testcase name/></testsuite>',
      /attribute 'name' of <testcase> has no value/,
    ],
    [
      'two roots',
      '<testsuite><testcase name="a"/></testsuite><testsuite/>',
      /second root element <testsuite>/,
    ],
    ['an unclosed root', '<testsuites>\n<testsuite>\n<testcase name="a"/>\n', /<testsuite> is never closed/],
    ['a stray closing tag', '</testsuite>', /closing tag <\/testsuite> without an opening tag/],
    ['an unterminated comment', '<testsuite><!-- oops', /unterminated comment/],
    ['an unterminated CDATA', '<testsuite><![CDATA[ oops', /unterminated CDATA section/],
  ])('%s is unparsable', (_what, xml, pattern) => {
    expectInputError(() => parseJUnit(xml, 'junit.xml'), new RegExp(`^junit\\.xml: .*${pattern.source}`));
  });
});

describe('JUnit XML scanner', () => {
  it('reads a single <testsuite> root, single quotes, CDATA, entities, comments and a DOCTYPE', () => {
    const xml = `\uFEFF<?xml version='1.0'?>
<!DOCTYPE testsuite [ <!ELEMENT testsuite ANY> ]>
<!-- produced by a hand-rolled runner -->
<testsuite name='unit' tests='99' failures='0' time='2.5'>
  <properties><property name="python" value="3.11"/></properties>
  <testcase classname='pkg.mod' name='test_a &amp; b' time='1'/>
  <testcase classname="pkg.mod" name="test_b"><failure message='expected &#x3C;1&#62; got &quot;2&quot;'/></testcase>
  <testcase classname="pkg.mod" name="test_c"><failure><![CDATA[assert x < 1 && y > 2
  stack line]]></failure></testcase>
  <testcase classname = "pkg.mod" name = "test_d" ><error type="ValueError"></error></testcase>
  <testcase name="test_e"><skipped message="later"/><system-out>&lt;noise&gt;</system-out></testcase>
  <system-err><![CDATA[ <not a tag> ]]></system-err>
</testsuite>
`;
    const s = parseJUnit(xml, 'inline.xml');
    expect(s).toMatchObject({ total: 5, passed: 1, failed: 2, errored: 1, skipped: 1, durationSeconds: 2.5 });
    expect(s.failures).toEqual([
      { name: 'pkg.mod.test_b', message: 'expected <1> got "2"' },
      { name: 'pkg.mod.test_c', message: 'assert x < 1 && y > 2' },
      { name: 'pkg.mod.test_d', message: 'ValueError' },
    ]);
  });

  it('counts nested suites once, from the test cases, not from the suite totals', () => {
    const xml = `<testsuites tests="40" failures="9">
      <testsuite name="outer" tests="20" failures="9">
        <testsuite name="inner" tests="20" failures="9">
          <testcase name="a"/><testcase name="b"><failure message="boom"/></testcase>
        </testsuite>
        <testcase name="c"/>
      </testsuite>
    </testsuites>`;
    expect(parseJUnit(xml, 'nested.xml')).toMatchObject({
      total: 3,
      passed: 2,
      failed: 1,
      errored: 0,
      skipped: 0,
    });
  });

  it('a failure outranks an error on the same case (pytest teardown errors)', () => {
    const xml =
      '<testsuite><testcase name="t"><failure message="f"/><error message="teardown"/></testcase></testsuite>';
    expect(parseJUnit(xml, 'x.xml')).toMatchObject({
      failed: 1,
      errored: 0,
      failures: [{ name: 't', message: 'f' }],
    });
  });

  it('keeps only the first 20 failures, messages on one line and bounded', () => {
    const cases = Array.from(
      { length: 25 },
      (_, i) => `<testcase classname="c" name="t${i}"><failure message="${'x'.repeat(400)}"/></testcase>`,
    );
    const s = parseJUnit(`<testsuite>${cases.join('')}</testsuite>`, 'many.xml');
    expect(s.failed).toBe(25);
    expect(s.failures).toHaveLength(20);
    expect(s.failures[19]?.name).toBe('c.t19');
    expect(s.failures[0]?.message.length).toBe(300);
  });

  it('keeps unknown named entities literally instead of failing the report', () => {
    const s = parseJUnit('<testsuite><testcase name="a&nbsp;b"/></testsuite>', 'x.xml');
    expect(s.total).toBe(1);
  });

  it('reads a file written to disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'junit-'));
    writeFileSync(join(dir, 'r.xml'), "<testsuite><testcase name='only'/></testsuite>");
    expect(readJUnitFile(join(dir, 'r.xml'), 'r.xml')).toMatchObject({ file: 'r.xml', total: 1, passed: 1 });
  });
});
