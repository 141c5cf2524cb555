/**
 * How much memory a training run needs, estimated from its sizes before anything is allocated, so
 * that a run too large for the machine is refused with the size it would need instead of being
 * killed by the kernel (or failing deep inside a typed-array allocation).
 *
 * The estimate counts the arrays that scale with the problem (float64 unless stated):
 * - data: the raw and the normalised inputs (2nd), a float32 copy for f32 (nd/2), labels;
 * - weights: W, W(0) and the signs (m); with the reference backend the trainer's copy of the last
 *   finite W (md), with the native one the run's panel-major copies: the current and next W and
 *   W(0) (3md), and for ReLU the sign patterns of W(0) it counts the flips against (≤ nm/4 bytes);
 * - the gradient buffer of `--eta auto` and of the reference step (md);
 * - the reference backend's Gram matrix keeps the factors φ of every sample (nm);
 * - the kernel monitor (and `ntk`): its own copy of W(0) (md); H(W(0)), H(W(k)), H^lim, a difference and the
 *   eigensolver's work space, about 8 n×n matrices, and the linearised prediction's eigenvectors
 *   (2 more) up to n = 1200;
 * - held-out points: their inputs (2n*d), and with a monitor the held-out monitor's Gram matrix of
 *   training and test points together ((n + n*)²), the cross-kernels (2n*n) and the limit kernel
 *   with the two eigendecompositions (about 4n²).
 * - the native kernels' scratch: three d×P panels per thread (P = 16 float64 lanes) and diag(r)X (nd).
 * Measured against it (`/usr/bin/time`, native backend, 2 threads, monitor on): `train --n 1 --d 10000000
 * --width 16` peaked at 11.6 GiB (maxRSS 12 170 472 KB) against an estimate of 15.7 GiB, and
 * `--d 2000000` at 2.4 GiB against 3.1 GiB (2026-12-02; the scratch term counts 16 lanes a panel
 * where these narrow runs use 8); test/train/memory.test.ts checks the bound at d = 10⁶.
 * Small per-sample vectors and the history (8 bytes × series × steps, grown as the run goes) are
 * below the estimate's resolution and left out.
 */
import { OptionError } from '../errors.js';
import { availableParallelism } from 'node:os';
import { formatBytes } from '../io/limits.js';

/** The native backend's default thread count (its scratch is per thread). */
const NATIVE_SCRATCH_THREADS = availableParallelism();

export interface RunSize {
  n: number;
  d: number;
  m: number;
  /** Kernel monitor on (any interval > 0). */
  monitor: boolean;
  /** The reference backend (no native addon), which stores n×m factors for a Gram matrix. */
  reference: boolean;
  /** ReLU on the native backend: the run keeps the sign patterns of W(0) (default false). */
  patterns?: boolean;
  /** Whether W is trained (default true); false for `ntk`, which only evaluates kernels at W(0). */
  training?: boolean;
  precision?: 'f64' | 'f32';
  /** Held-out points (default 0). */
  nTest?: number;
}

export interface MemoryEstimate {
  bytes: number;
  /** The largest parts, in words, for the message. */
  parts: { what: string; bytes: number; grows?: 'n' | 'd' | 'testN' }[];
}

export function estimateRunMemory(s: RunSize): MemoryEstimate {
  const { n, d, m } = s;
  const nt = s.nTest ?? 0;
  const f64 = 8;
  const parts = [
    { what: `the inputs (n·d = ${n * d})`, bytes: (2 * n * d + n) * f64 + (s.precision === 'f32' ? n * d * 4 : 0) },
    s.reference || s.training === false
      ? { what: `W, W(0) and a copy (3·m·d = ${3 * m * d})`, bytes: (3 * m * d + m) * f64 }
      : { what: `W, W(0) and the native run's copies (5·m·d = ${5 * m * d})`, bytes: (5 * m * d + m) * f64 + (s.patterns ? (n * m) / 4 : 0) },
    // per worker thread three d×P panels (P ≤ 16 float64 or 32 float32 lanes), and diag(r)X once
    ...(s.reference || s.training === false ? [] : [{ what: `the native kernels' scratch (d = ${d})`, bytes: NATIVE_SCRATCH_THREADS * 3 * d * 16 * f64 + n * d * f64, grows: 'd' as const }]),
    { what: `the gradient (m·d = ${m * d})`, bytes: m * d * f64 },
    ...(s.reference && s.monitor ? [{ what: `the reference Gram matrix's factors (n·m = ${n * m})`, bytes: n * m * f64 }] : []),
    ...(s.monitor ? [{ what: `the kernel's n×n matrices (n = ${n}) and a copy of W(0)`, bytes: (m * d + (n <= 1200 ? 10 : 8) * n * n) * f64, grows: 'n' as const }] : []),
    ...(nt > 0 ? [{ what: `the held-out inputs (n*·d = ${nt * d})`, bytes: 2 * nt * d * f64, grows: 'testN' as const }] : []),
    ...(nt > 0 && s.monitor && n <= 1200 ? [{ what: `the held-out kernels ((n + n*)² with n = ${n}, n* = ${nt})`, bytes: ((n + nt) ** 2 + 2 * nt * n + 4 * n * n) * f64, grows: 'testN' as const }] : []),
  ];
  return { bytes: parts.reduce((t, p) => t + p.bytes, 0), parts };
}

/** Refuses a run whose estimate exceeds `limit` bytes: OptionError (field maxMemory) with how much it would need and why. */
export function checkRunMemory(s: RunSize, limit: number, limitText: string): void {
  const e = estimateRunMemory(s);
  if (e.bytes <= limit) return;
  const big = [...e.parts].sort((a, b) => b.bytes - a.bytes).slice(0, 2);
  // the hint lowers what the largest part grows with: n for the n×n kernels, d for the kernels' scratch, n* for the held-out ones, else the width
  const lower = big[0].grows ?? 'm';
  throw new OptionError(
    `this run needs about ${formatBytes(e.bytes)} (mostly ${big.map((p) => `${p.what}: ${formatBytes(p.bytes)}`).join('; ')}), more than the ${formatBytes(limit)} it may use (${limitText})`,
    { field: 'maxMemory', hints: [{ field: lower, change: 'lower' }, { field: 'maxMemory', change: 'raise' }] },
  );
}
