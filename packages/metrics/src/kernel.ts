/**
 * The weighted metric kernel: every metric as a function of per-row integer weights (all ones for
 * a point estimate, Poisson(1) draws for a bootstrap replicate), over per-row quantities that
 * `prepare.ts` computes once. One code path for both means a replicate with all weights 1 is the
 * point estimate, bit for bit.
 *
 * `createKernel` must stay self-contained (no imports, no outer references): the bootstrap ships
 * its source text to worker threads (`new Worker(src, { eval: true })`), because an ncc bundle
 * cannot carry a separate worker file. Weights are small integers, so confusion counts, AUC areas
 * and tie-group sums are exact and independent of row order.
 */

/** Numeric codes of metrics inside the kernel; must match the `switch` in `finalize`. */
export const METRIC = {
  accuracy: 1,
  balancedAccuracy: 2,
  precision: 3,
  recall: 4,
  f1: 5,
  rocAuc: 6,
  prAuc: 7,
  logLoss: 8,
  brier: 9,
  mcc: 10,
  precisionMacro: 11,
  recallMacro: 12,
  f1Macro: 13,
  precisionWeighted: 14,
  recallWeighted: 15,
  f1Weighted: 16,
  recallClass: 17,
  rmse: 20,
  mse: 21,
  mae: 22,
  r2: 23,
  mape: 24,
  medianAe: 25,
} as const;

/** Task codes inside the kernel. */
export const KIND = { binary: 0, multiclass: 1, regression: 2 } as const;

/** Which per-row quantities a model carries (bit flags of `KernelModel.needs`). */
export const NEED = { logLoss: 1, brier: 2, rank: 4, regression: 8, r2: 16 } as const;

/** Per-row quantities of one model; every array is SharedArrayBuffer-backed so workers share it. */
export interface KernelModel {
  kind: number;
  n: number;
  /** Classes (2 for binary, 0 for regression). */
  k: number;
  needs: number;
  /** Multiclass: y * k + predicted class. */
  cell: Int32Array;
  /** Binary: bit 0 y = 1, bit 1 predicted 1, bit 2 last row of a group of tied scores. */
  flags: Uint8Array;
  /** Per-row log loss (clipped and renormalised as sklearn 1.2.1 does). */
  ll: Float64Array;
  /** Per-row squared error of the positive-class probability. */
  brier: Float64Array;
  /**
   * Original row index of each stored row. Rows are stored by descending score (binary, for
   * ROC/PR curves), by ascending |error| (regression median), else in input order.
   */
  order: Uint32Array;
  /** Key hash of each stored row (bootstrap only; empty for a point estimate). */
  kh: Uint32Array;
  /** Regression labels and prediction - label. */
  y: Float64Array;
  err: Float64Array;
  /** Regression: |error| / max(|y|, machine epsilon). */
  ape: Float64Array;
}

/** A range of replicates to compute, with the metrics to report. */
export interface KernelJob {
  models: KernelModel[];
  seedHash: number;
  codes: Int32Array;
  classes: Int32Array;
  repStart: number;
  repEnd: number;
  /** [replicate][model][metric], length replicates × models × metrics. */
  out: Float64Array;
}

export function createKernel() {
  // Poisson(1) CDF × 2^32, rounded: weight = number of thresholds <= a uniform 32-bit draw.
  const POISSON = [
    1580030169, 3160060337, 3950075422, 4213413783, 4279248374, 4292415292, 4294609778, 4294923276,
    4294962463, 4294966817, 4294967253, 4294967292, 4294967296,
  ];
  const STATS = 12;

  // murmur3's 32-bit finaliser: a cheap bijection with full avalanche.
  function fmix32(x: number): number {
    let h = x | 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  function seedHash(seed: number): number {
    return fmix32((seed >>> 0) ^ 0x5bd1e995);
  }

  /** Hash of a row key given as two 32-bit words (hi = 0 for integer keys). */
  function keyHash(lo: number, hi: number, sh: number): number {
    return fmix32(fmix32((lo >>> 0) ^ sh) ^ (hi >>> 0));
  }

  function replicateHash(rep: number, sh: number): number {
    return fmix32(Math.imul(rep + 1, 0x9e3779b1) ^ sh);
  }

  function poissonSlow(h: number): number {
    const u = h >>> 0;
    let k = 0;
    while (u >= (POISSON[k] as number)) k++;
    return k;
  }

  // Weight by the top 12 bits of the draw; 255 marks the few buckets a threshold cuts through.
  // A lookup instead of a compare loop avoids one branch misprediction per row.
  const BUCKET = new Uint8Array(4096);
  for (let b = 0; b < 4096; b++) {
    const lo = poissonSlow(b * 1048576);
    BUCKET[b] = lo === poissonSlow(b * 1048576 + 1048575) ? lo : 255;
  }

  /** Poisson(1) weight of the row whose key hash is `kh` in the replicate whose hash is `rh`. */
  function weightOf(kh: number, rh: number): number {
    let h = kh ^ rh;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const k = BUCKET[h >>> 20] as number;
    return k === 255 ? poissonSlow(h) : k;
  }

  /**
   * Sufficient statistics of one model in one replicate (S[0..11] sums, S[12..] confusion counts).
   * Rows are stored in the model's own processing order (by score for ranking metrics), so one
   * sequential pass draws each row's weight from its key hash and accumulates everything.
   */
  function modelStats(m: KernelModel, unit: boolean, rh: number, S: Float64Array, w: Uint8Array): void {
    S.fill(0);
    if (m.kind === 0) binaryStats(m, unit, rh, S);
    else if (m.kind === 1) multiclassStats(m, unit, rh, S);
    else regressionStats(m, unit, rh, S, w);
  }

  // Accumulators start at -0 (a heap number, not a small integer): V8 then keeps them as doubles
  // instead of integers with overflow checks, which made the ranking pass 2-3 times slower. No
  // branch depends on a row's weight or label: a weight is 0 for 37% of rows at random, and a
  // mispredicted branch costs more than adding an exact zero.
  function binaryStats(m: KernelModel, unit: boolean, rh: number, S: Float64Array): void {
    const n = m.n;
    const kh = m.kh;
    const flags = m.flags;
    const ll = m.ll;
    const br = m.brier;
    const useLL = (m.needs & 1) !== 0;
    const useBrier = (m.needs & 2) !== 0;
    const bucket = BUCKET;
    let sumW = -0;
    let pos = -0;
    let predPos = -0;
    let truePos = -0;
    let sumLL = -0;
    let sumBrier = -0;
    let tpPrev = -0;
    let fpPrev = -0;
    let area2 = -0;
    let ap = -0;
    for (let j = 0; j < n; j++) {
      // weightOf, inlined by hand: this loop is the bootstrap's hot path.
      let wj = 1;
      if (!unit) {
        let h = (kh[j] as number) ^ rh;
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= h >>> 16;
        wj = bucket[h >>> 20] as number;
        if (wj === 255) wj = poissonSlow(h);
      }
      const f = flags[j] as number;
      const pw = wj * (f & 1);
      const predicted = (f >> 1) & 1;
      sumW += wj;
      pos += pw;
      predPos += wj * predicted;
      truePos += pw * predicted;
      if (useLL) sumLL += wj * (ll[j] as number);
      if (useBrier) sumBrier += wj * (br[j] as number);
      // Last row of a tie group: ROC and PR curves get a point only where the score changes. A
      // group whose rows all drew weight 0 adds exact zeros (sumW is 0 only before any drawn row).
      if ((f & 4) !== 0) {
        const fp = sumW - pos;
        area2 += (fp - fpPrev) * (pos + tpPrev);
        ap += (pos - tpPrev) * (pos / (sumW || 1));
        tpPrev = pos;
        fpPrev = fp;
      }
    }
    const neg = sumW - pos;
    S[0] = sumW;
    S[1] = sumLL;
    S[2] = sumBrier;
    S[3] = pos > 0 && neg > 0 ? area2 / (2 * pos * neg) : NaN;
    // sklearn 1.2.1 sets recall to 1 when there is no positive row, so AP is -0 there.
    S[4] = pos > 0 ? ap / pos : -0;
    S[STATS] = neg - (predPos - truePos);
    S[STATS + 1] = predPos - truePos;
    S[STATS + 2] = pos - truePos;
    S[STATS + 3] = truePos;
  }

  function multiclassStats(m: KernelModel, unit: boolean, rh: number, S: Float64Array): void {
    const n = m.n;
    const kh = m.kh;
    const cell = m.cell;
    const ll = m.ll;
    const useLL = (m.needs & 1) !== 0;
    let sumW = -0;
    let sumLL = -0;
    for (let j = 0; j < n; j++) {
      const wj = unit ? 1 : weightOf(kh[j] as number, rh);
      sumW += wj;
      const at = STATS + (cell[j] as number);
      S[at] = (S[at] as number) + wj;
      if (useLL) sumLL += wj * (ll[j] as number);
    }
    S[0] = sumW;
    S[1] = sumLL;
  }

  function regressionStats(m: KernelModel, unit: boolean, rh: number, S: Float64Array, w: Uint8Array): void {
    const n = m.n;
    const kh = m.kh;
    const err = m.err;
    const ape = m.ape;
    const y = m.y;
    const keep = (m.needs & (4 | 16)) !== 0;
    let sumW = -0;
    let sumSq = -0;
    let sumAbs = -0;
    let sumApe = -0;
    let sumY = -0;
    for (let j = 0; j < n; j++) {
      const wj = unit ? 1 : weightOf(kh[j] as number, rh);
      if (keep) w[j] = wj;
      const e = err[j] as number;
      sumW += wj;
      sumSq += wj * e * e;
      sumAbs += wj * Math.abs(e);
      sumApe += wj * (ape[j] as number);
      sumY += wj * (y[j] as number);
    }
    S[0] = sumW;
    S[5] = sumSq;
    S[6] = sumAbs;
    S[7] = sumApe;
    S[8] = sumY;
    if (m.needs & 16) {
      const mean = sumY / sumW;
      let ss = -0;
      for (let j = 0; j < n; j++) {
        const wj = w[j] as number;
        if (wj === 0) continue;
        const d = (y[j] as number) - mean;
        ss += wj * d * d;
      }
      S[9] = ss;
    }
    if (m.needs & 4) S[10] = weightedMedianAbs(m, w, sumW);
  }

  /** np.median of |error| over the rows repeated by their weights (rows sorted by |error|). */
  function weightedMedianAbs(m: KernelModel, w: Uint8Array, total: number): number {
    if (total === 0) return NaN;
    const lo = Math.floor((total - 1) / 2);
    const hi = Math.floor(total / 2);
    const err = m.err;
    let cum = -0;
    let vLo = NaN;
    for (let j = 0; j < m.n; j++) {
      const wj = w[j] as number;
      if (wj === 0) continue;
      cum += wj;
      if (cum > lo && vLo !== vLo) vLo = Math.abs(err[j] as number);
      if (cum > hi) return (vLo + Math.abs(err[j] as number)) / 2;
    }
    return NaN;
  }

  function safeDiv(a: number, b: number): number {
    return b === 0 ? 0 : a / b;
  }

  /** Per-class precision/recall/F1 averaged over labels present in y or predictions (sklearn). */
  function averaged(S: Float64Array, k: number, which: number, weighted: boolean): number {
    let sum = 0;
    let norm = 0;
    for (let c = 0; c < k; c++) {
      let truth = 0;
      let pred = 0;
      for (let j = 0; j < k; j++) {
        truth += S[STATS + c * k + j] as number;
        pred += S[STATS + j * k + c] as number;
      }
      if (truth === 0 && pred === 0) continue;
      const tp = S[STATS + c * k + c] as number;
      const p = safeDiv(tp, pred);
      const r = safeDiv(tp, truth);
      const v = which === 0 ? p : which === 1 ? r : safeDiv(2 * p * r, p + r);
      const weight = weighted ? truth : 1;
      sum += weight * v;
      norm += weight;
    }
    return safeDiv(sum, norm);
  }

  function finalize(m: KernelModel, S: Float64Array, code: number, cls: number): number {
    const k = m.k;
    const sumW = S[0] as number;
    switch (code) {
      case 1: {
        let correct = 0;
        for (let c = 0; c < k; c++) correct += S[STATS + c * k + c] as number;
        return correct / sumW;
      }
      case 2: {
        let sum = 0;
        let count = 0;
        for (let c = 0; c < k; c++) {
          let truth = 0;
          for (let j = 0; j < k; j++) truth += S[STATS + c * k + j] as number;
          if (truth === 0) continue;
          sum += (S[STATS + c * k + c] as number) / truth;
          count++;
        }
        return sum / count;
      }
      case 3:
      case 4:
      case 5: {
        const tp = S[STATS + 3] as number;
        const p = safeDiv(tp, tp + (S[STATS + 1] as number));
        const r = safeDiv(tp, tp + (S[STATS + 2] as number));
        return code === 3 ? p : code === 4 ? r : safeDiv(2 * p * r, p + r);
      }
      case 6:
        return S[3] as number;
      case 7:
        return S[4] as number;
      case 8:
        return (S[1] as number) / sumW;
      case 9:
        return (S[2] as number) / sumW;
      case 10: {
        let correct = 0;
        let dotTP = 0;
        let dotPP = 0;
        let dotTT = 0;
        for (let c = 0; c < k; c++) {
          let truth = 0;
          let pred = 0;
          for (let j = 0; j < k; j++) {
            truth += S[STATS + c * k + j] as number;
            pred += S[STATS + j * k + c] as number;
          }
          correct += S[STATS + c * k + c] as number;
          dotTP += truth * pred;
          dotPP += pred * pred;
          dotTT += truth * truth;
        }
        const covYtYp = correct * sumW - dotTP;
        const covYpYp = sumW * sumW - dotPP;
        const covYtYt = sumW * sumW - dotTT;
        return covYpYp * covYtYt === 0 ? 0 : covYtYp / Math.sqrt(covYtYt * covYpYp);
      }
      case 11:
      case 12:
      case 13:
        return averaged(S, k, code - 11, false);
      case 14:
      case 15:
      case 16:
        return averaged(S, k, code - 14, true);
      case 17: {
        let truth = 0;
        for (let j = 0; j < k; j++) truth += S[STATS + cls * k + j] as number;
        return safeDiv(S[STATS + cls * k + cls] as number, truth);
      }
      case 20:
        return Math.sqrt((S[5] as number) / sumW);
      case 21:
        return (S[5] as number) / sumW;
      case 22:
        return (S[6] as number) / sumW;
      case 23: {
        const res = S[5] as number;
        const tot = S[9] as number;
        if (tot === 0) return res === 0 ? 1 : 0;
        return 1 - res / tot;
      }
      case 24:
        return (S[7] as number) / sumW;
      case 25:
        return S[10] as number;
      default:
        return NaN;
    }
  }

  function statsLength(m: KernelModel): number {
    return STATS + m.k * m.k;
  }

  /**
   * Metric values of every model in replicate hash `rh` (or with unit weights: the point
   * estimate), written to out[offset + model * metrics + j]. All models draw the same weight for
   * the same row key: the bootstrap is paired.
   */
  function evaluate(
    models: KernelModel[],
    unit: boolean,
    rh: number,
    codes: Int32Array,
    classes: Int32Array,
    scratch: Float64Array[],
    w: Uint8Array,
    out: Float64Array,
    offset: number,
  ): void {
    const nm = codes.length;
    for (let a = 0; a < models.length; a++) {
      const m = models[a] as KernelModel;
      const S = scratch[a] as Float64Array;
      modelStats(m, unit, rh, S, w);
      for (let j = 0; j < nm; j++) {
        out[offset + a * nm + j] = finalize(m, S, codes[j] as number, classes[j] as number);
      }
    }
  }

  function scratchFor(models: KernelModel[]): Float64Array[] {
    const scratch: Float64Array[] = [];
    for (let a = 0; a < models.length; a++)
      scratch.push(new Float64Array(statsLength(models[a] as KernelModel)));
    return scratch;
  }

  /** Replicates [repStart, repEnd) of a bootstrap; deterministic whatever thread runs it. */
  function runReplicates(job: KernelJob): void {
    const models = job.models;
    const w = new Uint8Array((models[0] as KernelModel).n);
    const scratch = scratchFor(models);
    const stride = models.length * job.codes.length;
    for (let r = job.repStart; r < job.repEnd; r++) {
      const rh = replicateHash(r, job.seedHash);
      evaluate(models, false, rh, job.codes, job.classes, scratch, w, job.out, r * stride);
    }
  }

  return { seedHash, keyHash, replicateHash, weightOf, scratchFor, evaluate, runReplicates };
}

export type Kernel = ReturnType<typeof createKernel>;

/** The kernel for the calling thread. */
export const kernel: Kernel = createKernel();
