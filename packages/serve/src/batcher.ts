import type { Feed, RawTensor, TensorData } from '@mlops-actions/inference';
import type { Executors, InferenceWorker } from './executors.js';
import { HttpError, unavailable } from './errors.js';

export interface BatcherOptions {
  /** Rows per session.run; 1 (or a model whose first dimension is fixed) disables batching. */
  maxBatchSize: number;
  /** How long the oldest queued request may wait for others to fill a batch (Triton default 0). */
  maxQueueDelayMs: number;
  /** Requests waiting beyond this are refused with 503 + Retry-After. */
  maxQueueSize: number;
  /** Queue wait + inference; past it the request is answered 503 and its result dropped. */
  timeoutMs: number;
  /** Whether the model's inputs and outputs all have a variable first (batch) dimension. */
  batchable: boolean;
  onBatch?: (rows: number, requests: number, inferenceMs: number) => void;
  onQueueDepth?: (depth: number) => void;
}

interface Job {
  feeds: Feed[];
  fetch: string[];
  rows: number;
  key: string;
  enqueued: number;
  settled: boolean;
  /** Set after its batch failed: it runs on its own so one bad request cannot fail its neighbours. */
  alone: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve: (outputs: Record<string, RawTensor>) => void;
  reject: (err: Error) => void;
}

/** Requests that can share a batch: same inputs, types, per-row shapes and requested outputs. */
function compatibilityKey(feeds: readonly Feed[], fetch: readonly string[]): string {
  const parts = feeds.map((f) => `${f.name}:${f.type}:${f.dims.slice(1).join('x')}`).sort();
  return `${parts.join('|')}>${fetch.join('|')}`;
}

function concat(parts: TensorData[], total: number): TensorData {
  const first = parts[0]!;
  if (Array.isArray(first)) return (parts as string[][]).flat();
  const out = new (first.constructor as new (n: number) => Exclude<TensorData, string[]>)(total);
  let offset = 0;
  for (const p of parts as Exclude<TensorData, string[]>[]) {
    (out as Float64Array).set(p as Float64Array, offset);
    offset += p.length;
  }
  return out;
}

function sliceRows(t: RawTensor, start: number, rows: number): RawTensor {
  const width = t.dims.slice(1).reduce((a, b) => a * b, 1);
  const data = t.data as TensorData;
  const from = start * width;
  const to = (start + rows) * width;
  return {
    type: t.type,
    dims: [rows, ...t.dims.slice(1)],
    data: Array.isArray(data) ? data.slice(from, to) : data.subarray(from, to),
  };
}

/**
 * Triton's dynamic batcher over a pool of session workers: when a worker is free, the requests
 * at the head of the queue that fit together (up to maxBatchSize rows) run as one session.run;
 * with maxQueueDelayMs 0 nothing ever waits for company, so batches form only under load.
 */
export class Batcher {
  private readonly queue: Job[] = [];
  private delayTimer: NodeJS.Timeout | undefined;
  private batchable: boolean;
  private closed = false;
  /** Set on shutdown: queued requests run now instead of waiting for company. */
  private noDelay = false;
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly pool: Pick<Executors, 'workers'>,
    private readonly opts: BatcherOptions,
  ) {
    this.batchable = opts.batchable && opts.maxBatchSize > 1;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  /** Batches being run right now. */
  get active(): number {
    return this.running;
  }

  /** Runs the feeds (each with the batch dimension first) and resolves with the fetched outputs. */
  submit(feeds: Feed[], fetch: string[]): Promise<Record<string, RawTensor>> {
    if (this.closed) return Promise.reject(unavailable('the server is shutting down'));
    for (const f of feeds) {
      const count = f.dims.reduce((a, b) => a * b, 1);
      // Stacked into a batch, a short buffer would shift every later request's rows.
      if (f.data.length !== count) {
        return Promise.reject(
          new HttpError(
            400,
            `input '${f.name}' holds ${f.data.length} values; shape [${f.dims.join(', ')}] needs ${count}`,
          ),
        );
      }
    }
    if (this.queue.length >= this.opts.maxQueueSize) {
      return Promise.reject(
        unavailable(`the inference queue is full (${this.opts.maxQueueSize} requests waiting); retry later`),
      );
    }
    return new Promise((resolve, reject) => {
      const job: Job = {
        feeds,
        fetch,
        rows: feeds[0]?.dims[0] ?? 1,
        key: compatibilityKey(feeds, fetch),
        enqueued: performance.now(),
        settled: false,
        alone: false,
        timer: undefined,
        resolve,
        reject,
      };
      job.timer = setTimeout(() => {
        const at = this.queue.indexOf(job);
        if (at >= 0) this.queue.splice(at, 1);
        this.settle(job, unavailable(`inference did not finish within ${this.opts.timeoutMs} ms`));
        this.reportDepth();
      }, this.opts.timeoutMs);
      this.queue.push(job);
      this.reportDepth();
      this.pump();
    });
  }

  private settle(job: Job, result: Error | Record<string, RawTensor>): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if (result instanceof Error) job.reject(result);
    else job.resolve(result);
  }

  private reportDepth(): void {
    this.opts.onQueueDepth?.(this.queue.length);
  }

  private idleWorker(): InferenceWorker | undefined {
    return this.pool.workers.find((w) => w.inFlight === 0 && w.failed === undefined);
  }

  private pump(): void {
    for (;;) {
      if (this.queue.length === 0) return;
      const worker = this.idleWorker();
      if (worker === undefined) {
        if (this.pool.workers.every((w) => w.failed !== undefined)) {
          for (const job of this.queue.splice(0)) {
            this.settle(job, new HttpError(500, 'every inference worker has failed; restart the server'));
          }
          this.reportDepth();
        }
        return;
      }
      const head = this.queue[0]!;
      let take = 1;
      let rows = head.rows;
      if (this.batchable && !head.alone) {
        while (take < this.queue.length) {
          const next = this.queue[take]!;
          if (next.alone || next.key !== head.key || rows + next.rows > this.opts.maxBatchSize) break;
          rows += next.rows;
          take++;
        }
        const waited = performance.now() - head.enqueued;
        const full = rows >= this.opts.maxBatchSize || take < this.queue.length;
        if (!full && !this.noDelay && this.opts.maxQueueDelayMs > 0 && waited < this.opts.maxQueueDelayMs) {
          if (this.delayTimer === undefined) {
            this.delayTimer = setTimeout(() => {
              this.delayTimer = undefined;
              this.pump();
            }, this.opts.maxQueueDelayMs - waited);
          }
          return;
        }
      }
      const jobs = this.queue.splice(0, take);
      if (this.queue.length === 0 && this.delayTimer !== undefined) {
        clearTimeout(this.delayTimer);
        this.delayTimer = undefined;
      }
      this.reportDepth();
      this.run(worker, jobs, rows);
    }
  }

  private run(worker: InferenceWorker, jobs: Job[], rows: number): void {
    this.running++;
    const fetch = jobs[0]!.fetch;
    const internal = (err: unknown): void => {
      // Nothing here may escape as an unhandled rejection: that would end the process.
      const message = err instanceof Error ? err.message : String(err);
      for (const job of jobs)
        this.settle(job, new HttpError(500, `internal error in the batcher: ${message}`));
    };
    let feeds: Feed[];
    try {
      feeds = this.stack(jobs, rows);
    } catch (err) {
      internal(err);
      this.running--;
      return;
    }
    // A single request's own buffers may be handed to the worker; a batch's are fresh copies.
    worker
      .run(feeds, fetch, true)
      .then(
        ({ ms, outputs }) => {
          this.opts.onBatch?.(rows, jobs.length, ms);
          if (jobs.length === 1) {
            this.settle(jobs[0]!, outputs);
            return;
          }
          const splittable = fetch.every((name) => outputs[name]?.dims[0] === rows);
          if (!splittable) {
            // Some output is not per-row (a scalar, a fixed first dimension): run requests alone from now on.
            this.batchable = false;
            this.queue.unshift(...jobs.filter((j) => !j.settled));
            this.reportDepth();
            return;
          }
          let start = 0;
          for (const job of jobs) {
            const mine: Record<string, RawTensor> = {};
            for (const name of fetch) mine[name] = sliceRows(outputs[name]!, start, job.rows);
            start += job.rows;
            this.settle(job, mine);
          }
        },
        (err: Error) => {
          const failure =
            worker.failed !== undefined
              ? new HttpError(500, `the inference worker failed: ${err.message}`)
              : new HttpError(400, `ONNX Runtime rejected the request: ${err.message}`);
          if (jobs.length > 1 && worker.failed === undefined) {
            // The batch's feeds were copies, so each request's own data is intact for a retry alone.
            for (const j of jobs) j.alone = true;
            this.queue.unshift(...jobs.filter((j) => !j.settled));
            this.reportDepth();
            return;
          }
          for (const job of jobs) this.settle(job, failure);
        },
      )
      .catch(internal)
      .finally(() => {
        this.running--;
        if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        try {
          this.pump();
        } catch (err) {
          // pump() only throws on a bug; the queued requests then time out with 503 rather than hang.
          void err;
        }
      });
  }

  /** The jobs' feeds stacked along the batch dimension (one job: its own feeds). */
  private stack(jobs: Job[], rows: number): Feed[] {
    if (jobs.length === 1) return jobs[0]!.feeds;
    return jobs[0]!.feeds.map((f) => {
      const parts = jobs.map((j) => j.feeds.find((g) => g.name === f.name)!.data);
      return {
        name: f.name,
        type: f.type,
        dims: [rows, ...f.dims.slice(1)],
        data: concat(parts, rows * width(f)),
      };
    });
  }

  /** Shutdown has begun: stop holding requests back for max-queue-delay (new ones are still taken). */
  flush(): void {
    this.noDelay = true;
    // A pending delay timer would keep the process alive for up to max-queue-delay after shutdown.
    clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    this.pump();
  }

  /** Stops taking requests and resolves once everything queued and running has finished. */
  async drain(): Promise<void> {
    this.closed = true;
    this.flush();
    if (this.running === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}

function width(f: Feed): number {
  return f.dims.slice(1).reduce((a, b) => a * b, 1);
}
