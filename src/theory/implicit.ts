/**
 * The width conditions of docs/theory.md §4 B and C with B replaced by its high-probability bound
 * B(m) = √(2 ln(2mn/δ)): the right-hand sides then grow with m (sub-polynomially, like
 * e^{c√(ln m)}), so "m ≥ f(m)" is an implicit condition on m. It is solved here in t = ln m (the
 * thresholds can exceed 10^30, far beyond integers): a grid over t ∈ [0, 700] in steps of 1/4
 * finds the last point where the condition fails, and bisection on that bracket (to a relative
 * 1e-13 in m) gives the smallest m from which on it holds (on the grid). Where m < 2^53 the result
 * is rounded up to an integer and checked exactly.
 *
 * The same δ is used for the event on B and for the concentration of B, as docs/theory.md writes it;
 * a strict union bound over both events would use δ/2 in each (pass delta/2 for that).
 */
import { bHighProb, rStar } from './bounds.js';
import { OptionError } from '../errors.js';

export interface ImplicitWidth {
  /** Smallest width from which the condition holds (Infinity if beyond e^700). */
  readonly m: number;
  /** log10 of m (readable when m is astronomically large). */
  readonly log10m: number;
  /** B(m) = √(2 ln(2mn/δ)) at the returned m. */
  readonly B: number;
  /** R*(m) at the returned m (condition C only; NaN for B). */
  readonly rStar: number;
  /** How it was solved, for reports. */
  readonly method: string;
}

const METHOD = 'implicit in m through B(m) = √(2 ln(2mn/δ)); solved in ln m by grid + bisection';

/** Smallest t ≥ 0 with logRhs(t') ≤ t' for all grid t' ≥ t. */
function solveLog(logRhs: (t: number) => number): number {
  const ok = (t: number): boolean => logRhs(t) <= t;
  const T = 700;
  const step = 0.25;
  let lastFail = -1;
  for (let t = 0; t <= T; t += step) if (!ok(t)) lastFail = t;
  if (lastFail < 0) return 0;
  if (lastFail + step > T) return Infinity;
  let lo = lastFail;
  let hi = lastFail + step;
  for (let it = 0; it < 200 && hi - lo > 1e-13 * Math.max(1, hi); it++) {
    const mid = 0.5 * (lo + hi);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Round an m = e^t up to the smallest integer satisfying `holds`, when that is representable. */
function finish(t: number, holds: (m: number) => boolean): number {
  if (!Number.isFinite(t)) return Infinity;
  let m = Math.exp(t);
  if (m < 2 ** 52) {
    m = Math.max(1, Math.ceil(m) - 2);
    while (!holds(m)) m++;
  }
  return m;
}

function check(n: number, lambda: number, delta: number): void {
  if (!Number.isInteger(n) || n < 1) throw new OptionError(`n must be a positive integer, got ${n}`);
  if (!(lambda > 0)) throw new OptionError(`λ must be positive, got ${lambda}`);
  if (!(delta > 0 && delta < 1)) throw new OptionError(`δ must lie in (0, 1), got ${delta}`);
}

/** Condition B: m ≥ 32 n² e^{4B(m)} ln(2n²/δ) / λ²  (docs/theory.md §4B) as a function of m. */
export function conditionB(m: number, n: number, lambda: number, delta: number): { rhs: number; holds: boolean } {
  const B = bHighProb(m, n, delta);
  // 32 n² e^{4B} ln(2n²/δ) / λ²   (docs/theory.md §4B)
  const logRhs = Math.log(32 * n * n * Math.log((2 * n * n) / delta)) + 4 * B - 2 * Math.log(lambda);
  return { rhs: Math.exp(logRhs), holds: logRhs <= Math.log(m) };
}

/** Condition C: m ≥ 16 n e^{2(B(m)+R*(m))} ‖r(0)‖² / (λ² R*(m)²)  (docs/theory.md §4C) as a function of m. */
export function conditionC(m: number, n: number, lambda: number, delta: number, r0Sq: number): { rhs: number; holds: boolean } {
  const B = bHighProb(m, n, delta);
  const rs = rStar(lambda, n, B);
  // 16 n e^{2(B+R*)} ‖r(0)‖² / (λ² R*²)   (docs/theory.md §4C)
  const logRhs = Math.log(16 * n * r0Sq) + 2 * (B + rs) - 2 * Math.log(lambda) - 2 * Math.log(rs);
  return { rhs: Math.exp(logRhs), holds: logRhs <= Math.log(m) };
}

/** Smallest m satisfying condition B with B = B(m) (see module note). */
export function solveWidthB(n: number, lambda: number, delta: number): ImplicitWidth {
  check(n, lambda, delta);
  const t = solveLog((t) => Math.log(conditionB(Math.exp(t), n, lambda, delta).rhs));
  const m = finish(t, (mm) => conditionB(mm, n, lambda, delta).holds);
  return { m, log10m: Math.log10(m), B: Number.isFinite(m) ? bHighProb(m, n, delta) : Infinity, rStar: NaN, method: METHOD };
}

/** Smallest m satisfying condition C with B = B(m) and R* = R*(B(m)) (see module note). */
export function solveWidthC(n: number, lambda: number, delta: number, r0Sq: number): ImplicitWidth {
  check(n, lambda, delta);
  if (!(r0Sq > 0)) throw new OptionError(`‖r(0)‖² must be positive, got ${r0Sq}`);
  const t = solveLog((t) => Math.log(conditionC(Math.exp(t), n, lambda, delta, r0Sq).rhs));
  const m = finish(t, (mm) => conditionC(mm, n, lambda, delta, r0Sq).holds);
  const B = Number.isFinite(m) ? bHighProb(m, n, delta) : Infinity;
  return { m, log10m: Math.log10(m), B, rStar: rStar(lambda, n, B), method: METHOD };
}
