import {
  SessionPool,
  loadOnnxRuntime,
  type Feed,
  type ModelMetadata,
  type OrtLoadOptions,
  type OutputInfo,
  type RawTensor,
} from '@mlops-actions/inference';

/** What the batcher drives: a worker thread's session, or a session on the event loop. */
export interface InferenceWorker {
  readonly inFlight: number;
  readonly failed: Error | undefined;
  run(
    feeds: Feed[],
    fetch: string[],
    transfer?: boolean,
  ): Promise<{ ms: number; outputs: Record<string, RawTensor> }>;
}

export interface Executors {
  readonly workers: readonly InferenceWorker[];
  readonly metadata: ModelMetadata;
  /** 'threads': ORT sessions in worker threads; 'inline': one session on the event loop. */
  readonly kind: 'threads' | 'inline';
  close(): Promise<void>;
}

type Session = Awaited<ReturnType<Awaited<ReturnType<typeof loadOnnxRuntime>>['InferenceSession']['create']>>;

/**
 * One ORT session run on the event loop. session.run blocks the loop for its duration, so this
 * suits small, fast models only: it saves the two thread hops per batch that dominate their
 * latency on a busy machine, and it makes the HTTP loop wait while a batch runs.
 */
class InlineSession implements InferenceWorker {
  inFlight = 0;
  failed: Error | undefined = undefined;

  constructor(
    private readonly ort: Awaited<ReturnType<typeof loadOnnxRuntime>>,
    private readonly session: Session,
  ) {}

  async run(feeds: Feed[], fetch: string[]): Promise<{ ms: number; outputs: Record<string, RawTensor> }> {
    this.inFlight++;
    try {
      const tensors: Record<string, InstanceType<typeof this.ort.Tensor>> = {};
      for (const f of feeds) {
        tensors[f.name] = new this.ort.Tensor(f.type, f.data as never, f.dims);
      }
      const t0 = performance.now();
      const result = await this.session.run(tensors, fetch);
      const ms = performance.now() - t0;
      const outputs: Record<string, RawTensor> = {};
      for (const name of fetch) {
        const t = result[name]!;
        outputs[name] = { type: t.type, dims: [...t.dims], data: t.data as RawTensor['data'] };
      }
      return { ms, outputs };
    } finally {
      this.inFlight--;
    }
  }
}

function describe(meta: Session['inputMetadata'] | Session['outputMetadata']): OutputInfo[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: [...m.shape], isTensor: true }
      : { name: m.name, type: 'non-tensor', shape: [], isTensor: false },
  );
}

/** `threads` ≥ 1: that many worker threads; 0: inline on the event loop. */
export async function openExecutors(
  ortPath: string,
  modelPath: string,
  threads: number,
  runtime?: OrtLoadOptions,
): Promise<Executors> {
  if (threads >= 1) {
    const pool = await SessionPool.open(ortPath, modelPath, threads);
    return { workers: pool.workers, metadata: pool.metadata, kind: 'threads', close: () => pool.close() };
  }
  const ort = await loadOnnxRuntime(runtime);
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const worker = new InlineSession(ort, session);
  return {
    workers: [worker],
    metadata: { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) },
    kind: 'inline',
    close: () => session.release(),
  };
}
