import { nativeRoutines } from '../backend/routines.js';

/** How far the weights moved: R = max_r ‖w_r − w_r(0)‖₂ (docs/theory.md §4). W, W0: m×d neuron-major. */
export function movement(W: Float64Array, W0: Float64Array, m: number, d: number): number {
  let best = 0;
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = W[r * d + j] - W0[r * d + j];
      s += t * t;
    }
    if (s > best) best = s;
  }
  return Math.sqrt(best);
}

/** The distribution of the neurons' movements ‖w_r − w_r(0)‖₂ (docs/theory.md §6, laziness), in three numbers. */
export interface MovementStats {
  /** max_r ‖w_r − w_r(0)‖₂ = R (the same bits as `movement`). */
  max: number;
  /** The median over r of ‖w_r − w_r(0)‖₂ (the mean of the middle two for even m). */
  median: number;
  /** ‖W − W(0)‖_F = (Σ_r ‖w_r − w_r(0)‖₂²)^{1/2}. */
  frobenius: number;
}

/**
 * The three statistics; natively where the addon is built (backend/routines.ts: the same bits, and
 * none of the slow first calls of the TypeScript, which the kernel monitor makes at every observation).
 */
export function movementStats(W: Float64Array, W0: Float64Array, m: number, d: number): MovementStats {
  const native = nativeRoutines();
  if (native !== null && m >= 1 && d >= 1) {
    const out = new Float64Array(3);
    if (native.movementStats(W, W0, m, d, out) === 0) return { max: out[0], median: out[1], frobenius: out[2] };
  }
  return movementStatsReference(W, W0, m, d);
}

/** movementStats in TypeScript: the specification of the native route (and the route where a movement is NaN). */
export function movementStatsReference(W: Float64Array, W0: Float64Array, m: number, d: number): MovementStats {
  const sq = new Float64Array(m);
  let total = 0;
  let top = 0;
  let nan = false;
  for (let r = 0; r < m; r++) {
    const s = movedSq(W, W0, r * d, d);
    sq[r] = s;
    total += s;
    if (s > top) top = s;
    else if (s !== s) nan = true;
  }
  const mid = m >> 1;
  if (nan) {
    // NaN sorts last (TypedArray sort): the order statistics of the sorted squares, as they always were
    sq.sort();
    const median = m % 2 === 1 ? Math.sqrt(sq[mid]) : (Math.sqrt(sq[mid - 1]) + Math.sqrt(sq[mid])) / 2;
    return { max: Math.sqrt(sq[m - 1]), median, frobenius: Math.sqrt(total) };
  }
  // sqrt is monotone: the median of the norms is the root of the median of their squares. The
  // order statistics by selection (O(m)), not a sort: the same elements, so the same bits.
  const upper = selectKth(sq, mid);
  // for even m the lower middle is the largest of the mid elements left of the selected one
  let lower = 0;
  if (m % 2 === 0) for (let r = 0; r < mid; r++) if (sq[r] > lower) lower = sq[r];
  const median = m % 2 === 1 ? Math.sqrt(upper) : (Math.sqrt(lower) + Math.sqrt(upper)) / 2;
  return { max: Math.sqrt(top), median, frobenius: Math.sqrt(total) };
}

/** ‖w_r − w_r(0)‖₂² for the neuron at offset o (a function of its own: compiled after a few calls, where a loop over all m·d entries in one function would run long in the interpreter first). */
function movedSq(W: Float64Array, W0: Float64Array, o: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = W[o + j] - W0[o + j];
    s += t * t;
  }
  return s;
}

/**
 * The k-th smallest of a (0-based; no NaN), by quickselect with median-of-three pivots (Hoare
 * partition), rearranging a so that a[0 … k−1] ≤ a[k] ≤ a[k+1 …]. O(m) expected (O(m log m) at worst).
 */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  // introselect: after ~2 log₂ m rounds without reaching k (a bad run of pivots), sort what is left
  let rounds = 2 * Math.ceil(Math.log2(a.length + 1)) + 8;
  while (hi > lo) {
    if (rounds-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return a[k];
    }
    const mid = (lo + hi) >> 1;
    // median of three into a[mid]; a[lo] ≤ a[mid] ≤ a[hi]
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // now a[lo … j] ≤ pivot ≤ a[i … hi], and a[j+1 … i−1] = pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
