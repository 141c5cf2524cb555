/**
 * The addon's dense symmetric eigen-routines (native/src/eigen.cc): line-by-line ports of
 * tridiagonal.ts, ql.ts and sturm.ts that give the same bits (same order of operations, no fused
 * multiply-adds, no reassociation), 2–5× faster than the compiled TypeScript on 64×64 kernels
 * and without its slow first calls. The kernel monitor's short runs spent most of their
 * monitoring time in those routines (docs/theory.md §4; bench/RESULTS.md, issue 15).
 *
 * The TypeScript versions (`…Reference`) stay the specification: the tests hold these to them
 * bit for bit, and they run wherever the addon is not built (or predates these functions).
 */
import { loadAddon } from '../backend/native.js';

export interface NativeEigen {
  /** a: A on entry (n×n, lower triangle read), the reflectors on return; d, e, h written. */
  tridiagonalize(n: number, a: Float64Array, d: Float64Array, e: Float64Array, h: Float64Array): void;
  /** Rows 0 … count−1 of Z: eigenvectors of T → eigenvectors of A, in place. */
  applyQ(n: number, a: Float64Array, h: Float64Array, Z: Float64Array, count: number): void;
  /** 0, or −1 where the QL iteration did not converge (both passes). */
  tridiagonalQL(n: number, d: Float64Array, e: Float64Array, Zt: Float64Array | null): number;
  bisectEigenvalue(n: number, d: Float64Array, e: Float64Array, k: number): number;
  /** bisectEigenvalue for each k of ks into out, two Sturm recurrences interleaved (each one's bits unchanged). */
  bisectEigenvalues(n: number, d: Float64Array, e: Float64Array, ks: readonly number[], out: Float64Array): void;
}

let cached: NativeEigen | null | undefined;

/** The native routines, or null (no addon, or one built before them). */
export function nativeEigen(): NativeEigen | null {
  if (cached !== undefined) return cached;
  const loaded = loadAddon();
  const a = 'addon' in loaded ? (loaded.addon as unknown as Partial<NativeEigen>) : {};
  cached =
    typeof a.tridiagonalize === 'function' && typeof a.applyQ === 'function' && typeof a.tridiagonalQL === 'function' && typeof a.bisectEigenvalue === 'function' && typeof a.bisectEigenvalues === 'function'
      ? (a as NativeEigen)
      : null;
  return cached;
}
