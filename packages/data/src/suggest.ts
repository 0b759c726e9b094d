function normalize(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]+/g, '');
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to a mistyped name, if one is close enough to be a likely typo. */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  const target = normalize(name);
  const allowed = Math.max(2, Math.floor(target.length / 3));
  // The distance is at least the length difference; skipping those keeps a megabyte header name
  // from costing a quadratic comparison.
  if (target.length > 200) return undefined;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const other = normalize(c);
    if (Math.abs(other.length - target.length) > allowed) continue;
    const score = distance(target, other);
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return bestScore <= allowed ? best : undefined;
}
