import { InputError } from '@mlops-actions/core';

/** One series of an instant query: its labels and value (NaN when Prometheus says "NaN"). */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

/**
 * A small client of the Prometheus HTTP API (`/api/v1/query`). Rejected PromQL (HTTP 400
 * `bad_data`) is the user's query and becomes an `InputError` naming it; an unreachable server is
 * retried a few times, then an `Error` that says where it looked.
 */
export interface PrometheusClient {
  readonly url: string;
  /** Instant query at `time` (default: now). Scalars come back as one series with no labels. */
  query(promql: string, time?: Date): Promise<PromSample[]>;
  /** Seconds since the epoch of the newest sample of `up{job=...}`, or undefined before the first scrape. */
  lastScrape(job: string): Promise<number | undefined>;
}

interface ApiResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: 'vector' | 'scalar' | 'matrix' | 'string'; result: unknown };
}

export function createPrometheusClient(
  url: string,
  options: { retries?: number; timeoutMs?: number } = {},
): PrometheusClient {
  const base = url.replace(/\/+$/, '');
  const retries = options.retries ?? 3;
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function call(promql: string, time?: Date): Promise<ApiResponse> {
    const body = new URLSearchParams({ query: promql });
    if (time) body.set('time', (time.getTime() / 1000).toFixed(3));
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        const res = await fetch(`${base}/api/v1/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const json = (await res.json()) as ApiResponse;
        if (res.status === 400 || res.status === 422) {
          throw new InputError(
            `Prometheus rejected the query '${promql}': ${json.errorType ?? 'error'}: ${json.error ?? res.statusText}`,
          );
        }
        if (!res.ok || json.status !== 'success')
          throw new Error(`HTTP ${res.status}: ${json.error ?? res.statusText}`);
        return json;
      } catch (err) {
        if (err instanceof InputError) throw err;
        lastError = err;
        if (attempt < retries) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
    throw new Error(
      `Prometheus at ${base} did not answer the query '${promql}': ${String((lastError as Error)?.message ?? lastError)}`,
    );
  }

  return {
    url: base,
    async query(promql, time) {
      const json = await call(promql, time);
      const data = json.data;
      if (!data) return [];
      if (data.resultType === 'scalar') {
        const [, v] = data.result as [number, string];
        return [{ metric: {}, value: Number(v) }];
      }
      if (data.resultType === 'vector') {
        return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({
          metric: s.metric,
          value: Number(s.value[1]),
        }));
      }
      throw new InputError(
        `query '${promql}' returned a ${data.resultType}; analysis needs an instant vector or a scalar`,
      );
    },
    async lastScrape(job) {
      const res = await this.query(`timestamp(up{job=${JSON.stringify(job)}})`);
      const values = res.map((s) => s.value).filter(Number.isFinite);
      return values.length > 0 ? Math.max(...values) : undefined;
    },
  };
}
