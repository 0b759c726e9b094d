import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@mlops-actions/serve';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { BREAST_CANCER, evalRows, get, inferBody, post } from './helpers.js';

const bc = evalRows('breast-cancer', 'malignant');
let s: RunningServer;
let prom: RunningPrometheus;

beforeAll(async () => {
  s = await startServer({
    model: BREAST_CANCER,
    name: 'bc',
    version: '3',
    threads: 1,
    apiKeys: ['scrape-key'],
  });
  prom = await startPrometheus({
    targets: [{ url: `${s.url}/metrics`, job: 'serve', bearerToken: 'scrape-key' }],
  });
});

afterAll(async () => {
  await prom?.stop();
  await s?.close();
});

describe('/metrics scraped by a real Prometheus', () => {
  it('exposes text format with prom-client', async () => {
    const r = await get(`${s.url}/metrics`, { authorization: 'Bearer scrape-key' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.json).toMatch(/^# HELP mlops_serve_requests_total /m);
  });

  it('counts requests by route, model, version and status; durations, batch sizes, queue, in-flight, load time', async () => {
    const auth = { authorization: 'Bearer scrape-key' };
    const url = `${s.url}/v2/models/bc/versions/3/infer`;
    for (let i = 0; i < 7; i++)
      expect((await post(url, inferBody(bc.rows.slice(i, i + 2)), auth)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await post(url, '{not json', auth)).status).toBe(400);
    expect((await get(`${s.url}/v2/models/other`, auth)).status).toBe(404);

    const targets = await prom.waitFor('up{job="serve"}', (v) => v === 1);
    expect(targets[0]!.metric.job).toBe('serve');
    const ok = await prom.waitFor(
      'mlops_serve_requests_total{route="infer",model="bc",version="3",status="200"}',
      (v) => v === 7,
    );
    expect(ok).toHaveLength(1);
    const bad = await prom.waitFor('mlops_serve_requests_total{route="infer",status="400"}', (v) => v === 2);
    expect(bad[0]!.metric).toMatchObject({ model: 'bc', version: '3' });
    // An unknown model's name never becomes a label value (bounded cardinality).
    const notFound = await prom.waitFor('mlops_serve_requests_total{status="404"}', (v) => v === 1);
    expect(notFound[0]!.metric.route).toBe('model_metadata');
    expect(notFound[0]!.metric.model).toBeUndefined(); // exported as "", which Prometheus drops

    const durations = await prom.query(
      'mlops_serve_request_duration_seconds_count{route="infer",model="bc"}',
    );
    expect(durations[0]!.value).toBe(9);
    const le = await prom.query('mlops_serve_request_duration_seconds_bucket{route="infer",le="+Inf"}');
    expect(le[0]!.value).toBe(9);
    // 7 inferences of 2 rows each, plus the warm-up (not in the histogram).
    const rows = await prom.query('mlops_serve_batch_size_sum{model="bc"}');
    expect(rows[0]!.value).toBe(14);
    const batches = await prom.query('mlops_serve_batch_size_count{model="bc"}');
    expect(batches[0]!.value).toBe(7);
    const p50 = await prom.query(
      'histogram_quantile(0.5, sum by (le) (mlops_serve_batch_size_bucket{model="bc"}))',
    );
    expect(p50[0]!.value).toBeGreaterThan(1);
    expect(p50[0]!.value).toBeLessThanOrEqual(2);
    expect((await prom.query('mlops_serve_queue_depth{model="bc",version="3"}'))[0]!.value).toBe(0);
    // The scrape itself is the one request in flight while it is answered.
    expect((await prom.query('mlops_serve_in_flight_requests'))[0]!.value).toBe(1);
    const load = await prom.query('mlops_serve_model_load_seconds{model="bc",version="3"}');
    expect(load[0]!.value).toBeGreaterThan(0);
    expect((await prom.query('mlops_serve_model_ready{model="bc"}'))[0]!.value).toBe(1);
    const inference = await prom.query('mlops_serve_inference_duration_seconds_count{model="bc"}');
    expect(inference[0]!.value).toBe(7);
    // prom-client's process metrics, with the server's prefix.
    expect((await prom.query('mlops_serve_process_resident_memory_bytes'))[0]!.value).toBeGreaterThan(0);
  });
});
