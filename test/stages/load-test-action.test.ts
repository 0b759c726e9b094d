import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelayProcess } from '../loadgen/servers.js';

/** The load-test action through the runner contract: a child process with INPUT_* set, outputs read back. */

const ROOT = path.resolve(import.meta.dirname, '../..');
const ENTRY = path.join(ROOT, 'test/loadgen/fixtures/action-entry.ts');
let ws: string;
let server: Awaited<ReturnType<typeof startDelayProcess>>;

beforeAll(async () => {
  ws = await mkdtemp(path.join(tmpdir(), 'load-test-action-'));
  server = await startDelayProcess(['--delay', '5']);
  await writeFile(
    path.join(ws, 'mlops.yml'),
    `version: 1
model: { name: wine, path: ${path.join(ROOT, 'examples/wine/baseline/model.onnx')}, task: multiclass-classification }
data: { eval: { path: ${path.join(ROOT, 'examples/wine/data/eval.csv')}, label: cultivar } }
`,
  );
});
afterAll(async () => {
  await server?.close();
  await rm(ws, { recursive: true, force: true });
});

async function runAction(
  inputs: Record<string, string>,
): Promise<{ code: number; stdout: string; outputs: Record<string, string> }> {
  const outputFile = path.join(ws, `output-${Date.now()}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: outputFile,
    INPUT_SPEC: 'mlops.yml',
    'INPUT_RESULTS-DIR': '.mlops',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  await writeFile(outputFile, '');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', async (code) => {
      const text = await readFile(outputFile, 'utf8').catch(() => '');
      // GITHUB_OUTPUT holds `name<<DELIM\nvalue\nDELIM` blocks.
      const outputs: Record<string, string> = {};
      for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]!] = m[3]!;
      resolve({ code: code ?? -1, stdout, outputs });
    });
  });
}

describe('load-test action', () => {
  it('sets p99, rps, error-rate and passed, and fails the step on an unmeetable gate', async () => {
    const { code, stdout, outputs } = await runAction({
      url: server.url,
      rate: '20/s',
      duration: '1s',
      gates: 'p(99) < 1ms\nerror_rate < 1%',
    });
    expect(stdout).toMatch(/::error::load-test: 1 gate\(s\) failed: p\(99\) [\d.]+ms is not < /);
    expect(code).toBe(1);
    expect(outputs.passed).toBe('false');
    expect(Number(outputs.p99)).toBeGreaterThan(5);
    expect(Number(outputs['error-rate'])).toBe(0);
    expect(Number(outputs.rps)).toBeGreaterThan(0);
    expect(outputs['results-file']).toBe(path.join(ws, '.mlops', 'load-test.json'));
    const result = JSON.parse(await readFile(outputs['results-file']!, 'utf8')) as {
      verdicts: { gate: string; status: string }[];
    };
    expect(result.verdicts.map((v) => [v.gate, v.status])).toEqual([
      ['p(99) < 1ms', 'fail'],
      ['error_rate < 1%', 'pass'],
    ]);
  });
});
