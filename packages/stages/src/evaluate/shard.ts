import { UsageError } from '@mlops-actions/core';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 1, count: 1 };

/** Parses `--shard 2/4`. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be i/n with 1 <= i <= n (e.g. 2/4), got '${text}'`);
  }
  return { index, count };
}

/** Contiguous rows [start, end) of a shard: every shard reads the file, each scores its own part. */
export function shardRange(rows: number, shard: Shard): [number, number] {
  const start = Math.floor(((shard.index - 1) * rows) / shard.count);
  const end = Math.floor((shard.index * rows) / shard.count);
  return [start, end];
}
