// Runs ensureOrt the way an action does (runner env, actions logger), then scores a real model with
// the runtime it found, loading ORT only from MLOPS_ORT_PATH. The last stdout line is a JSON result.
import { readFile } from 'node:fs/promises';
import { ensureOrtDetailed } from '../../packages/action/src/ort-install.js';
import { actionsLogger } from '../../packages/action/src/run-action.js';
import { loadOnnxRuntime } from '../../packages/inference/src/runtime.js';

const model = process.argv[2];
try {
  const result = await ensureOrtDetailed(actionsLogger);
  let inputs: string[] | undefined;
  if (model) {
    const ort = await loadOnnxRuntime({ fallbacks: false });
    const session = await ort.InferenceSession.create(await readFile(model));
    inputs = [...session.inputNames];
    await session.release();
  }
  console.log(JSON.stringify({ ...result, env: process.env.MLOPS_ORT_PATH, inputs }));
} catch (err) {
  console.error(`ERROR: ${(err as Error).message}`);
  process.exitCode = 2;
}
