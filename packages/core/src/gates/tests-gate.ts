import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { describeGate } from './describe.js';
import { readJUnitFile } from './junit.js';
import type { TestSummary, TestsGate, Verdict } from './types.js';

/**
 * A gate on a JUnit report. `max-failures` counts failures and errors together unless
 * `max-errors` is given, in which case each has its own limit: most users care that "nothing
 * broke", and a test erroring in setup is as broken as one failing its assertion.
 * A missing, unreadable, malformed or empty report fails the gate (never a silent pass).
 */
export function evaluateTestsGate(gate: TestsGate, baseDir: string): Verdict {
  const verdict: Verdict = { gate: describeGate(gate), kind: 'tests', status: 'fail', reason: '' };
  let summary: TestSummary & { warnings?: string[] };
  try {
    summary = readJUnitFile(resolve(baseDir, gate.tests), gate.tests);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    verdict.reason = err.message;
    return verdict;
  }

  const separateErrors = gate.maxErrors !== undefined;
  const failures = separateErrors ? summary.failed : summary.failed + summary.errored;
  verdict.observed = failures;
  verdict.threshold = gate.maxFailures;

  const problems: string[] = [];
  const noun = separateErrors ? 'failures' : 'failures + errors';
  if (failures > gate.maxFailures) problems.push(`${failures} ${noun} > max-failures ${gate.maxFailures}`);
  if (gate.maxErrors !== undefined && summary.errored > gate.maxErrors) {
    problems.push(`${summary.errored} errors > max-errors ${gate.maxErrors}`);
  }
  if (gate.maxSkipped !== undefined && summary.skipped > gate.maxSkipped) {
    problems.push(`${summary.skipped} skipped > max-skipped ${gate.maxSkipped}`);
  }
  if (gate.minTotal !== undefined && summary.total < gate.minTotal) {
    problems.push(`${summary.total} tests < min-total ${gate.minTotal}`);
  }

  // Counts that disagree inside the file are resolved by trusting the test cases; say so.
  const warned = summary.warnings?.length ? `; note: ${summary.warnings.join('; ')}` : '';
  const counts =
    `${summary.total} tests: ${summary.passed} passed, ${summary.failed} failed, ` +
    `${summary.errored} errors, ${summary.skipped} skipped${warned}`;
  if (problems.length === 0) {
    verdict.status = 'pass';
    verdict.reason = `${gate.tests}: ${counts}`;
    return verdict;
  }
  const first = summary.failures
    .slice(0, 3)
    .map((f) => (f.message ? `${f.name}: ${f.message}` : f.name))
    .join(' | ');
  verdict.reason = `${gate.tests}: ${problems.join('; ')} (${counts})${first ? `; first: ${first}` : ''}`;
  return verdict;
}
