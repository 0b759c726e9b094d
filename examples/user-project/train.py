"""Trains a logistic regression with NumPy and writes it as ONNX with the `onnx` package.

    python3 train.py --out artifacts/model.onnx [--epochs 300] [--lr 0.1] [--metrics FILE]

Outputs follow skl2onnx's names for a classifier exported without ZipMap: `label` (int64 [N]) and
`probabilities` (float [N, 2]); the input is `float_input` (float [N, features]). The last column
of data/train.csv is the label (0/1).
"""
import argparse
import csv
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], np.array(rows[1:], dtype=np.float64)
    return header, body[:, :-1], body[:, -1]


def train(x, y, epochs, lr):
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        w -= lr * (z.T @ (p - y) / len(y) + 1e-3 * w)
        b -= lr * float(np.mean(p - y))
    return mean, std, w, b


def to_onnx(mean, std, w, b, features):
    inits = [
        numpy_helper.from_array(np.asarray(mean, np.float32), "mean"),
        numpy_helper.from_array(np.asarray(std, np.float32), "std"),
        numpy_helper.from_array(np.asarray(w, np.float32).reshape(-1, 1), "w"),
        numpy_helper.from_array(np.asarray([b], np.float32), "b"),
        numpy_helper.from_array(np.asarray([1.0], np.float32), "one"),
        numpy_helper.from_array(np.asarray([0.5], np.float32), "half"),
        numpy_helper.from_array(np.asarray([-1], np.int64), "flat"),
    ]
    nodes = [
        helper.make_node("Sub", ["float_input", "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "std"], ["scaled"]),
        helper.make_node("MatMul", ["scaled", "w"], ["logit0"]),
        helper.make_node("Add", ["logit0", "b"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["p1"]),
        helper.make_node("Sub", ["one", "p1"], ["p0"]),
        helper.make_node("Concat", ["p0", "p1"], ["probabilities"], axis=1),
        helper.make_node("Reshape", ["p1", "flat"], ["p1_flat"]),
        helper.make_node("Greater", ["p1_flat", "half"], ["positive"]),
        helper.make_node("Cast", ["positive"], ["label"], to=TensorProto.INT64),
    ]
    graph = helper.make_graph(
        nodes,
        "logistic_regression",
        [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, ["N", features])],
        [
            helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2]),
        ],
        inits,
    )
    model = helper.make_model(graph, producer_name="user-project/train.py", opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="data/train.csv")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--metrics")
    args = ap.parse_args()
    header, x, y = load(args.data)
    mean, std, w, b = train(x, y, args.epochs, args.lr)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    onnx.save(to_onnx(mean, std, w, b, x.shape[1]), args.out)
    p = 1.0 / (1.0 + np.exp(-(((x - mean) / std) @ w + b)))
    accuracy = float(np.mean((p > 0.5) == (y == 1)))
    if args.metrics:
        with open(args.metrics, "w") as f:
            json.dump({"train_accuracy": accuracy}, f)
    print(f"trained on {len(y)} rows x {x.shape[1]} features ({header[-1]} is the label): train accuracy {accuracy:.4f} -> {args.out}")


if __name__ == "__main__":
    main()
