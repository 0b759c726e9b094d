import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'route' | 'model' | 'version' | 'status'>;
  duration: Histogram<'route' | 'model' | 'version'>;
  batchSize: Histogram<'model' | 'version'>;
  batchRequests: Histogram<'model' | 'version'>;
  inference: Histogram<'model' | 'version'>;
  queueDepth: Gauge<'model' | 'version'>;
  inFlight: Gauge;
  loadSeconds: Gauge<'model' | 'version'>;
  ready: Gauge<'model' | 'version'>;
}

/** Powers of two up to the largest batch, so the histogram shows how full batches run. */
function batchBuckets(max: number): number[] {
  const out: number[] = [];
  for (let b = 1; b < max; b *= 2) out.push(b);
  out.push(max);
  return [...new Set(out)];
}

/**
 * A registry of its own per server (not prom-client's global one), so several servers in one
 * process (the canary runs two) keep separate counts. Label values come from the route table and
 * the configured model, never from the request path, so cardinality stays bounded.
 */
export function createMetrics(maxBatchSize: number, defaultMetrics: boolean): ServeMetrics {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'mlops_serve_' });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'mlops_serve_requests_total',
      help: 'HTTP requests answered, by route, model, version and status code',
      labelNames: ['route', 'model', 'version', 'status'],
      registers,
    }),
    duration: new Histogram({
      name: 'mlops_serve_request_duration_seconds',
      help: 'Time from the request arriving to the response being written',
      labelNames: ['route', 'model', 'version'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
      registers,
    }),
    batchSize: new Histogram({
      name: 'mlops_serve_batch_size',
      help: 'Rows per ONNX Runtime session.run (dynamic batching stacks requests)',
      labelNames: ['model', 'version'],
      buckets: batchBuckets(Math.max(1, maxBatchSize)),
      registers,
    }),
    batchRequests: new Histogram({
      name: 'mlops_serve_batch_requests',
      help: 'Requests served by one session.run',
      labelNames: ['model', 'version'],
      buckets: batchBuckets(Math.max(1, maxBatchSize)),
      registers,
    }),
    inference: new Histogram({
      name: 'mlops_serve_inference_duration_seconds',
      help: 'session.run time per batch, measured in the worker thread',
      labelNames: ['model', 'version'],
      buckets: [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'mlops_serve_queue_depth',
      help: 'Requests waiting for an inference worker',
      labelNames: ['model', 'version'],
      registers,
    }),
    inFlight: new Gauge({
      name: 'mlops_serve_in_flight_requests',
      help: 'HTTP requests being processed',
      registers,
    }),
    loadSeconds: new Gauge({
      name: 'mlops_serve_model_load_seconds',
      help: 'Time to load the model into every worker and warm it up',
      labelNames: ['model', 'version'],
      registers,
    }),
    ready: new Gauge({
      name: 'mlops_serve_model_ready',
      help: '1 when the model is loaded, warmed and serving',
      labelNames: ['model', 'version'],
      registers,
    }),
  };
}
