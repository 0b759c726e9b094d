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

/** Reads and summarises one JUnit XML file; throws `InputError` naming the file when it cannot. */
export function readJUnitFile(path: string, displayName: string = path): TestSummary {
  let xml: string;
  try {
    xml = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})`;
    throw new InputError(`${displayName}: ${why}${displayName === path ? '' : ` (looked at ${path})`}`, {
      file: displayName,
    });
  }
  return parseJUnit(xml, displayName);
}

/** Summarises JUnit XML text; `file` names the source in errors and in the summary. */
export function parseJUnit(xml: string, file: string): TestSummary {
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

  const cases = collectTestcases(root);
  if (cases.length === 0) {
    throw new InputError(`${file}: no test cases in the report (did the test run start?)`, { file });
  }

  const summary: TestSummary = { file, total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, failures: [] };
  let caseSeconds = 0;
  for (const testcase of cases) {
    const outcome = outcomeOf(testcase);
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

function collectTestcases(element: XmlElement, into: XmlElement[] = []): XmlElement[] {
  for (const child of element.children) {
    if (child.name === 'testcase') into.push(child);
    else if (child.name === 'testsuite' || child.name === 'testsuites') collectTestcases(child, into);
  }
  return into;
}

// A failure outranks an error: pytest appends a teardown <error> to a case that already failed.
// Surefire's <flakyFailure>/<rerunFailure> describe retries of a case that finally passed.
function outcomeOf(testcase: XmlElement): Outcome {
  const has = (name: string) => testcase.children.some((c) => c.name === name);
  if (has('failure')) return 'failed';
  if (has('error')) return 'errored';
  if (has('skipped')) return 'skipped';
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
