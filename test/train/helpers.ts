import { silentLogger } from '../../packages/core/src/index.js';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDirCache } from '../../packages/stages/src/cache/index.js';
import type { TrainConfig, TrainContext } from '../../packages/stages/src/train/index.js';

export interface Project {
  dir: string;
  cacheDir: string;
  /** Lives outside the project so it is never an input; each training run appends one line. */
  counter: string;
  lines: string[];
  warnings: string[];
  config(overrides?: Partial<TrainConfig>): TrainConfig;
  ctx(overrides?: Partial<TrainContext>): TrainContext;
  write(rel: string, content: string): Promise<void>;
  runs(): Promise<number>;
}

/** Writes a fake model with random bytes, so a retrain is distinguishable from a restore. */
export const TRAIN_NODE = `
const fs = require('node:fs');
fs.appendFileSync(process.env.COUNTER, 'run\\n');
fs.mkdirSync('artifacts', { recursive: true });
fs.writeFileSync('artifacts/model.onnx', require('node:crypto').randomBytes(64));
fs.writeFileSync('artifacts/metrics.json', JSON.stringify({ loss: 0.25, accuracy: 0.9 }));
console.log('trained');
`;

export async function makeProject(): Promise<Project> {
  const root = await mkdtemp(path.join(tmpdir(), 'mlops-train-'));
  const dir = path.join(root, 'project');
  await mkdir(dir);
  const cacheDir = path.join(root, 'cache');
  const counter = path.join(root, 'counter.txt');
  const lines: string[] = [];
  const warnings: string[] = [];
  const write = async (rel: string, content: string): Promise<void> => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  };
  await write('data/train.csv', 'x,y\n1,0\n2,1\n');
  return {
    dir,
    cacheDir,
    counter,
    lines,
    warnings,
    write,
    config: (overrides = {}) => ({
      run: TRAIN_NODE,
      shell: 'node',
      workingDirectory: dir,
      timeoutMs: 30_000,
      env: { COUNTER: counter },
      inputs: ['data/train.csv'],
      outputs: [],
      cache: true,
      modelPath: 'artifacts/model.onnx',
      modelName: 'churn',
      specDir: dir,
      ...overrides,
    }),
    ctx: (overrides = {}) => ({
      cache: new LocalDirCache(cacheDir, dir),
      log: {
        ...silentLogger,
        info: (m: string) => void lines.push(m),
        warn: (m: string) => void warnings.push(m),
      },
      git: {},
      ...overrides,
    }),
    runs: async () => {
      try {
        return (await readFile(counter, 'utf8')).split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    },
  };
}

/** Independent of packages/core/src/digest.ts on purpose: the oracle for every digest the stage records. */
export async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}
