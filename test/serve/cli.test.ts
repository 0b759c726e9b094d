import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '@mlops-actions/core';
import { readFeatureNames, startServer } from '@mlops-actions/serve';
import { serveCommand } from '../../packages/cli/src/commands/serve.js';
import { BREAST_CANCER, ROOT } from './helpers.js';
import path from 'node:path';

describe('mlops serve: usage and input errors (exit 2) before anything starts', () => {
  const cases: [string[], RegExp][] = [
    [[], /--model is required/],
    [['--model', BREAST_CANCER, '--port', 'http'], /--port must be an integer >= 0, got 'http'/],
    [['--model', BREAST_CANCER, '--port', '70000'], /--port must be at most 65535/],
    [['--model', BREAST_CANCER, '--max-queue-delay', '5x'], /--max-queue-delay must be a duration like 2ms/],
    [['--model', BREAST_CANCER, '--max-batch-size', '0'], /--max-batch-size must be an integer >= 1/],
    [['--model', BREAST_CANCER, '--label', 'y'], /--label needs --features-from/],
    [
      ['--model', BREAST_CANCER, '--log-inputs', '/tmp/x', '--log-sample', '2'],
      /--log-sample must be a number from 0 to 1/,
    ],
    [['--model', BREAST_CANCER, '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' ') || '(no arguments)', async () => {
      const err = await serveCommand.run(argv).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('a missing model and a wrong --label are input errors naming the file', async () => {
    const missing = await serveCommand
      .run(['--model', '/nope/m.onnx', '--port', '0'])
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as Error).message).toBe('/nope/m.onnx: cannot read the model: no such file');
    const csv = path.join(ROOT, 'examples/breast-cancer/data/eval.csv');
    expect(() => readFeatureNames(csv, ['malignnat'])).toThrow(/no column 'malignnat' to leave out/);
    const names = readFeatureNames(csv, ['malignant']);
    expect(names).toHaveLength(30);
    expect(names[0]).toBe('mean_radius');
  });

  it('a port in use is an input error, and the workers are stopped', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((r) =>
      blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)),
    );
    try {
      const err = await startServer({ model: BREAST_CANCER, port, threads: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toBe(`cannot listen on 127.0.0.1:${port}: the port is in use`);
    } finally {
      blocker.close();
    }
  });

  it('close() is idempotent and the port is released', async () => {
    const s = await startServer({ model: BREAST_CANCER, threads: 1 });
    await Promise.all([s.close(), s.close()]);
    await s.close();
    await expect(fetch(`${s.url}/v2/health/live`)).rejects.toThrow();
  });
});
