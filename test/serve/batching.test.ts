import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionPool, resolveOnnxRuntime, type Feed } from '@mlops-actions/inference';
import { startServer, type RunningServer } from '@mlops-actions/serve';
import { Batcher } from '../../packages/serve/src/batcher.js';
import { BREAST_CANCER, WINE, evalRows, get, inferBody, post } from './helpers.js';

const bc = evalRows('breast-cancer', 'malignant');
const wine = evalRows('wine', 'cultivar');

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('dynamic batching: batched and unbatched answers are identical row for row', () => {
  let unbatched: RunningServer;
  let batched: RunningServer;
  let wineUnbatched: RunningServer;
  let wineBatched: RunningServer;

  beforeAll(async () => {
    [unbatched, batched, wineUnbatched, wineBatched] = await Promise.all([
      startServer({ model: BREAST_CANCER, threads: 1, maxBatchSize: 1 }),
      // A long queue delay and a batch size equal to the burst: the burst runs as a few full batches.
      startServer({ model: BREAST_CANCER, threads: 1, maxBatchSize: 32, maxQueueDelayMs: 5000 }),
      startServer({ model: WINE, threads: 1, maxBatchSize: 1 }),
      startServer({ model: WINE, threads: 2, maxBatchSize: 16, maxQueueDelayMs: 5000 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([unbatched, batched, wineUnbatched, wineBatched].map((s) => s?.close()));
  });

  async function compare(
    a: RunningServer,
    b: RunningServer,
    rows: number[][],
    sizes: number[],
  ): Promise<void> {
    // Requests of varying row counts, sent all at once to the batching server.
    const requests: number[][][] = [];
    for (let i = 0, k = 0; i < rows.length; k++) {
      const n = sizes[k % sizes.length]!;
      requests.push(rows.slice(i, i + n));
      i += n;
    }
    const path = (s: RunningServer) => `${s.url}/v2/models/${s.name}/infer`;
    const together = await Promise.all(requests.map((r, i) => post(path(b), inferBody(r, `r${i}`))));
    for (const [i, r] of requests.entries()) {
      const alone = await post(path(a), inferBody(r, `r${i}`));
      expect(alone.status).toBe(200);
      expect(together[i]!.status).toBe(200);
      // Same id, same shapes, same bits: a batch is only a stack of rows.
      expect(together[i]!.json).toEqual(alone.json);
    }
    const stats = b.stats();
    expect(stats.batchedRows).toBeGreaterThanOrEqual(rows.length);
    expect(stats.batches).toBeLessThan(requests.length);
  }

  it('breast-cancer: 143 rows in requests of 1, 3 and 7 rows', async () => {
    await compare(unbatched, batched, bc.rows, [1, 3, 7]);
    const metrics = await get(`${batched.url}/metrics`);
    const count = /mlops_serve_batch_size_count\{[^}]*\} (\d+)/.exec(metrics.json as string);
    const sum = /mlops_serve_batch_size_sum\{[^}]*\} (\d+)/.exec(metrics.json as string);
    expect(Number(sum![1]) / Number(count![1])).toBeGreaterThan(1);
  });

  it('wine (3 classes, 2 workers): single-row requests', async () => {
    await compare(wineUnbatched, wineBatched, wine.rows, [1]);
  });

  it('--threads 0 (inference on the event loop) batches and answers the same', async () => {
    const inline = await startServer({
      model: BREAST_CANCER,
      threads: 0,
      maxBatchSize: 16,
      maxQueueDelayMs: 5000,
    });
    try {
      expect(inline.model.pool.kind).toBe('inline');
      await compare(unbatched, inline, bc.rows.slice(0, 64), [1, 2]);
    } finally {
      await inline.close();
    }
  });
});

describe('the batcher (deterministic: jobs submitted in one tick)', () => {
  let pool: SessionPool;
  beforeAll(async () => {
    pool = await SessionPool.open(resolveOnnxRuntime(), BREAST_CANCER, 1);
  });
  afterAll(async () => {
    await pool?.close();
  });

  const feed = (rows: number[][]): Feed[] => [
    { name: 'float_input', type: 'float32', dims: [rows.length, 30], data: Float32Array.from(rows.flat()) },
  ];

  it('with max-queue-delay 0 runs the first request at once and stacks the waiting ones, up to max-batch-size', async () => {
    const batches: number[] = [];
    const b = new Batcher(pool, {
      maxBatchSize: 8,
      maxQueueDelayMs: 0,
      maxQueueSize: 100,
      timeoutMs: 60_000,
      batchable: true,
      onBatch: (rows) => batches.push(rows),
    });
    const results = await Promise.all(
      bc.rows.slice(0, 20).map((r) => b.submit(feed([r]), ['probabilities'])),
    );
    // Idle worker: request 1 alone (nobody waits for company); the other 19 queued meanwhile.
    expect(batches).toEqual([1, 8, 8, 3]);
    const single = await b.submit(feed(bc.rows.slice(5, 6)), ['probabilities']);
    expect(Array.from(results[5]!.probabilities!.data as Float32Array)).toEqual(
      Array.from(single.probabilities!.data as Float32Array),
    );
  });

  it('refuses past max-queue-size with 503 and Retry-After, never queueing without bound', async () => {
    const b = new Batcher(pool, {
      maxBatchSize: 1,
      maxQueueDelayMs: 0,
      maxQueueSize: 2,
      timeoutMs: 60_000,
      batchable: true,
    });
    const settled = await Promise.allSettled(bc.rows.slice(0, 6).map((r) => b.submit(feed([r]), ['label'])));
    const status = settled.map((s) =>
      s.status === 'fulfilled' ? 200 : (s.reason as { status: number }).status,
    );
    expect(status).toEqual([200, 200, 200, 503, 503, 503]);
    const reason = (settled[3] as PromiseRejectedResult).reason as {
      headers: Record<string, string>;
      message: string;
    };
    expect(reason.headers['retry-after']).toBe('1');
    expect(reason.message).toMatch(/queue is full/);
  });

  it('a bad request in a batch does not fail its neighbours', async () => {
    const b = new Batcher(pool, {
      maxBatchSize: 8,
      maxQueueDelayMs: 0,
      maxQueueSize: 100,
      timeoutMs: 60_000,
      batchable: true,
    });
    const good = (i: number) => b.submit(feed([bc.rows[i]!]), ['label']);
    // Same key as the good ones (float32, width 30) but its data length lies about the rows:
    // stacked, it would shift its neighbours' rows, so it is refused before it joins a batch.
    const bad: Feed[] = [{ name: 'float_input', type: 'float32', dims: [1, 30], data: new Float32Array(29) }];
    const settled = await Promise.allSettled([good(0), good(1), b.submit(bad, ['label']), good(2)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('queue limits over HTTP', () => {
  let s: RunningServer;
  beforeAll(async () => {
    // Nothing dispatches before 60 s or 64 rows, so requests stay queued: a deterministic full queue.
    s = await startServer({
      model: BREAST_CANCER,
      threads: 1,
      maxBatchSize: 64,
      maxQueueDelayMs: 60_000,
      maxQueueSize: 3,
      requestTimeoutMs: 1500,
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('sheds load with 503 + Retry-After when the queue is full; queued requests time out with 503', async () => {
    const url = `${s.url}/v2/models/${s.name}/infer`;
    const waiting = [0, 1, 2].map((i) => post(url, inferBody([bc.rows[i]!])));
    await waitUntil('3 queued requests', () => s.stats().queueDepth === 3);
    const shed = await post(url, inferBody([bc.rows[3]!]));
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(shed.json.error).toMatch(/queue is full \(3 requests waiting\)/);
    const timedOut = await Promise.all(waiting);
    for (const t of timedOut) {
      expect(t.status).toBe(503);
      expect(t.json.error).toMatch(/did not finish within 1500 ms/);
    }
    expect(s.stats().queueDepth).toBe(0);
  });
});
