import { InputError, UsageError } from '@mlops-actions/core';
import { kernel } from '../kernel.js';

const f64 = new Float64Array(1);
const words = new Uint32Array(f64.buffer);

/**
 * Per-row hash of (seed, row key), the only per-row input of a replicate's weights. Integer keys
 * in [0, 2^32) hash the same whether given as Uint32Array, Float64Array or the default row index,
 * so shards that carry their global row numbers reproduce the unsharded weights.
 */
export function rowKeyHashes(
  n: number,
  seed: number,
  rowKeys?: Float64Array | Uint32Array,
  source?: string,
): Uint32Array {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UsageError(`bootstrap seed must be an integer in 0..4294967295, got ${seed}`);
  }
  const sh = kernel.seedHash(seed);
  const out = new Uint32Array(new SharedArrayBuffer(4 * n));
  if (!rowKeys) {
    for (let i = 0; i < n; i++) out[i] = kernel.keyHash(i, 0, sh);
    return out;
  }
  const where = source ? `${source}: ` : '';
  if (rowKeys.length !== n) {
    throw new InputError(`${where}row keys have ${rowKeys.length} entries but there are ${n} rows`);
  }
  const sorted = Float64Array.from(rowKeys).sort();
  for (let i = 1; i < n; i++) {
    if (sorted[i] === sorted[i - 1]) {
      throw new InputError(`${where}row key ${sorted[i]} appears more than once; row keys must be unique`);
    }
  }
  for (let i = 0; i < n; i++) {
    const key = rowKeys[i] as number;
    if (Number.isInteger(key) && key >= 0 && key <= 0xffffffff) {
      out[i] = kernel.keyHash(key, 0, sh);
    } else if (Number.isFinite(key)) {
      f64[0] = key;
      out[i] = kernel.keyHash(words[0] as number, words[1] as number, sh);
    } else {
      throw new InputError(`${where}row key at row ${i} is not a finite number: ${key}`);
    }
  }
  return out;
}
