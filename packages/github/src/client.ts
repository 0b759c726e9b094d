import { getOctokit } from '@actions/github';
import { defaults as toolkitDefaults } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface ClientLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ClientOptions {
  token: string;
  /** REST root; GHES uses `https://<host>/api/v3`. */
  baseUrl?: string;
  /** Abort a request that has not answered after this long; it is then retried (default 30 s). */
  timeoutMs?: number;
  /** Retries for 5xx, timeouts and rate limits (default 3). */
  retries?: number;
  /**
   * Milliseconds per unit of wait: retry-after seconds and the retry plugin's quadratic backoff
   * are multiplied by it (default 1000). Tests shorten it.
   */
  retryAfterBaseMs?: number;
  /**
   * Minimum spacing between writes, and between writes that notify (comments). Defaults follow
   * GitHub's guidance (1 s / 3 s); tests set 0.
   */
  writeSpacingMs?: number;
  notificationSpacingMs?: number;
  log?: ClientLog;
  /** The fetch implementation to wrap (default: the toolkit's proxy-aware fetch). */
  fetch?: typeof fetch;
}

function toolkitFetch(): typeof fetch | undefined {
  return (toolkitDefaults.request as { fetch?: typeof fetch } | undefined)?.fetch;
}

const quiet: ClientLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * Octokit's fetch wrapper only retries errors it wrapped itself; an AbortError passes through
 * untouched and the retry plugin ignores it. Turning our own timeout into a plain error makes
 * @octokit/request wrap it as a 500, which the retry plugin retries.
 */
function withTimeout(inner: typeof fetch | undefined, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await (inner ?? globalThis.fetch)(input, { ...init, signal });
    } catch (err) {
      if (timeout.aborted && !init?.signal?.aborted) {
        throw new Error(`no response within ${timeoutMs} ms`);
      }
      throw err;
    }
  };
}

/**
 * An Octokit for the runner's token with retries (500/502/503, timeouts) and throttling
 * (primary and secondary rate limits, honouring `retry-after`). GITHUB_TOKEN has about 1,000
 * requests per hour per repository and writes hit secondary limits, so both plugins matter.
 */
export function createClient(opts: ClientOptions): GitHubClient {
  const log = opts.log ?? quiet;
  const retries = opts.retries ?? 3;
  const base = opts.retryAfterBaseMs ?? 1000;
  // Both limits are retried the same way, up to `retries` times, saying which one was hit.
  const retryWithin =
    (what: string) =>
    (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
      log.warn(`${what} for ${options.method} ${options.url}; retry ${retryCount + 1} in ${retryAfter} s`);
      return retryCount < retries;
    };
  const throttle: Record<string, unknown> = {
    retryAfterBaseValue: base,
    fallbackSecondaryRateRetryAfter: 60,
    onRateLimit: retryWithin('rate limit hit'),
    onSecondaryRateLimit: retryWithin('secondary rate limit'),
  };
  // The plugin's default limiter groups are process-wide; custom spacing needs our own groups.
  if (opts.writeSpacingMs !== undefined) {
    throttle.write = new Bottleneck.Group({ maxConcurrent: 1, minTime: opts.writeSpacingMs });
  }
  if (opts.notificationSpacingMs !== undefined) {
    throttle.notifications = new Bottleneck.Group({ maxConcurrent: 1, minTime: opts.notificationSpacingMs });
  }
  const baseUrl = (opts.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(
    /\/+$/,
    '',
  );
  return getOctokit(
    opts.token,
    {
      baseUrl,
      log,
      // Our own request options replace the toolkit's, so keep its proxy-aware fetch underneath.
      request: { fetch: withTimeout(opts.fetch ?? toolkitFetch(), opts.timeoutMs ?? 30_000) },
      retry: { retries, retryAfterBaseValue: base },
      throttle: throttle as never,
    },
    retry,
    throttling,
  );
}

/** A RequestError-like failure: octokit errors carry the HTTP status. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
