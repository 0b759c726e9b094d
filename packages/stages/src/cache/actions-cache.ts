import type { Logger } from '@mlops-actions/core';
import type { ModelCache } from './types.js';

export interface ActionsCacheOptions {
  /** Prepended to every key, so train entries are recognisable in the repository's cache list. */
  prefix?: string;
  log?: Pick<Logger, 'info' | 'warn'>;
}

/**
 * The GitHub Actions cache service through `@actions/cache`. Loaded lazily so the CLI does not pay
 * for the toolkit when it uses a local cache. Outside a runner (no cache service URL) a restore is a
 * miss and a save is skipped, with a note in the log.
 */
export class ActionsCache implements ModelCache {
  private readonly prefix: string;
  private readonly log: Pick<Logger, 'info' | 'warn'> | undefined;

  constructor(options: ActionsCacheOptions = {}) {
    this.prefix = options.prefix ?? 'mlops-train-';
    this.log = options.log;
  }

  async restore(key: string, paths: string[]): Promise<boolean> {
    const cache = await import('@actions/cache');
    if (!cache.isFeatureAvailable()) {
      this.log?.info('GitHub Actions cache service is not available here; treating as a cache miss');
      return false;
    }
    const fullKey = this.prefix + key;
    // The service matches keys by prefix; only the exact key is the same training run.
    const matched = await cache.restoreCache(paths, fullKey);
    return matched === fullKey;
  }

  async save(key: string, paths: string[]): Promise<void> {
    const cache = await import('@actions/cache');
    if (!cache.isFeatureAvailable()) {
      this.log?.info('GitHub Actions cache service is not available here; not saving the model');
      return;
    }
    try {
      await cache.saveCache(paths, this.prefix + key);
    } catch (err) {
      // Another job of the same workflow saved this key first; the entry it saved is equivalent.
      if (err instanceof Error && err.name === 'ReserveCacheError') {
        this.log?.info(`cache entry ${this.prefix + key} already exists: ${err.message}`);
        return;
      }
      throw err;
    }
  }
}
