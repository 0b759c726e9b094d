/**
 * Sorting float64 samples: an LSD radix sort on the IEEE-754 bits (16-bit digits, passes whose
 * digit is the same for every key skipped), several times faster than TypedArray#sort on the
 * million-row columns drift compares. NaN must already be removed.
 */
const SMALL = 4096;

export function sortFloat64(x: Float64Array): Float64Array {
  const n = x.length;
  if (n < SMALL) return x.sort();
  let src: Uint32Array = new Uint32Array(x.buffer, x.byteOffset, n * 2);
  // Map the bits to unsigned keys that order like the numbers: flip every bit of negatives, the sign of the rest.
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1]!;
    if (hi & 0x80000000) {
      src[2 * i + 1] = ~hi;
      src[2 * i] = ~src[2 * i]!;
    } else src[2 * i + 1] = hi | 0x80000000;
  }
  let dst: Uint32Array = new Uint32Array(n * 2);
  const counts = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(src[2 * i + word]! >>> shift) & 0xffff]!++;
    if (counts[(src[word]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const lo = src[2 * i]!;
      const hi = src[2 * i + 1]!;
      const pos = counts[((word ? hi : lo) >>> shift) & 0xffff]!++;
      dst[2 * pos] = lo;
      dst[2 * pos + 1] = hi;
    }
    [src, dst] = [dst, src];
  }
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1]!;
    if (hi & 0x80000000) src[2 * i + 1] = hi & 0x7fffffff;
    else {
      src[2 * i + 1] = ~hi;
      src[2 * i] = ~src[2 * i]!;
    }
  }
  return new Float64Array(src.buffer, src.byteOffset, n);
}
