/**
 * Power iteration for the largest eigenvalue of a symmetric positive semi-definite operator
 * given only as a product v ↦ A v (matrix-free). Used for η = 1/λ_max(H(W(0))) (issue: --eta auto).
 *
 * The estimate is the Rayleigh quotient vᵀAv of the normalised iterate, which for symmetric A
 * converges at twice the rate of the vector (error ~ (λ₂/λ₁)^{2k}) and never exceeds λ_max.
 */
export interface PowerResult {
  /** Rayleigh-quotient estimate of λ_max. */
  value: number;
  /** Unit-norm eigenvector estimate. */
  vector: Float64Array;
  iterations: number;
  /** Relative change of the estimate in the last iteration. */
  relChange: number;
  converged: boolean;
}

export interface PowerOptions {
  /** Stop when the estimate changes by less than this, relatively. Default 1e-9. */
  tol?: number;
  /** Default 1000. */
  maxIter?: number;
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * @param apply  writes A v into out
 * @param start  nonzero starting vector (copied); a random one avoids orthogonality to the top eigenvector
 */
export function powerIteration(
  apply: (v: Float64Array, out: Float64Array) => void,
  start: Float64Array,
  opts: PowerOptions = {},
): PowerResult {
  const it = powerIterationSteps(apply, start, opts);
  for (;;) {
    const next = it.next();
    if (next.done) return next.value;
  }
}

/** The same iteration, pausing after every product (so that a caller can stay responsive: signals, progress). */
export function* powerIterationSteps(
  apply: (v: Float64Array, out: Float64Array) => void,
  start: Float64Array,
  opts: PowerOptions = {},
): Generator<void, PowerResult, void> {
  const tol = opts.tol ?? 1e-9;
  const maxIter = opts.maxIter ?? 1000;
  const n = start.length;
  const v = Float64Array.from(start);
  const av = new Float64Array(n);
  const s0 = norm2(v);
  if (!(s0 > 0) || !Number.isFinite(s0)) throw new RangeError('power iteration needs a finite nonzero start vector');
  for (let i = 0; i < n; i++) v[i] /= s0;
  let value = 0;
  let relChange = Infinity;
  for (let it = 1; it <= maxIter; it++) {
    apply(v, av);
    let rq = 0; // vᵀ A v with ‖v‖ = 1
    for (let i = 0; i < n; i++) rq += v[i] * av[i];
    const s = norm2(av);
    if (!Number.isFinite(s) || !Number.isFinite(rq)) {
      return { value: NaN, vector: v, iterations: it, relChange: NaN, converged: false };
    }
    relChange = it === 1 ? Infinity : Math.abs(rq - value) / Math.max(Math.abs(rq), Number.MIN_VALUE);
    value = rq;
    if (s === 0) return { value: 0, vector: v, iterations: it, relChange: 0, converged: true };
    for (let i = 0; i < n; i++) v[i] = av[i] / s;
    if (relChange < tol) return { value, vector: v, iterations: it, relChange, converged: true };
    yield;
  }
  return { value, vector: v, iterations: maxIter, relChange, converged: false };
}
