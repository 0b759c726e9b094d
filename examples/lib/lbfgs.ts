/**
 * Limited-memory BFGS with a backtracking Armijo line search: deterministic, dependency-free and
 * plenty for the examples' smooth convex objectives (tens of parameters).
 */
export interface Objective {
  (x: number[]): { value: number; gradient: number[] };
}

export interface MinimiseOptions {
  maxIter: number;
  /** Converged when the largest absolute gradient component is at most this. */
  tolerance: number;
  memory?: number;
  onIteration?: (iteration: number, value: number, gradNorm: number) => void;
}

export interface MinimiseResult {
  x: number[];
  value: number;
  gradNorm: number;
  iterations: number;
  converged: boolean;
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const maxAbs = (a: number[]) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

export function minimise(f: Objective, x0: number[], options: MinimiseOptions): MinimiseResult {
  const memory = options.memory ?? 10;
  let x = [...x0];
  let { value, gradient } = f(x);
  const history: { s: number[]; y: number[]; rho: number }[] = [];
  let iterations = 0;
  while (maxAbs(gradient) > options.tolerance && iterations < options.maxIter) {
    // Two-loop recursion: direction = -H·g with the implicit inverse-Hessian estimate.
    const q = [...gradient];
    const alphas: number[] = [];
    for (let i = history.length - 1; i >= 0; i--) {
      const h = history[i]!;
      const a = h.rho * dot(h.s, q);
      alphas[i] = a;
      for (let j = 0; j < q.length; j++) q[j]! -= a * h.y[j]!;
    }
    const last = history[history.length - 1];
    const gamma = last ? dot(last.s, last.y) / dot(last.y, last.y) : 1 / Math.max(1, maxAbs(gradient));
    for (let j = 0; j < q.length; j++) q[j]! *= gamma;
    for (let i = 0; i < history.length; i++) {
      const h = history[i]!;
      const b = h.rho * dot(h.y, q);
      for (let j = 0; j < q.length; j++) q[j]! += h.s[j]! * (alphas[i]! - b);
    }
    const direction = q.map((v) => -v);
    let slope = dot(gradient, direction);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      history.length = 0;
      for (let j = 0; j < direction.length; j++) direction[j] = -gradient[j]!;
      slope = dot(gradient, direction);
    }
    let step = 1;
    let next = f(x.map((v, j) => v + step * direction[j]!));
    while (next.value > value + 1e-4 * step * slope && step > 1e-12) {
      step /= 2;
      next = f(x.map((v, j) => v + step * direction[j]!));
    }
    if (step <= 1e-12) break;
    const s = direction.map((v) => step * v);
    const y = next.gradient.map((v, j) => v - gradient[j]!);
    const sy = dot(s, y);
    if (sy > 1e-12) {
      history.push({ s, y, rho: 1 / sy });
      if (history.length > memory) history.shift();
    }
    x = x.map((v, j) => v + s[j]!);
    value = next.value;
    gradient = next.gradient;
    iterations++;
    options.onIteration?.(iterations, value, maxAbs(gradient));
  }
  const gradNorm = maxAbs(gradient);
  return { x, value, gradNorm, iterations, converged: gradNorm <= options.tolerance };
}
