/**
 * The examples' estimators, with scikit-learn's objectives so the fits can be checked against it:
 * logistic / softmax regression minimise mean log loss + ‖W‖² / (2·C·n) (intercepts unpenalised),
 * ridge minimises ‖y − Xw − b‖² + α‖w‖². X is expected standardised.
 */
import { minimise } from './lbfgs.js';
import type { MinimiseOptions, MinimiseResult } from './lbfgs.js';

export interface FitOptions extends MinimiseOptions {
  C: number;
}

export interface LinearFit {
  /** k×d weights (k = 1 for binary logistic). */
  weights: number[][];
  intercepts: number[];
  iterations: number;
  converged: boolean;
  objective: number;
}

function logistic(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function unpack(result: MinimiseResult, k: number, d: number): LinearFit {
  const w = result.x;
  return {
    weights: Array.from({ length: k }, (_, c) => w.slice(c * (d + 1), c * (d + 1) + d)),
    intercepts: Array.from({ length: k }, (_, c) => w[c * (d + 1) + d]!),
    iterations: result.iterations,
    converged: result.converged,
    objective: result.value,
  };
}

/** Binary logistic regression; labels must be 0 or 1. Parameters: [w_1..w_d, b]. */
export function fitLogistic(X: number[][], y: number[], options: FitOptions): LinearFit {
  const n = X.length;
  const d = X[0]!.length;
  const penalty = 1 / (options.C * n);
  const objective = (theta: number[]) => {
    const gradient = new Array<number>(d + 1).fill(0);
    let value = 0;
    for (let i = 0; i < n; i++) {
      const row = X[i]!;
      let z = theta[d]!;
      for (let j = 0; j < d; j++) z += theta[j]! * row[j]!;
      value += softplus(z) - y[i]! * z;
      const r = logistic(z) - y[i]!;
      for (let j = 0; j < d; j++) gradient[j]! += r * row[j]!;
      gradient[d]! += r;
    }
    value /= n;
    for (let j = 0; j <= d; j++) gradient[j]! /= n;
    for (let j = 0; j < d; j++) {
      value += 0.5 * penalty * theta[j]! ** 2;
      gradient[j]! += penalty * theta[j]!;
    }
    return { value, gradient };
  };
  return unpack(minimise(objective, new Array<number>(d + 1).fill(0), options), 1, d);
}

/** Multinomial (softmax) regression over classes 0..k-1. Parameters: k blocks of [w_1..w_d, b]. */
export function fitSoftmax(X: number[][], y: number[], k: number, options: FitOptions): LinearFit {
  const n = X.length;
  const d = X[0]!.length;
  const width = d + 1;
  const penalty = 1 / (options.C * n);
  const objective = (theta: number[]) => {
    const gradient = new Array<number>(k * width).fill(0);
    let value = 0;
    const z = new Array<number>(k);
    for (let i = 0; i < n; i++) {
      const row = X[i]!;
      for (let c = 0; c < k; c++) {
        let s = theta[c * width + d]!;
        for (let j = 0; j < d; j++) s += theta[c * width + j]! * row[j]!;
        z[c] = s;
      }
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
      value += lse - z[y[i]!]!;
      for (let c = 0; c < k; c++) {
        const r = Math.exp(z[c]! - lse) - (c === y[i] ? 1 : 0);
        for (let j = 0; j < d; j++) gradient[c * width + j]! += r * row[j]!;
        gradient[c * width + d]! += r;
      }
    }
    value /= n;
    for (let p = 0; p < gradient.length; p++) gradient[p]! /= n;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const t = theta[c * width + j]!;
        value += 0.5 * penalty * t * t;
        gradient[c * width + j]! += penalty * t;
      }
    }
    return { value, gradient };
  };
  return unpack(minimise(objective, new Array<number>(k * width).fill(0), options), k, d);
}

/** Solves the symmetric positive-definite system A·x = b by Cholesky decomposition. */
export function solveSpd(A: number[][], b: number[]): number[] {
  const n = b.length;
  const L = A.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i]![j]!;
      for (let p = 0; p < j; p++) s -= L[i]![p]! * L[j]![p]!;
      if (i === j) {
        if (s <= 0) throw new Error('the normal equations are singular; increase alpha');
        L[i]![i] = Math.sqrt(s);
      } else {
        L[i]![j] = s / L[j]![j]!;
      }
    }
  }
  const z = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= L[i]![p]! * z[p]!;
    z[i] = s / L[i]![i]!;
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let p = i + 1; p < n; p++) s -= L[p]![i]! * x[p]!;
    x[i] = s / L[i]![i]!;
  }
  return x;
}

/** Ridge regression in closed form on centred data. */
export function fitRidge(
  X: number[][],
  y: number[],
  alpha: number,
): { weights: number[]; intercept: number } {
  const n = X.length;
  const d = X[0]!.length;
  const xMean = Array.from({ length: d }, (_, j) => X.reduce((s, r) => s + r[j]!, 0) / n);
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  const A = Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => {
      let s = 0;
      for (const r of X) s += (r[a]! - xMean[a]!) * (r[b]! - xMean[b]!);
      return s + (a === b ? alpha : 0);
    }),
  );
  const rhs = Array.from({ length: d }, (_, a) =>
    X.reduce((s, r, i) => s + (r[a]! - xMean[a]!) * (y[i]! - yMean), 0),
  );
  const weights = solveSpd(A, rhs);
  const intercept = yMean - weights.reduce((s, w, j) => s + w * xMean[j]!, 0);
  return { weights, intercept };
}
