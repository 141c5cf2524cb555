/**
 * The addon's plain routines beside the kernels: line-by-line ports of TypeScript code that give
 * the same bits (same order of operations, no fused multiply-adds, no reassociation), for the
 * kernel monitor, which runs them on every observation:
 * - native/src/eigen.cc: src/linalg/tridiagonal.ts, ql.ts and sturm.ts, 3–8× faster than the
 *   compiled TypeScript on 64×64 kernels (warm) and without its slow first calls;
 * - native/src/movement.cc: src/model/movement.ts's movementStats (sums in neuron order, the
 *   median as the same order statistic);
 * - native/src/bound.cc: src/theory/monitor.ts's observedBPruned (= bounds.ts's observedB);
 * - eigen.cc's extremesPair: the monitor's two reductions of an observation (λ_min, λ_max of
 *   H(W(k)) and of H(W(k)) − H(W(0))), side by side on two workers (kernel/distance.ts), and
 *   inputGram: src/activations/kernel.ts's X Xᵀ (kernel/infinite.ts).
 * The short default run spent most of its monitoring time in those (bench/RESULTS.md, issue 15).
 *
 * The TypeScript versions (`…Reference`) stay the specification: the tests hold these to them
 * bit for bit, and they run wherever the addon is not built (or predates these functions).
 */
import { loadAddon } from './native.js';

export interface NativeRoutines {
  /** a: A on entry (n×n, lower triangle read), the reflectors on return; d, e, h written. */
  tridiagonalize(n: number, a: Float64Array, d: Float64Array, e: Float64Array, h: Float64Array): void;
  /** Rows 0 … count−1 of Z: eigenvectors of T → eigenvectors of A, in place. */
  applyQ(n: number, a: Float64Array, h: Float64Array, Z: Float64Array, count: number): void;
  /** 0, or −1 where the QL iteration did not converge (both passes). */
  tridiagonalQL(n: number, d: Float64Array, e: Float64Array, Zt: Float64Array | null): number;
  /** sturm.ts's bisectEigenvalue for each k of ks into out, two Sturm recurrences interleaved (each one's bits unchanged). */
  bisectEigenvalues(n: number, d: Float64Array, e: Float64Array, ks: readonly number[], out: Float64Array): void;
  /** out = [max, median, frobenius] of ‖w_r − w_r(0)‖₂; 0, or 1 where a movement is NaN (out then unset). */
  movementStats(W: Float64Array, W0: Float64Array, m: number, d: number, out: Float64Array): number;
  /** out = [λ_min(A), λ_max(A), λ_min(B − C), λ_max(B − C)]; 0, or 1 where an entry of A or B − C is not finite (out then unset). */
  extremesPair(n: number, A: Float64Array, B: Float64Array, C: Float64Array, threads: number, out: Float64Array): number;
  /** G = X Xᵀ (n×n), as kernel.ts's inputGram. */
  inputGram(X: Float64Array, n: number, d: number, G: Float64Array): void;
  /** max_{r,i} |⟨w_r, x_i⟩| (bounds.ts observedB; NaN sticks). */
  observedB(X: Float64Array, n: number, d: number, W: Float64Array, m: number): number;
}

const NAMES = ['tridiagonalize', 'applyQ', 'tridiagonalQL', 'bisectEigenvalues', 'movementStats', 'extremesPair', 'inputGram', 'observedB'] as const;

let cached: NativeRoutines | null | undefined;

/** The native routines, or null (no addon, or one built before them). */
export function nativeRoutines(): NativeRoutines | null {
  if (cached !== undefined) return cached;
  const loaded = loadAddon();
  const a = 'addon' in loaded ? (loaded.addon as unknown as Record<string, unknown>) : {};
  cached = NAMES.every((k) => typeof a[k] === 'function') ? (a as unknown as NativeRoutines) : null;
  return cached;
}
