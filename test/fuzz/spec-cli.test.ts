import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../packages/core/src/index.js';
import { validateSpecText } from '../../packages/stages/src/index.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/runner.js';

/**
 * `loadSpec` and the CLI under malformed input: every case ends in a located problem (or a valid
 * spec), an exit code of 0, 1 or 2 with a message, never a thrown exception, a stack trace or a
 * hang. Bounded run counts keep this well under a minute on a loaded 2-core machine.
 */
const EXAMPLE = readFileSync(join(REPO_ROOT, 'examples', 'breast-cancer', 'mlops.yml'), 'utf8');

function check(text: string): void {
  const result = validateSpecText(text, 'fuzz/mlops.yml', { env: {} });
  if (result.ok) {
    expect(result.spec.version).toBe(1);
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  for (const p of result.problems) {
    expect(p.file).toBe('fuzz/mlops.yml');
    expect(p.message.length).toBeGreaterThan(0);
    expect(p.message).not.toMatch(/\n\s+at /); // no stack trace in a message
  }
  // The thrown form is the same problems in one InputError.
  expect(new SpecError(result.problems).exitCode).toBe(2);
}

const HAND_MADE: [string, string][] = [
  [
    'alias bomb',
    [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`),
      'version: 1',
    ].join('\n'),
  ],
  ['undefined alias', 'version: 1\nmodel: *nowhere\n'],
  [
    'deep mappings',
    `${'a:\n'.split('').join('')}${Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`,
  ],
  ['deep flow sequences', `version: 1\nmodel: ${'['.repeat(20000)}${']'.repeat(20000)}\n`],
  ['deep flow mappings', `version: 1\nmodel: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`],
  ['nan bounds', `${EXAMPLE}`.replace('{ metric: roc_auc, min: 0.95 }', '{ metric: roc_auc, min: .nan }')],
  ['inf replicates', EXAMPLE.replace('replicates: 1000', 'replicates: .inf')],
  ['huge replicates', EXAMPLE.replace('replicates: 1000', 'replicates: 1000000000000')],
  [
    'min above max',
    EXAMPLE.replace('{ metric: roc_auc, min: 0.95 }', '{ metric: roc_auc, min: 0.95, max: 0.5 }'),
  ],
  ['typo expression', EXAMPLE.replace("'p(99) < 250ms'", "'p(99) <> 250ms'")],
  ['unknown aggregation', EXAMPLE.replace("'p(99) < 250ms'", "'foo(99) < 50ms'")],
  ['unknown unit', EXAMPLE.replace("'p(99) < 250ms'", "'p(99) < 50 parsecs'")],
  [
    'latency gate on evaluate',
    EXAMPLE.replace('- { metric: log_loss, max-increase: 0.05 }', "- 'p(99) < 50ms'"),
  ],
  [
    'binary with three classes',
    EXAMPLE.replace('task: binary-classification }', 'task: binary-classification, classes: [0, 1, 2] }'),
  ],
  [
    'label among features',
    EXAMPLE.replace('label: malignant }', 'label: malignant, features: [malignant, mean_radius] }'),
  ],
  ['nan bin edge', EXAMPLE.replace('bins: [0, 12, 15, 100]', 'bins: [0, .nan, 15, 100]')],
  ['a list at the top', '- version: 1\n'],
  ['a scalar', '42\n'],
  ['binary bytes', '\u0000\u0001\u0002\ufffd'],
  ['tabs', 'version:\t1\n\tmodel: x\n'],
  ['BOM and CRLF', `\ufeff${EXAMPLE.replace(/\n/g, '\r\n')}`],
];

describe('loadSpec under malformed input', () => {
  it.each(HAND_MADE)('%s: located problems, never a crash', (_name, text) => {
    check(text);
  });

  it("says what runaway nesting is, in plain words, not as the parser's stack overflow", () => {
    for (const [name, text] of HAND_MADE.slice(2, 5)) {
      const r = validateSpecText(text, 'fuzz/mlops.yml', { env: {} });
      expect(r.ok, name).toBe(false);
      const messages = r.ok ? '' : r.problems.map((p) => p.message).join('\n');
      expect(messages, name).not.toMatch(/call stack/i);
      expect(messages, name).toMatch(/nest/);
    }
  });

  it('rejects every impossible gate of the hand-made cases at load time', () => {
    for (const [name, text] of HAND_MADE.slice(5, 16)) {
      const r = validateSpecText(text, 'fuzz/mlops.yml', { env: {} });
      expect(r.ok, name).toBe(false);
    }
  });

  it('random text and random mutations of the example spec', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => check(text)),
      { numRuns: 300, seed: 20261201 },
    );
    const lines = EXAMPLE.split('\n');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.nat({ max: lines.length - 1 }),
            op: fc.constantFrom('drop', 'dup', 'indent', 'dedent', 'garble', 'swap'),
            text: fc.string({ maxLength: 12 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        (edits) => {
          const out = [...lines];
          for (const e of edits) {
            const line = out[e.at] ?? '';
            if (e.op === 'drop') out.splice(e.at, 1);
            else if (e.op === 'dup') out.splice(e.at, 0, line);
            else if (e.op === 'indent') out[e.at] = `  ${line}`;
            else if (e.op === 'dedent') out[e.at] = line.replace(/^ {1,2}/, '');
            else if (e.op === 'garble') out[e.at] = `${line.slice(0, line.length / 2)}${e.text}`;
            else out[e.at] = line.replace(/: .*/, `: ${e.text}`);
          }
          check(out.join('\n'));
        },
      ),
      { numRuns: 400, seed: 20261202 },
    );
  });
});

const COMMANDS = [
  'run',
  'validate',
  'train',
  'evaluate',
  'load-test',
  'build-image',
  'deploy-canary',
  'promote',
  'drift',
  'report',
  'gate',
  'serve',
  'init',
  'evalute',
  '',
];
const FLAGS = [
  '--spec',
  '--out',
  '--model',
  '--data',
  '--label',
  '--task',
  '--metrics',
  '--replicates',
  '--seed',
  '--threads',
  '--shard',
  '--rate',
  '--duration',
  '--url',
  '--gate',
  '--results',
  '--format',
  '--reference',
  '--current',
  '--no-cache',
  '--rollback',
  '--backend',
  '--help',
  '-x',
  '--',
];
const VALUES = [
  '',
  '0',
  '-1',
  'NaN',
  '1e309',
  'x',
  'multiclass',
  'roc_auc,',
  '/nonexistent/file.onnx',
  '/etc',
  'a/b',
  '1/0',
  '9/3',
  '%',
  '1000/s',
  '5 parsecs',
];

describe('the CLI under malformed arguments', () => {
  it('answers every argument list with exit 0, 1 or 2 and a message, never a stack trace', async () => {
    const cases = fc.sample(
      fc.tuple(
        fc.constantFrom(...COMMANDS),
        fc.array(fc.oneof(fc.constantFrom(...FLAGS), fc.constantFrom(...VALUES)), { maxLength: 6 }),
      ),
      { numRuns: 120, seed: 20261203 },
    );
    for (const [command, rest] of cases) {
      const argv = command ? [command, ...rest] : rest;
      // Serving or load-testing for real is not the point here; their flag parsing is.
      if ((command === 'serve' || command === 'load-test' || command === 'run') && !rest.includes('--help')) {
        argv.push('--spec', '/nonexistent/mlops.yml');
      }
      if (command === 'init') argv.push('--model', '/nonexistent/model.onnx');
      const r = await runCli(argv);
      expect([0, 1, 2], argv.join(' ')).toContain(r.code);
      expect(r.stderr, argv.join(' ')).not.toMatch(/unexpected error|\n\s+at .*\(.*:\d+:\d+\)/);
      if (r.code !== 0) expect(`${r.stdout}${r.stderr}`.trim().length, argv.join(' ')).toBeGreaterThan(0);
    }
  });
});
