#!/usr/bin/python3
"""Writes the metric oracle fixtures the TypeScript tests compare against (to 1e-9).

Run with the system Python that has scikit-learn 1.2.1 and scipy:

    /usr/bin/python3 test/oracle/make_oracle.py && npx prettier --write test/oracle

For each fixture it writes <name>.csv (row key, label, each model's predictions, printed with
repr so they round-trip exactly) and <name>.json (every metric as scikit-learn computes it, the
confusion matrices, McNemar's exact p-value, and a small paired bootstrap computed by resampling
rows with np.repeat using the same Poisson(1) hash as packages/core/src/metrics/kernel.ts).
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import sklearn
from scipy.stats import binom, binomtest
from sklearn import metrics as M
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

assert sklearn.__version__ == "1.2.1", sklearn.__version__

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("MLOPS_DATASETS", "/work/shared/datasets")
THRESHOLD = 0.5
BOOT = {"replicates": 40, "level": 0.9, "seed": 7}

# ---- the bootstrap weight hash, mirrored from kernel.ts (uint32 arithmetic) ----
POISSON = [1580030169, 3160060337, 3950075422, 4213413783, 4279248374, 4292415292, 4294609778,
           4294923276, 4294962463, 4294966817, 4294967253, 4294967292, 4294967296]
U = np.uint64
MASK = U(0xFFFFFFFF)


def fmix32(h):
    # numpy mixes uint64 with Python ints into float64, so every constant is a np.uint64.
    h = np.asarray(h, dtype=np.uint64) & MASK
    h ^= h >> U(16)
    h = (h * U(0x85EBCA6B)) & MASK
    h ^= h >> U(13)
    h = (h * U(0xC2B2AE35)) & MASK
    h ^= h >> U(16)
    return h


def weights(keys, seed, rep):
    sh = fmix32(U(seed) ^ U(0x5BD1E995))
    kh = fmix32(fmix32(np.asarray(keys, dtype=np.uint64) ^ sh))
    rh = fmix32(((U(rep + 1) * U(0x9E3779B1)) & MASK) ^ sh)
    u = fmix32(kh ^ rh)
    return np.searchsorted(np.array(POISSON, dtype=np.uint64), u, side="right").astype(np.int64)


# ---- metrics, each by scikit-learn ----
def binary_metrics(y, s):
    pred = (s >= THRESHOLD).astype(int)
    out = {
        "accuracy": M.accuracy_score(y, pred),
        "balanced_accuracy": M.balanced_accuracy_score(y, pred),
        "precision": M.precision_score(y, pred, zero_division=0),
        "recall": M.recall_score(y, pred, zero_division=0),
        "f1": M.f1_score(y, pred, zero_division=0),
        "pr_auc": M.average_precision_score(y, s),
        "log_loss": M.log_loss(y, s, labels=[0, 1]),
        "brier": M.brier_score_loss(y, s),
        "mcc": M.matthews_corrcoef(y, pred),
    }
    out["roc_auc"] = M.roc_auc_score(y, s) if len(np.unique(y)) == 2 else None
    return out, M.confusion_matrix(y, pred, labels=[0, 1]), pred


def multiclass_metrics(y, p, k):
    pred = np.argmax(p, axis=1)
    out = {
        "accuracy": M.accuracy_score(y, pred),
        "balanced_accuracy": M.balanced_accuracy_score(y, pred),
        "mcc": M.matthews_corrcoef(y, pred),
        "log_loss": M.log_loss(y, p, labels=list(range(k))),
    }
    for avg in ("macro", "weighted"):
        out[f"precision_{avg}"] = M.precision_score(y, pred, average=avg, zero_division=0)
        out[f"recall_{avg}"] = M.recall_score(y, pred, average=avg, zero_division=0)
        out[f"f1_{avg}"] = M.f1_score(y, pred, average=avg, zero_division=0)
    per_class = M.recall_score(y, pred, labels=list(range(k)), average=None, zero_division=0)
    for c in range(k):
        out[f"recall_class_{c}"] = per_class[c]
    return out, M.confusion_matrix(y, pred, labels=list(range(k))), pred


def regression_metrics(y, v):
    return {
        "rmse": M.mean_squared_error(y, v, squared=False),
        "mse": M.mean_squared_error(y, v),
        "mae": M.mean_absolute_error(y, v),
        "r2": M.r2_score(y, v),
        "mape": M.mean_absolute_percentage_error(y, v),
        "median_absolute_error": M.median_absolute_error(y, v),
    }, None, None


def score(task, y, p, k):
    if task == "binary-classification":
        return binary_metrics(y, p)
    if task == "multiclass-classification":
        return multiclass_metrics(y, p, k)
    return regression_metrics(y, p)


def paired_bootstrap(task, keys, y, cand, base, k):
    deltas = {}
    for rep in range(BOOT["replicates"]):
        w = weights(keys, BOOT["seed"], rep)
        yr = np.repeat(y, w)
        mc, _, _ = score(task, yr, np.repeat(cand, w, axis=0), k)
        mb, _, _ = score(task, yr, np.repeat(base, w, axis=0), k)
        for name in mc:
            a, b = mc[name], mb[name]
            deltas.setdefault(name, []).append(np.nan if a is None or b is None else a - b)
    alpha = (1 - BOOT["level"]) / 2
    out = {}
    for name, d in deltas.items():
        d = np.array(d, dtype=float)
        d = d[np.isfinite(d)]
        out[name] = {"ci": [float(np.percentile(d, 100 * alpha)), float(np.percentile(d, 100 * (1 - alpha)))],
                     "valid": int(d.size)}
    return out


def mcnemar_p(b, c):
    n, lo = b + c, min(b, c)
    scipy_p = binomtest(lo, n, 0.5).pvalue if n > 0 else 1.0
    statsmodels_p = min(1.0, 2 * binom.cdf(lo, n, 0.5))  # statsmodels' exact formula
    assert abs(scipy_p - statsmodels_p) < 1e-12, (b, c, scipy_p, statsmodels_p)
    return float(scipy_p)


def clean(v):
    if v is None:
        return None
    return float(v)


def write(name, task, keys, y, cand, base, k=None):
    cols = {"key": keys, "y": y}
    for label, p in (("candidate", cand), ("baseline", base)):
        if p.ndim == 2:
            for c in range(p.shape[1]):
                cols[f"{label}_{c}"] = p[:, c]
        else:
            cols[label] = p
    header = list(cols)
    with open(os.path.join(HERE, f"{name}.csv"), "w") as f:
        f.write(",".join(header) + "\n")
        for i in range(len(y)):
            cells = []
            for h in header:
                v = cols[h][i]
                integral = h == "key" or (h == "y" and task != "regression")
                cells.append(str(int(v)) if integral else repr(float(v)))
            f.write(",".join(cells) + "\n")
    out = {"task": task, "k": k, "threshold": THRESHOLD, "rows": int(len(y)), "metrics": {}, "confusion": {}}
    preds = {}
    for label, p in (("candidate", cand), ("baseline", base)):
        m, cm, pred = score(task, y, p, k)
        out["metrics"][label] = {key: clean(v) for key, v in m.items()}
        if cm is not None:
            out["confusion"][label] = cm.tolist()
            preds[label] = pred
    if preds:
        ok_c = preds["candidate"] == y
        ok_b = preds["baseline"] == y
        b, c = int(np.sum(ok_c & ~ok_b)), int(np.sum(~ok_c & ok_b))
        out["mcnemar"] = {"b": b, "c": c, "pValue": mcnemar_p(b, c)}
    out["bootstrap"] = dict(BOOT, deltas=paired_bootstrap(task, keys, y, cand, base, k))
    with open(os.path.join(HERE, f"{name}.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


def split(df, label, stratify=True):
    X = df.drop(columns=[label])
    y = df[label].to_numpy()
    idx = np.arange(len(df))
    tr, te = train_test_split(idx, test_size=0.5, random_state=0, stratify=y if stratify else None)
    return X, y, tr, te


def breast_cancer():
    df = pd.read_csv(os.path.join(DATA, "breast_cancer.csv"))
    X, y, tr, te = split(df, "malignant")
    cand = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X.iloc[tr], y[tr])
    weak = ["mean_texture", "mean_smoothness"]
    base = LogisticRegression(max_iter=1000).fit(X.iloc[tr][weak], y[tr])
    write("breast_cancer", "binary-classification", te, y[te],
          cand.predict_proba(X.iloc[te])[:, 1], base.predict_proba(X.iloc[te][weak])[:, 1])


def wine():
    df = pd.read_csv(os.path.join(DATA, "wine.csv"))
    X, y, tr, te = split(df, "cultivar")
    cand = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X.iloc[tr], y[tr])
    # A stump predicts two of the three classes: a class never predicted, tied probabilities.
    base = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X.iloc[tr], y[tr])
    write("wine", "multiclass-classification", te, y[te],
          cand.predict_proba(X.iloc[te]), base.predict_proba(X.iloc[te]), k=3)


def diabetes():
    df = pd.read_csv(os.path.join(DATA, "diabetes.csv"))
    X, y, tr, te = split(df, "progression", stratify=False)
    y = y.astype(float)
    cand = Ridge(alpha=1.0).fit(X.iloc[tr], y[tr])
    base = LinearRegression().fit(X.iloc[tr][["bmi"]], y[tr])
    write("diabetes", "regression", te, y[te], cand.predict(X.iloc[te]), base.predict(X.iloc[te][["bmi"]]))


def edge_cases():
    rng = np.random.default_rng(3)
    n = 60
    y = rng.integers(0, 2, n)
    # Scores on a 0.1 grid (many ties), with exact 0, 0.5 and 1 (clipping and the >= threshold).
    cand = np.clip(np.round(0.35 * y + rng.random(n) * 0.65, 1), 0, 1)
    cand[:4] = [0.0, 1.0, 0.5, 0.5]
    # Never predicts class 1: precision and F1 divide by zero (0 in sklearn), MCC is 0.
    base = np.round(rng.random(n) * 0.4, 1)
    write("edge_binary", "binary-classification", np.arange(n) * 3 + 11, y, cand, base)

    # Four classes: class 3 is in y but never predicted; ties in probabilities (argmax takes the first).
    k = 4
    y = rng.integers(0, k, n)
    cand = np.zeros((n, k))
    cand[np.arange(n), np.minimum(y, 2)] = 0.6
    cand[:, 0] += 0.2
    cand = cand / cand.sum(axis=1, keepdims=True)
    cand[:5] = [[0.5, 0.5, 0, 0], [0, 0.5, 0.5, 0], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25], [0, 0, 1, 0]]
    base = np.tile([0.4, 0.3, 0.2, 0.1], (n, 1))
    base[::3] = [0.1, 0.3, 0.4, 0.2]
    write("edge_multiclass", "multiclass-classification", np.arange(n), y, cand, base, k=k)

    # Regression with zero targets (MAPE divides by machine epsilon) and an even row count.
    y = np.round(rng.normal(0, 2, n), 1)
    y[:6] = 0.0
    cand = y + np.round(rng.normal(0, 1, n), 1)
    base = np.full(n, float(np.mean(y)))
    write("edge_regression", "regression", np.arange(n), y, cand, base)


def mcnemar_cases():
    pairs = [(0, 0), (5, 5), (0, 10), (3, 12), (12, 3), (40, 61), (480, 530), (10000, 10300), (99999, 101000)]
    cases = [{"b": b, "c": c, "pValue": mcnemar_p(b, c)} for b, c in pairs]
    with open(os.path.join(HERE, "mcnemar.json"), "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    breast_cancer()
    wine()
    diabetes()
    edge_cases()
    mcnemar_cases()
    print("wrote oracle fixtures to", HERE, file=sys.stderr)
