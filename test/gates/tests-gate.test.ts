import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateGates } from '../../packages/core/src/gates/index.js';
import type { TestsGate, Verdict } from '../../packages/core/src/gates/index.js';

// baseDir is the spec's directory; gate paths are relative to it.
const baseDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const run = (gate: Omit<TestsGate, 'kind'>, dir = baseDir): Verdict => {
  const verdicts = evaluateGates([{ kind: 'tests', ...gate }], { values: {}, baseDir: dir });
  expect(verdicts).toHaveLength(1);
  return verdicts[0] as Verdict;
};

describe('tests gates', () => {
  it('max-failures counts failures and errors together by default', () => {
    // pytest.xml: 1 failed + 1 error.
    const v = run({ tests: 'junit/pytest.xml', maxFailures: 1 });
    expect(v).toMatchObject({
      gate: 'tests junit/pytest.xml max-failures 1',
      kind: 'tests',
      status: 'fail',
      observed: 2,
      threshold: 1,
    });
    expect(v.reason).toBe(
      'junit/pytest.xml: 2 failures + errors > max-failures 1 (6 tests: 3 passed, 1 failed, 1 errors, 1 skipped); ' +
        'first: test_model.test_roc_auc_threshold: AssertionError: roc_auc below <threshold> & "quoted" assert 0.71 >= 0.8 | ' +
        'test_model.test_uses_broken_fixture: failed on setup with "RuntimeError: could not load eval data"',
    );
    expect(run({ tests: 'junit/pytest.xml', maxFailures: 2 }).status).toBe('pass');
  });

  it('max-errors given: failures and errors have separate limits', () => {
    const both = run({ tests: 'junit/jest.xml', maxFailures: 1, maxErrors: 1 });
    expect(both).toMatchObject({
      status: 'pass',
      observed: 1,
      reason: 'junit/jest.xml: 6 tests: 3 passed, 1 failed, 1 errors, 1 skipped',
    });
    const errors = run({ tests: 'junit/jest.xml', maxFailures: 1, maxErrors: 0 });
    expect(errors.status).toBe('fail');
    expect(errors.reason).toMatch(/^junit\/jest\.xml: 1 errors > max-errors 0 \(/);
    const failures = run({ tests: 'junit/jest.xml', maxFailures: 0, maxErrors: 5 });
    expect(failures.reason).toMatch(/^junit\/jest\.xml: 1 failures > max-failures 0 \(/);
  });

  it('max-skipped and min-total', () => {
    // vitest.xml: 7 tests, 3 failed, 2 skipped.
    expect(run({ tests: 'junit/vitest.xml', maxFailures: 3, maxSkipped: 2, minTotal: 7 }).status).toBe(
      'pass',
    );
    const v = run({ tests: 'junit/vitest.xml', maxFailures: 3, maxSkipped: 1, minTotal: 8 });
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(
      /^junit\/vitest\.xml: 2 skipped > max-skipped 1; 7 tests < min-total 8 \(7 tests:/,
    );
  });

  it.each([
    ['a missing file', 'junit/absent.xml', /^junit\/absent\.xml: file not found/],
    ['a truncated file', 'junit/truncated.xml', /^junit\/truncated\.xml: not valid JUnit XML: /],
    ['a report with no test cases', 'junit/no-testcases.xml', /^junit\/no-testcases\.xml: no test cases/],
    ['a file that is not JUnit', 'junit/not-junit.xml', /^junit\/not-junit\.xml: not a JUnit report/],
  ])('%s fails the gate, naming the file', (_what, tests, reason) => {
    const v = run({ tests, maxFailures: 100 });
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(reason);
  });

  it('resolves the path against baseDir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tests-gate-'));
    writeFileSync(join(dir, 'junit.xml'), '<testsuite><testcase name="a"/><testcase name="b"/></testsuite>');
    expect(run({ tests: 'junit.xml', maxFailures: 0 }, dir)).toMatchObject({
      status: 'pass',
      reason: 'junit.xml: 2 tests: 2 passed, 0 failed, 0 errors, 0 skipped',
    });
  });
});
