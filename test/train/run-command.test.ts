import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDuration, runTrain } from '../../packages/stages/src/train/index.js';
import { makeProject } from './helpers.js';

const WRITE_MODEL = 'mkdir -p artifacts; printf MODEL > artifacts/model.onnx';

describe('train command', () => {
  it('streams stdout and stderr line by line and records the produced model', async () => {
    const p = await makeProject();
    const run = `echo one; echo two >&2; echo 'three  spaced'; ${WRITE_MODEL}; printf 'no newline'`;
    const result = await runTrain(p.config({ run, shell: 'bash' }), p.ctx());
    expect(result.status).toBe('passed');
    expect(result.stage).toBe('train');
    expect(p.lines).toEqual(expect.arrayContaining(['one', 'two', 'three  spaced', 'no newline']));
    expect(p.lines.indexOf('one')).toBeLessThan(p.lines.indexOf('three  spaced'));
    expect(result.details).toMatchObject({
      exitCode: 0,
      command: run,
      modelCard: 'artifacts/model-card.json',
    });
    expect(result.model).toMatchObject({ name: 'churn', path: 'artifacts/model.onnx' });
    expect(result.artifacts.map((a) => a.name)).toEqual(['model', 'model-card']);
    expect(result.timings.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.timings.phases).toHaveProperty('command');
  });

  it('runs in the working directory with the declared env merged into the inherited one', async () => {
    const p = await makeProject();
    const sub = path.join(p.dir, 'trainer');
    await p.write('trainer/.keep', '');
    const run = `echo "cwd=$(pwd) seed=$SEED path_set=\${PATH:+yes}"; mkdir -p ../artifacts; printf M > ../artifacts/model.onnx`;
    const result = await runTrain(
      p.config({ run, shell: 'sh', workingDirectory: sub, env: { SEED: '7' } }),
      p.ctx(),
    );
    expect(result.status).toBe('passed');
    expect(p.lines).toContain(`cwd=${sub} seed=7 path_set=yes`);
  });

  it('turns exit code 3 into an error result with the last 20 lines of output', async () => {
    const p = await makeProject();
    const run = 'for i in $(seq 1 30); do echo "line $i"; done; exit 3';
    const result = await runTrain(p.config({ run, shell: 'bash' }), p.ctx());
    expect(result.status).toBe('error');
    expect(result.summary).toBe('train command exited with code 3');
    expect(result.details).toMatchObject({ exitCode: 3 });
    expect(result.error).toContain('train command exited with code 3');
    const tail = result.error!.split('\n').filter((l) => l.startsWith('line '));
    expect(tail).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 11}`));
    expect(result.artifacts).toEqual([]);
  });

  it('fails a bash pipeline whose first command fails (pipefail) and sh on the first error (-e)', async () => {
    const p = await makeProject();
    const piped = await runTrain(p.config({ run: `false | cat; ${WRITE_MODEL}`, shell: 'bash' }), p.ctx());
    expect(piped.summary).toBe('train command exited with code 1');
    const stopped = await runTrain(p.config({ run: `false; ${WRITE_MODEL}`, shell: 'sh' }), p.ctx());
    expect(stopped.summary).toBe('train command exited with code 1');
    expect(existsSync(path.join(p.dir, 'artifacts/model.onnx'))).toBe(false);
  });

  it('kills the whole process group on timeout', async () => {
    const p = await makeProject();
    const started = Date.now();
    const run = '(sleep 1; touch late-child) & echo started; sleep 30';
    const result = await runTrain(p.config({ run, shell: 'bash', timeoutMs: 300 }), p.ctx());
    // Killed, not waited for: the sleep would take 30 s (a generous bound for a loaded machine).
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(result.status).toBe('error');
    expect(result.summary).toBe('train command timed out after 300ms');
    expect(result.error).toContain('started');
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(path.join(p.dir, 'late-child'))).toBe(false);
  });

  it('formats timeouts the way a spec writes them', () => {
    expect(formatDuration(30 * 60_000)).toBe('30m');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(2 * 3600_000)).toBe('2h');
    expect(formatDuration(300)).toBe('300ms');
    expect(formatDuration(1500)).toBe('1.5s');
  });

  it('names every declared output the command did not produce', async () => {
    const p = await makeProject();
    const result = await runTrain(
      p.config({
        run: WRITE_MODEL,
        shell: 'sh',
        outputs: ['artifacts/model.onnx', 'artifacts/vocab.json', 'artifacts/scaler.json'],
      }),
      p.ctx(),
    );
    expect(result.status).toBe('error');
    expect(result.summary).toBe(
      'train command succeeded but did not produce the declared outputs artifacts/vocab.json, artifacts/scaler.json',
    );
    expect(result.details).toMatchObject({
      missingOutputs: ['artifacts/vocab.json', 'artifacts/scaler.json'],
    });
  });

  it('requires the model even when no outputs are declared', async () => {
    const p = await makeProject();
    const result = await runTrain(p.config({ run: 'echo nothing', shell: 'sh' }), p.ctx());
    expect(result.status).toBe('error');
    expect(result.summary).toContain('artifacts/model.onnx');
  });

  it('reports a shell that cannot start as an error result', async () => {
    const p = await makeProject();
    // With PATH pointing nowhere, `sh` itself cannot be found.
    const config = p.config({ run: WRITE_MODEL, shell: 'sh', env: { PATH: '/nonexistent' } });
    const result = await runTrain(config, p.ctx());
    expect(result.status).toBe('error');
    expect(result.summary).toMatch(/^train command could not start: .*ENOENT/);
  });
});
