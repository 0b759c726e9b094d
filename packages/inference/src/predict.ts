import { access } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { InputError } from './input-error.js';
import { prepareFeeds, type FeedData } from './feeds.js';
import { planInputs } from './input-plan.js';
import { checkClassCount, interpret, type LabelInfo } from './interpret.js';
import { planOutputs, type OutputOptions } from './output-plan.js';
import { SessionPool, type RawTensor } from './pool.js';
import type { Predictions, Task } from './predictions.js';
import { resolveOnnxRuntime, type OrtLoadOptions } from './runtime.js';

export interface PredictOptions {
  modelPath: string;
  data: FeedData;
  task: Task;
  /** Number of classes for multiclass-classification (checked against the output width). */
  k?: number;
  /**
   * The rows' labels (class indices into `classes`): when the output width disagrees with k, the
   * error names the data row holding a label the model does not know instead of blaming the model.
   */
  labels?: LabelInfo;
  /** The input that takes the [N, d] feature matrix, when the model has several. */
  inputName?: string;
  outputs?: OutputOptions;
  /** Rows per session.run call. Default 4096; a model with a fixed batch dimension uses that. */
  batchSize?: number;
  /** Worker threads (one ORT session each). Default os.availableParallelism(). */
  threads?: number;
  runtime?: OrtLoadOptions;
}

export interface PredictResult {
  predictions: Predictions;
  /** session.run time of each batch, in batch order. */
  batchLatencyMs: number[];
  /** Wall time of the batch phase (workers started and model loaded before the clock starts). */
  seconds: number;
}

function emptyPredictions(task: Task, k: number | undefined): Predictions {
  if (task === 'regression') return { task, values: new Float64Array(0) };
  if (task === 'binary-classification') return { task, scores: new Float64Array(0) };
  return { task, proba: new Float64Array(0), k: k ?? 0 };
}

/** Run an ONNX model over the feature matrix in worker threads, keeping the event loop free. */
export async function predict(opts: PredictOptions): Promise<PredictResult> {
  const { modelPath, data, task, k } = opts;
  const { features, n, d } = data;
  if (features.length !== n * d || data.featureNames.length !== d) {
    throw new TypeError(
      `predict: data is inconsistent (features.length ${features.length}, n ${n}, d ${d}, ${data.featureNames.length} names)`,
    );
  }
  const batchSize = opts.batchSize ?? 4096;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new TypeError(`predict: batchSize must be a positive integer`);
  try {
    await access(modelPath);
  } catch {
    throw new InputError(`${modelPath}: cannot read the model: no such file`, { file: modelPath });
  }
  const ortPath = resolveOnnxRuntime(opts.runtime);
  const size = Math.max(1, Math.min(opts.threads ?? availableParallelism(), Math.ceil(n / batchSize)));

  let pool: SessionPool;
  try {
    pool = await SessionPool.open(ortPath, modelPath, size);
  } catch (err) {
    throw new InputError(`${modelPath}: ONNX Runtime cannot load the model: ${(err as Error).message}`, {
      file: modelPath,
    });
  }
  try {
    const inputPlan = planInputs(modelPath, pool.metadata.inputs, data, opts.inputName);
    const outputPlan = planOutputs(modelPath, pool.metadata.outputs, task, opts.outputs);
    if (n === 0) return { predictions: emptyPredictions(task, k), batchLatencyMs: [], seconds: 0 };
    const feedsFor = prepareFeeds(modelPath, inputPlan, data);
    // A model that fixes its batch dimension ([1, 64]) runs in exactly that many rows per call.
    const rowsPerRun = inputPlan.batch ?? batchSize;
    const batches = Math.ceil(n / rowsPerRun);

    const latency = new Array<number>(batches).fill(0);
    let raw: Float64Array | undefined;
    let width = 0;
    const absorb = (t: RawTensor, start: number, rows: number, fed: number): void => {
      const [first = fed, ...rest] = t.dims;
      const w = rest.reduce((a, b) => a * b, 1);
      if (first !== fed || t.data.length !== fed * w) {
        throw new InputError(
          `${modelPath}: output '${outputPlan.name}' has shape [${t.dims.join(', ')}] for a batch of ${fed} rows`,
          { file: modelPath },
        );
      }
      if (raw === undefined) {
        width = w;
        raw = new Float64Array(n * w);
      } else if (w !== width) {
        throw new InputError(`${modelPath}: output '${outputPlan.name}' changes width between batches`, {
          file: modelPath,
        });
      }
      if (typeof t.data[0] === 'string') {
        throw new InputError(
          `${modelPath}: output '${outputPlan.name}' holds strings; add a numeric probability output to the model`,
          { file: modelPath },
        );
      }
      const offset = start * w;
      const src = t.data as ArrayLike<number | bigint>;
      // Rows past `rows` are the padding of a fixed-size last batch.
      for (let i = 0; i < rows * w; i++) raw[offset + i] = Number(src[i]);
    };

    let next = 0;
    const drive = async (worker: SessionPool['workers'][number]): Promise<void> => {
      for (let b = next++; b < batches; b = next++) {
        const start = b * rowsPerRun;
        const rows = Math.min(rowsPerRun, n - start);
        const { feeds, rows: fed } = feedsFor(start, rows);
        let result;
        try {
          result = await worker.run(feeds, [outputPlan.name]);
        } catch (err) {
          throw new InputError(
            `${modelPath}: ONNX Runtime failed on rows ${start + 1}–${start + rows}: ${(err as Error).message}`,
            { file: modelPath },
          );
        }
        latency[b] = result.ms;
        absorb(result.outputs[outputPlan.name]!, start, rows, fed);
      }
    };
    const t0 = performance.now();
    await Promise.all(pool.workers.map(drive));
    const seconds = (performance.now() - t0) / 1000;
    if (opts.labels !== undefined) checkClassCount(modelPath, outputPlan, width, task, opts.labels, data);
    const predictions = interpret(modelPath, outputPlan, raw!, n, width, task, k);
    return { predictions, batchLatencyMs: latency, seconds };
  } finally {
    await pool.close();
  }
}
