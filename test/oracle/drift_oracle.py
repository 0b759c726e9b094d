#!/usr/bin/python3
"""Oracle for the drift statistics: scipy (Debian python3-scipy) plus Evidently's constructions
(legacy/calculations/stattests: chisquare, jensenshannon, psi, wasserstein_distance_norm, z,
utils.get_binned_data) re-stated here, since Evidently itself is not installed.

Reads one JSON document on stdin: {"cases": [...]} and writes {"results": [...]} on stdout.
A case is {"op": ..., ...}:
  ks        {a, b}             -> scipy.stats.ks_2samp(a, b) (method 'auto'): [statistic, pvalue]
  wasserstein {a, b}           -> scipy.stats.wasserstein_distance(a, b)
  wnorm     {a, b}             -> Evidently's normed Wasserstein distance
  chisquare {a, b}             -> Evidently's chi-square p-value (expected from reference shares)
  z         {a, b}             -> Evidently's z-test p-value
  js        {a, b, numeric}    -> Evidently's Jensen-Shannon distance (binned)
  psi       {a, b, numeric}    -> Evidently's PSI (binned, zeros filled)
  kstwo_sf  {n, x}             -> scipy.stats.kstwo.sf(x, n)
  chi2_sf   {x, df}            -> scipy.stats.chi2.sf(x, df)
  files     {reference, current, columns} -> per column, all of the above on the CSV files
            (pandas, NaN dropped as Evidently does), {column: {ks: [d, p], wasserstein, wnorm,
            js, psi, chisquare, n_unique}}
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance


def binned(ref, cur, numeric, fill):
    ref = pd.Series(ref).dropna()
    cur = pd.Series(cur).dropna()
    if numeric and ref.nunique() > 20:
        bins = np.histogram_bin_edges(pd.concat([ref, cur], axis=0).values, bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(set(ref.unique()) | set(cur.unique()))
        rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
        cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
        r = np.array([rd[k] / len(ref) for k in keys])
        c = np.array([cd[k] / len(cur) for k in keys])
    if fill:
        for arr in (r, c):
            m = min(arr[arr != 0])
            np.place(arr, arr == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c


def chisq(ref, cur):
    ref = pd.Series(ref).dropna()
    cur = pd.Series(cur).dropna()
    keys = list(set(ref.unique()) | set(cur.unique()))
    rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
    cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
    k = cur.shape[0] / ref.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(stats.chisquare([cd[x] for x in keys], [rd[x] * k for x in keys])[1])


def ztest(ref, cur):
    ref = pd.Series(ref).dropna()
    cur = pd.Series(cur).dropna()
    if ref.nunique() == 1 and cur.nunique() == 1 and ref.unique()[0] == cur.unique()[0]:
        return 1.0
    keys = sorted(set(ref.unique()) | set(cur.unique()))
    r = ref.apply(lambda x: 0 if x == keys[0] else 1)
    c = cur.apply(lambda x: 0 if x == keys[0] else 1)
    n1, n2 = len(r), len(c)
    p1 = float(sum(r)) / n1
    p2 = float(sum(c)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return float(2 * (1 - stats.norm.cdf(np.abs(z))))


def wnorm(ref, cur):
    norm = max(np.std(ref), 0.001)
    return float(stats.wasserstein_distance(ref, cur) / norm)


def js(ref, cur, numeric):
    r, c = binned(ref, cur, numeric, False)
    return float(distance.jensenshannon(r, c))


def psi(ref, cur, numeric):
    r, c = binned(ref, cur, numeric, True)
    return float(np.sum((r - c) * np.log(r / c)))


def run(case):
    op = case["op"]
    if op == "ks":
        res = stats.ks_2samp(np.asarray(case["a"], float), np.asarray(case["b"], float))
        return [float(res.statistic), float(res.pvalue)]
    if op == "wasserstein":
        return float(stats.wasserstein_distance(case["a"], case["b"]))
    if op == "wnorm":
        return wnorm(np.asarray(case["a"], float), np.asarray(case["b"], float))
    if op == "chisquare":
        return chisq(case["a"], case["b"])
    if op == "z":
        return ztest(case["a"], case["b"])
    if op == "js":
        return js(case["a"], case["b"], case.get("numeric", True))
    if op == "psi":
        return psi(case["a"], case["b"], case.get("numeric", True))
    if op == "kstwo_sf":
        return float(stats.kstwo.sf(case["x"], case["n"]))
    if op == "chi2_sf":
        return float(stats.chi2.sf(case["x"], case["df"]))
    if op == "files":
        ref = pd.read_csv(case["reference"])
        cur = pd.read_csv(case["current"])
        out = {}
        for col in case["columns"]:
            r = ref[col].replace([np.inf, -np.inf], np.nan).dropna()
            c = cur[col].replace([np.inf, -np.inf], np.nan).dropna()
            numeric = pd.api.types.is_numeric_dtype(r)
            entry = {"n_unique": int(pd.concat([r, c]).nunique())}
            if numeric:
                ks = stats.ks_2samp(r.values, c.values)
                entry["ks"] = [float(ks.statistic), float(ks.pvalue)]
                entry["wasserstein"] = float(stats.wasserstein_distance(r.values, c.values))
                entry["wnorm"] = wnorm(r.values, c.values)
            entry["js"] = js(r, c, numeric)
            entry["psi"] = psi(r, c, numeric)
            entry["chisquare"] = chisq(r, c)
            out[col] = entry
        return out
    raise ValueError(f"unknown op {op}")


def main():
    doc = json.load(sys.stdin)
    results = [run(c) for c in doc["cases"]]
    json.dump({"results": results}, sys.stdout, allow_nan=True)


if __name__ == "__main__":
    main()
