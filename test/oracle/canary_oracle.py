"""Oracle for the canary judge (packages/deploy/src/stats): reads cases as JSON on stdin, writes
results as JSON on stdout. Computed independently with scipy/numpy: scipy's mannwhitneyu for U and
p, numpy's full matrix of pairwise differences for the Hodges-Lehmann estimate and its interval,
scipy.stats.norm for the two-proportion z test and Newcombe's interval."""
import json
import math
import sys

import numpy as np
from scipy import stats


def expand(sample):
    if isinstance(sample, dict):
        return np.repeat(np.asarray(sample["values"], float), np.asarray(sample["counts"], int))
    return np.asarray(sample, float)


def mann_whitney(case):
    x, y = expand(case["x"]), expand(case["y"])
    out = {}
    for alt in ("two-sided", "greater", "less"):
        r = stats.mannwhitneyu(x, y, alternative=alt, method="asymptotic", use_continuity=True)
        out[alt] = {"u": float(r.statistic), "p": float(r.pvalue)}
    level = case.get("level", 0.98)
    d = np.sort(np.subtract.outer(x, y).ravel())
    n = d.size
    est = float(np.median(d))
    z = stats.norm.ppf(1 - (1 - level) / 2)
    k = math.floor(n / 2 - z * math.sqrt(len(x) * len(y) * (len(x) + len(y) + 1) / 12))
    ci = [float(d[k - 1]), float(d[n - k])] if k >= 1 else [None, None]
    out["hl"] = {"estimate": est, "ci": ci, "k": k}
    return out


def wilson(s, n, z):
    p = s / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion(case):
    e1, n1, e2, n2 = case["e1"], case["n1"], case["e2"], case["n2"]
    level = case.get("level", 0.98)
    p1, p2 = e1 / n1, e2 / n2
    pooled = (e1 + e2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se if se > 0 else 0.0
    zc = stats.norm.ppf(1 - (1 - level) / 2)
    l1, u1 = wilson(e1, n1, zc)
    l2, u2 = wilson(e2, n2, zc)
    d = p1 - p2
    return {
        "z": z,
        "pGreater": float(stats.norm.sf(z)) if se > 0 else 1.0,
        "p": float(min(1.0, 2 * stats.norm.sf(abs(z)))) if se > 0 else 1.0,
        "ci": [d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)],
    }


def normal(case):
    return {"sf": [float(stats.norm.sf(z)) for z in case["z"]], "ppf": [float(stats.norm.ppf(p)) for p in case["p"]]}


KINDS = {"mann-whitney": mann_whitney, "two-proportion": two_proportion, "normal": normal}

cases = json.load(sys.stdin)
json.dump([KINDS[c["kind"]](c) for c in cases], sys.stdout)
