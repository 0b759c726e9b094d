#!/usr/bin/python3
"""The scipy peer: the same statistics on the same files (pandas read_csv, then per feature
ks_2samp, wasserstein_distance and its normed form, and Evidently's Jensen-Shannon and PSI)."""
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test", "oracle"))
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from drift_oracle import js, psi, wnorm  # noqa: E402

ref_path, cur_path = sys.argv[1], sys.argv[2]
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


c0 = cpu()
t0 = time.perf_counter()
ref = pd.read_csv(ref_path)
cur = pd.read_csv(cur_path)
t1 = time.perf_counter()
c1 = cpu()
out = {}
for col in ref.columns:
    r = ref[col].dropna()
    c = cur[col].dropna()
    ks = stats.ks_2samp(r.values, c.values)
    out[col] = {
        "ks": [float(ks.statistic), float(ks.pvalue)],
        "wasserstein": float(stats.wasserstein_distance(r.values, c.values)),
        "wnorm": wnorm(r.values, c.values),
        "js": js(r, c, True),
        "psi": psi(r, c, True),
    }
t2 = time.perf_counter()
c2 = cpu()
print(json.dumps({
    "tool": "scipy " + __import__("scipy").__version__ + " / pandas " + pd.__version__,
    "readSeconds": t1 - t0,
    "statsSeconds": t2 - t1,
    "totalSeconds": t2 - t0,
    "readCpuSeconds": c1 - c0,
    "totalCpuSeconds": c2 - c0,
    "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "f0": out["f0"],
}))
