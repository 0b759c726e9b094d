import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { TestSummary } from './types.js';
import { parseXml, XmlSyntaxError } from './xml.js';
import type { XmlElement } from './xml.js';

/**
 * Reads JUnit XML as pytest, vitest, jest-junit (and most CI tools) write it.
 *
 * Totals are counted from the `<testcase>` elements, never taken from the `tests`/`failures`
 * attributes of the suites, because those disagree with the cases in real reports: jest-junit
 * writes `tests="0" errors="1"` for a file that failed to run yet emits a failing case for it,
 * vitest counts todo tests in `tests`, some tools repeat totals on nested suites (summing would
 * double count), and hand-merged reports rarely fix the root's attributes.
 */

const MAX_FAILURES_KEPT = 20;
const MAX_MESSAGE_CHARS = 300;

type Outcome = 'passed' | 'failed' | 'errored' | 'skipped';

/**
 * A TestSummary plus what the reader noticed and decided: a suite whose `failures`/`errors`/`tests`
 * attributes disagree with its test cases (the cases are trusted), or a `disabled="N"` count that
 * no case carries (that many unmarked cases counted as skipped instead of passed).
 */
export interface JUnitSummary extends TestSummary {
  warnings: string[];
}

/** Reads and summarises one JUnit XML file; throws `InputError` naming the file when it cannot. */
export function readJUnitFile(path: string, displayName: string = path): JUnitSummary {
  let xml: string;
  try {
    xml = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'it is a directory, not a JUnit XML file'
          : `cannot read file (${code ?? String(err)})`;
    throw new InputError(`${displayName}: ${why}${displayName === path ? '' : ` (looked at ${path})`}`, {
      file: displayName,
    });
  }
  return parseJUnit(xml, displayName);
}

interface Case {
  element: XmlElement;
  outcome: Outcome;
}

/** What a suite's cases hold, to compare with the suite's own count attributes. */
interface Tally {
  cases: number;
  withFailure: number;
  withError: number;
  skipped: number;
  /** Cases counted as passed, in document order (candidates for a `disabled` count). */
  passed: Case[];
}

/** Summarises JUnit XML text; `file` names the source in errors and in the summary. */
export function parseJUnit(xml: string, file: string): JUnitSummary {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    if (err instanceof XmlSyntaxError) {
      throw new InputError(`${file}: not valid JUnit XML: ${err.message}`, {
        file,
        line: err.line,
        column: err.column,
      });
    }
    throw err;
  }
  if (root.name !== 'testsuites' && root.name !== 'testsuite') {
    throw new InputError(
      `${file}: not a JUnit report: root element is <${root.name}>, expected <testsuites> or <testsuite>`,
      { file },
    );
  }

  const cases: Case[] = [];
  const warnings: string[] = [];
  tally(root, cases, warnings);
  if (cases.length === 0) {
    throw new InputError(`${file}: no test cases in the report (did the test run start?)`, { file });
  }

  const summary: JUnitSummary = {
    file,
    total: 0,
    passed: 0,
    failed: 0,
    errored: 0,
    skipped: 0,
    failures: [],
    warnings,
  };
  let caseSeconds = 0;
  for (const { element: testcase, outcome } of cases) {
    summary.total++;
    summary[outcome]++;
    caseSeconds += seconds(testcase.attrs.time) ?? 0;
    if ((outcome === 'failed' || outcome === 'errored') && summary.failures.length < MAX_FAILURES_KEPT) {
      summary.failures.push({ name: caseName(testcase), message: messageOf(testcase, outcome) });
    }
  }
  const duration =
    seconds(root.attrs.time) ?? suiteSeconds(root) ?? (caseSeconds > 0 ? caseSeconds : undefined);
  if (duration !== undefined) summary.durationSeconds = duration;
  return summary;
}

/**
 * Collects the cases under a suite and checks the suite's count attributes against them. A count
 * that disagrees is reported, never trusted over the cases: a `failures="3"` with no failing case
 * is a hand-merged or truncated report, and the cases are what can be named in the report. The
 * one count acted on is `disabled` (the Jenkins/Ant schema, CTest, JUnit 5 tools): when it exceeds
 * the cases marked disabled or skipped, that many of the suite's unmarked cases are counted as
 * skipped, so a disabled test never counts as a pass.
 */
function tally(suite: XmlElement, into: Case[], warnings: string[]): Tally {
  const t: Tally = { cases: 0, withFailure: 0, withError: 0, skipped: 0, passed: [] };
  for (const child of suite.children) {
    if (child.name === 'testcase') {
      const c: Case = { element: child, outcome: outcomeOf(child) };
      into.push(c);
      t.cases++;
      if (child.children.some((e) => e.name === 'failure')) t.withFailure++;
      if (child.children.some((e) => e.name === 'error')) t.withError++;
      if (c.outcome === 'skipped') t.skipped++;
      else if (c.outcome === 'passed') t.passed.push(c);
    } else if (child.name === 'testsuite' || child.name === 'testsuites') {
      const inner = tally(child, into, warnings);
      t.cases += inner.cases;
      t.withFailure += inner.withFailure;
      t.withError += inner.withError;
      t.skipped += inner.skipped;
      for (const c of inner.passed) t.passed.push(c);
    }
  }
  const name = suite.attrs.name;
  const label = `<${suite.name}${name !== undefined ? ` name="${name.length > 80 ? `${name.slice(0, 80)}…` : name}"` : ''}>`;
  const declared = (attr: string): number | undefined => {
    const v = suite.attrs[attr];
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  };

  const disabled = declared('disabled');
  if (disabled !== undefined && disabled > t.skipped && t.passed.length > 0) {
    const moved = t.passed.splice(Math.max(0, t.passed.length - (disabled - t.skipped)));
    for (const c of moved) c.outcome = 'skipped';
    t.skipped += moved.length;
    warnings.push(
      `${label} declares disabled="${disabled}" but its test cases do not say which: ` +
        `${moved.length} unmarked case(s) counted as skipped, not passed`,
    );
  }
  for (const [attr, found, what] of [
    ['failures', t.withFailure, '<failure>'],
    ['errors', t.withError, '<error>'],
  ] as const) {
    const n = declared(attr);
    if (n !== undefined && n !== found) {
      warnings.push(
        `${label} declares ${attr}="${n}" but its test cases hold ${found} ${what}: counted from the test cases`,
      );
    }
  }
  const tests = declared('tests');
  if (tests !== undefined && tests > t.cases) {
    warnings.push(
      `${label} declares tests="${tests}" but holds ${t.cases} test case(s): the report may be incomplete; ` +
        `counted from the test cases`,
    );
  }
  return t;
}

/** `status`/`result` values that mean the case did not run (Jenkins/Ant schema, CTest, googletest). */
const NOT_RUN = new Set([
  'disabled',
  'skipped',
  'skip',
  'notrun',
  'not run',
  'ignored',
  'suppressed',
  'pending',
]);

// A failure outranks an error: pytest appends a teardown <error> to a case that already failed.
// Surefire's <flakyFailure>/<rerunFailure> describe retries of a case that finally passed.
function outcomeOf(testcase: XmlElement): Outcome {
  const has = (name: string) => testcase.children.some((c) => c.name === name);
  if (has('failure')) return 'failed';
  if (has('error')) return 'errored';
  if (has('skipped')) return 'skipped';
  const status = (testcase.attrs.status ?? '').trim().toLowerCase();
  const result = (testcase.attrs.result ?? '').trim().toLowerCase();
  if (NOT_RUN.has(status) || NOT_RUN.has(result)) return 'skipped';
  return 'passed';
}

// pytest and JUnit put a dotted class path in `classname` (`test_model.TestSlices`): join with '.'.
// vitest puts the file there and jest-junit a sentence; `.` would read as part of a name, so those
// are joined with vitest's own ' > '.
const QUALIFIED = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|py)$/;

function caseName(testcase: XmlElement): string {
  const name = testcase.attrs.name ?? '(unnamed test)';
  const classname = testcase.attrs.classname;
  // jest-junit's default puts the full title in both attributes; don't print it twice.
  if (!classname || classname === name || name.startsWith(`${classname}.`)) return name;
  const dotted = QUALIFIED.test(classname) && !SOURCE_FILE.test(classname);
  return dotted ? `${classname}.${name}` : `${classname} > ${name}`;
}

function messageOf(testcase: XmlElement, outcome: Outcome): string {
  const element = testcase.children.find((c) => c.name === (outcome === 'failed' ? 'failure' : 'error'));
  const raw = element?.attrs.message?.trim() || firstLine(element?.text ?? '') || element?.attrs.type || '';
  const oneLine = raw.replace(/\s*\n\s*/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS - 1)}…` : oneLine;
}

// jest-junit puts the whole report in the text; its first line is often only a heading
// ("● Test suite failed to run"), so a heading is joined with the line that says what happened.
function firstLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^\s*●\s*/, '').trim())
    .filter((l) => l !== '');
  const [first = '', second] = lines;
  return first === 'Test suite failed to run' && second ? `${first}: ${second}` : first;
}

// pytest puts the wall time on its one <testsuite>, not on the <testsuites> root; per-case times
// would leave out setup and collection.
function suiteSeconds(root: XmlElement): number | undefined {
  const suites = root.children.filter((c) => c.name === 'testsuite');
  const times = suites.map((s) => seconds(s.attrs.time));
  if (times.length === 0 || times.some((t) => t === undefined)) return undefined;
  return times.reduce<number>((sum, t) => sum + (t ?? 0), 0);
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.replace(/,/g, ''));
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
