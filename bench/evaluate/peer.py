"""The evaluate benchmark's peer: the same six binary metrics and paired Poisson bootstrap of every
candidate - baseline delta, written the way a careful NumPy user would (vectorised, no sklearn call
per replicate), on the predictions the TypeScript side already computed (no inference here).

/usr/bin/python3 bench/evaluate/peer.py PREDS.csv [replicates] [seed] [out.json]
"""
import time

STARTED = time.perf_counter()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

METRICS = ["roc_auc", "pr_auc", "accuracy", "log_loss", "f1", "brier"]
MODELS = ["candidate", "baseline"]
# sklearn 1.2.1 log_loss(eps="auto") clips to the float64 machine epsilon.
EPS = np.finfo(np.float64).eps


def prepare(y, p):
    """Per-model state computed once: the descending score order with its tie groups, and the
    per-row quantities whose weighted sums give accuracy, log loss, brier and the f1 counts."""
    order = np.argsort(-p, kind="stable")
    sorted_p = p[order]
    # Last index of each run of equal scores: a tie group is one point of the ROC / PR curve.
    ends = np.append(np.flatnonzero(sorted_p[1:] != sorted_p[:-1]), len(p) - 1)
    predicted = p >= 0.5
    clipped = np.clip(p, EPS, 1 - EPS)
    columns = np.column_stack(
        [
            (predicted == (y == 1)).astype(np.float64),
            np.where(y == 1, -np.log(clipped), -np.log(1 - clipped)),
            (p - y) ** 2,
            (predicted & (y == 1)).astype(np.float64),  # true positives
            (predicted & (y == 0)).astype(np.float64),  # false positives
        ]
    )
    return {"order": order, "ends": ends, "y_sorted": y[order].astype(np.float64), "columns": columns}


def ranking_metrics(state, w):
    """Weighted ROC AUC (trapezoids, ties as one step) and average precision (sklearn's step sum)."""
    ws = w[state["order"]]
    ends = state["ends"]
    tp = np.cumsum(ws * state["y_sorted"])[ends]
    allw = np.cumsum(ws)[ends]
    fp = allw - tp
    positives, negatives = tp[-1], fp[-1]
    d_fp = np.diff(fp, prepend=0.0)
    tp_prev = np.concatenate(([0.0], tp[:-1]))
    auc = float(np.dot(d_fp, tp_prev + tp)) / (2.0 * positives * negatives)
    precision = np.divide(tp, allw, out=np.zeros_like(tp), where=allw != 0)
    ap = float(np.dot(tp - tp_prev, precision)) / positives
    return auc, ap


def all_metrics(states, sums, w):
    """The six metrics of each model from the weighted column sums (`sums`) and the weights."""
    total, positives = sums[0], sums[1]
    out = {}
    for m, name in enumerate(MODELS):
        correct, loss, brier, tp, fp = sums[2 + 5 * m : 7 + 5 * m]
        auc, ap = ranking_metrics(states[name], w)
        fn = positives - tp
        out[name] = {
            "roc_auc": auc,
            "pr_auc": ap,
            "accuracy": correct / total,
            "log_loss": loss / total,
            "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn > 0 else 0.0,
            "brier": brier / total,
        }
    return out


def main():
    path = sys.argv[1]
    replicates = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    out_path = sys.argv[4] if len(sys.argv) > 4 else None
    timings = {"imports": time.perf_counter() - STARTED}

    t = time.perf_counter()
    # round_trip: the scores were written in their shortest round-trip form; read them back exactly.
    df = pd.read_csv(
        path,
        float_precision="round_trip",
        dtype={"y": np.int64, "candidate": np.float64, "baseline": np.float64},
    )
    y = df["y"].to_numpy()
    scores = {name: df[name].to_numpy() for name in MODELS}
    n = len(y)
    timings["read"] = time.perf_counter() - t

    t = time.perf_counter()
    states = {name: prepare(y, scores[name]) for name in MODELS}
    # One n×12 matrix: a single matrix-vector product per replicate gives every weighted sum.
    matrix = np.ascontiguousarray(
        np.column_stack([np.ones(n), y.astype(np.float64)] + [states[m].pop("columns") for m in MODELS])
    )
    timings["prepare"] = time.perf_counter() - t

    t = time.perf_counter()
    ones = np.ones(n)
    point = all_metrics(states, ones @ matrix, ones)
    timings["metrics"] = time.perf_counter() - t

    t = time.perf_counter()
    rng = np.random.default_rng(seed)
    deltas = np.empty((replicates, len(METRICS)))
    for r in range(replicates):
        w = rng.poisson(1.0, n).astype(np.float64)
        values = all_metrics(states, w @ matrix, w)
        deltas[r] = [values["candidate"][k] - values["baseline"][k] for k in METRICS]
    timings["bootstrap"] = time.perf_counter() - t
    total = time.perf_counter() - STARTED
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Not timed: the point metrics must equal scikit-learn's on the full data.
    t = time.perf_counter()
    from sklearn import metrics as skm

    max_diff = 0.0
    for name in MODELS:
        p = scores[name]
        label = (p >= 0.5).astype(np.int64)
        reference = {
            "roc_auc": skm.roc_auc_score(y, p),
            "pr_auc": skm.average_precision_score(y, p),
            "accuracy": skm.accuracy_score(y, label),
            "log_loss": skm.log_loss(y, p),
            "f1": skm.f1_score(y, label),
            "brier": skm.brier_score_loss(y, p),
        }
        for k in METRICS:
            diff = abs(point[name][k] - reference[k])
            max_diff = max(max_diff, diff)
            assert diff <= 1e-9, f"{name} {k}: peer {point[name][k]!r} vs sklearn {reference[k]!r}"
    sklearn_check_seconds = time.perf_counter() - t

    ci = {}
    for j, k in enumerate(METRICS):
        low, high = np.percentile(deltas[:, j], [2.5, 97.5])
        ci[k] = {
            "delta": point["candidate"][k] - point["baseline"][k],
            "ci": [float(low), float(high)],
        }
    result = {
        "rows": n,
        "replicates": replicates,
        "seed": seed,
        "seconds": total,
        "timings": timings,
        "maxRssMB": max_rss_mb,
        "point": point,
        "deltas": ci,
        "sklearnMaxAbsDiff": max_diff,
        "sklearnCheckSeconds": sklearn_check_seconds,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "python": sys.version.split()[0],
    }
    if out_path:
        with open(out_path, "w") as f:
            json.dump(result, f, indent=2)
    print(
        f"peer: {n} rows, {replicates} replicates in {total:.2f} s "
        f"(read {timings['read']:.2f}, prepare {timings['prepare']:.2f}, bootstrap {timings['bootstrap']:.2f}); "
        f"max RSS {max_rss_mb:.0f} MB; metrics equal sklearn (max |diff| {max_diff:.1e})"
    )
    for k in METRICS:
        d = ci[k]
        print(f"peer {k:<9} delta {d['delta']:+.6f} ci [{d['ci'][0]:+.6f}, {d['ci'][1]:+.6f}]")


if __name__ == "__main__":
    main()
