import { Worker } from 'node:worker_threads';
import type { OutputInfo } from './model-info.js';
import { WORKER_SOURCE } from './worker-source.js';

import type { TensorData, TensorType } from './tensors.js';

export type { TensorData, TensorType };

export interface Feed {
  name: string;
  type: TensorType;
  data: TensorData;
  dims: number[];
}

export interface RawTensor {
  type: string;
  dims: number[];
  data: ArrayLike<number | bigint | string>;
}

export interface ModelMetadata {
  inputs: OutputInfo[];
  outputs: OutputInfo[];
}

type Message =
  | ({ type: 'ready' } & ModelMetadata)
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; ms: number; outputs: Record<string, RawTensor> }
  | { type: 'error'; id: number; message: string };

interface Pending {
  resolve: (r: { ms: number; outputs: Record<string, RawTensor> }) => void;
  reject: (e: Error) => void;
}

/** One worker thread holding one ORT session. */
class SessionWorker {
  readonly ready: Promise<ModelMetadata>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(ortPath: string, modelPath: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath, modelPath } });
    this.ready = new Promise<ModelMetadata>((resolve, reject) => {
      const fail = (err: Error): void => {
        this.failure ??= err;
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      };
      this.worker.on('message', (msg: Message) => {
        if (msg.type === 'ready') resolve({ inputs: msg.inputs, outputs: msg.outputs });
        else if (msg.type === 'fatal') fail(new Error(msg.message));
        else {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.type === 'result') p?.resolve({ ms: msg.ms, outputs: msg.outputs });
          else p?.reject(new Error(msg.message));
        }
      });
      this.worker.on('error', fail);
      this.worker.on('exit', (code) => fail(new Error(`inference worker exited (code ${code})`)));
    });
    // Callers observe readiness through open(); avoid an unhandled rejection when one worker of many fails.
    this.ready.catch(() => undefined);
  }

  /** Runs still waiting for their answer (a scheduler picks the least loaded worker by it). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Set once the worker has failed for good; every later run rejects with it. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /**
   * Typed-array feeds are transferred (their buffers become unusable to the caller) unless
   * `transfer` is false; string feeds are always copied.
   */
  run(
    feeds: Feed[],
    fetch: string[],
    transfer = true,
  ): Promise<{ ms: number; outputs: Record<string, RawTensor> }> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    const buffers = new Set<ArrayBuffer>();
    if (transfer) {
      for (const f of feeds) {
        // A SharedArrayBuffer cannot be transferred, and listing one buffer twice is a DataCloneError.
        if (ArrayBuffer.isView(f.data) && f.data.buffer instanceof ArrayBuffer) buffers.add(f.data.buffer);
      }
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ type: 'run', id, feeds, fetch }, [...buffers]);
      } catch (err) {
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  terminate(): Promise<number> {
    this.worker.removeAllListeners('exit');
    return this.worker.terminate();
  }
}

/** A fixed set of workers, each with its own session of the same model. */
export class SessionPool {
  private constructor(
    readonly workers: SessionWorker[],
    readonly metadata: ModelMetadata,
  ) {}

  static async open(ortPath: string, modelPath: string, size: number): Promise<SessionPool> {
    const workers = Array.from({ length: size }, () => new SessionWorker(ortPath, modelPath));
    try {
      const [metadata] = await Promise.all(workers.map((w) => w.ready));
      return new SessionPool(workers, metadata!);
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export type { SessionWorker };
