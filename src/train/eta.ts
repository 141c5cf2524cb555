/**
 * --eta auto: the largest stable step of the linearised dynamics r(k+1) ≈ (I − ηH) r(k)
 * (docs/theory.md §3), taken as η = 1/λ_max(H(W(0))). λ_max is found matrix-free from products
 * v ↦ H v = J(Jᵀ v), with Jᵀ v = backend.gradient(W, v) and J V = backend.jvp(W, V), so the
 * n×n kernel H(W(0)) is never formed. Each product costs about two GD steps (2·n·m·d multiply-adds).
 *
 * Method, by size (deterministic in n, m, d alone, so that a run's η does not depend on the machine):
 * - n·m·d < AUTO_ETA_SWITCH_WORK = 4·10⁸ (one product ≲ 50 ms with the native backend here): power
 *   iteration, tol 1e-7 on the Rayleigh quotient's relative change, ≤ 500 products — exactly as
 *   before the switch existed, bit for bit. It needs 30–200 products (the top of the NTK spectrum
 *   is a cluster: λ₂/λ₁ ≈ 0.96 for exp on the sphere), a few seconds at most below the switch.
 * - above, with n ≤ LIMIT_MAX_N and m ≥ n ("davidson"): Jacobi–Davidson (src/linalg/davidson.ts)
 *   with the infinite-width kernel H^lim (scaled to the run's κ) standing in for H in the
 *   correction equation and its top eigenvector as the start. H(W(0)) − H^lim = O(1/√m), so each
 *   product gains several digits: 3 products at n = 1000, d = 16, m = 10⁵ and 10⁶ against 84 and 85
 *   for the power iteration; H^lim and its top eigenpair cost O(n²d + 100 n²), a fraction of one
 *   product there (the condition m ≥ n keeps it so).
 * - above, otherwise ("lanczos"): the Lanczos process from the power iteration's start vector
 *   (src/linalg/lanczos.ts, full reorthogonalisation), 15–30 products.
 * Both stop when the estimated relative error of λ_max (Kato–Temple, with λ₂ estimated) is ≤ 1e-8
 * (1e-5 for a float32 backend) and the estimate's last change is small: λ_max to ~1e-8, where the
 * power iteration's own error is ~1e-6 (its tolerance is on the change, not on the error).
 */
import type { Backend, Problem } from '../backend/types.js';
import { ntkNormalisation } from '../kernel/empirical.js';
import { infiniteKernel } from '../kernel/infinite.js';
import { davidsonTopSteps, type ApproximateOperator } from '../linalg/davidson.js';
import { symMatVec } from '../linalg/dense.js';
import { lanczosTopSteps } from '../linalg/lanczos.js';
import { powerIterationSteps } from '../linalg/power.js';
import { Rng } from '../random/xoshiro.js';

/** n·m·d at and above which --eta auto leaves the power iteration (see the module note). */
export const AUTO_ETA_SWITCH_WORK = 4e8;
/** Largest n for which the infinite-width kernel (n×n) is formed to accelerate λ_max. */
export const LIMIT_MAX_N = 2048;

export type AutoEtaMethod = 'power' | 'lanczos' | 'davidson';

export interface AutoEta {
  eta: number;
  lambdaMax: number;
  /** Products with H(W(0)). */
  iterations: number;
  converged: boolean;
  /** How λ_max was found (module note): power iteration, Lanczos, or Jacobi–Davidson with H^lim. */
  method: AutoEtaMethod;
}

/** For tests and experiments: where the methods switch (defaults: AUTO_ETA_SWITCH_WORK, LIMIT_MAX_N). */
export interface AutoEtaOptions {
  switchWork?: number;
  limitMaxN?: number;
}

/** H(W) v without forming H: out = J Jᵀ v. */
export function ntkTimes(backend: Backend, p: Problem, W: Float64Array): (v: Float64Array, out: Float64Array) => void {
  const G = new Float64Array(p.m * p.d);
  return (v, out) => {
    backend.gradient(p, W, v, G); // Jᵀ v (the gradient with the residual replaced by v)
    backend.jvp(p, W, G, out); // J (Jᵀ v)
  };
}

export function autoEta(backend: Backend, p: Problem, W0: Float64Array, seed: number, options: AutoEtaOptions = {}): AutoEta {
  const it = autoEtaSteps(backend, p, W0, seed, options);
  for (;;) {
    const next = it.next();
    if (next.done) return next.value;
  }
}

/**
 * H^lim on the run's scale (H(W(0)) ≈ H^lim / (κ² m)), its top eigenvector and second eigenvalue,
 * or undefined where it is not finite (inputs far outside the unit ball) or cannot be formed.
 * Pauses after each product with H^lim (O(n²) each).
 */
function* limitOperator(p: Problem, start: Float64Array): Generator<void, { approx: ApproximateOperator; start: Float64Array } | undefined, void> {
  const { n, d } = p;
  let L: Float64Array;
  try {
    L = infiniteKernel(p.activation, p.X, n, d);
  } catch {
    return undefined;
  }
  yield;
  const c = ntkNormalisation(p);
  if (c !== 1) for (let k = 0; k < n * n; k++) L[k] /= c;
  for (let k = 0; k < n * n; k++) if (!Number.isFinite(L[k])) return undefined;
  const apply = (v: Float64Array, out: Float64Array): void => symMatVec(L, n, v, out);
  const top = yield* lanczosTopSteps(apply, start, { tol: 1e-12, maxIter: Math.min(n, 300), vector: true });
  if (!top.vector || !Number.isFinite(top.value) || !(top.value > 0)) return undefined;
  return { approx: { apply, second: Number.isFinite(top.second) ? top.second : -Infinity }, start: top.vector };
}

/** autoEta pausing after every product with H (trainAsync yields there: Ctrl-C is heard within one product). */
export function* autoEtaSteps(backend: Backend, p: Problem, W0: Float64Array, seed: number, options: AutoEtaOptions = {}): Generator<void, AutoEta, void> {
  const start = new Rng(seed, 'power').fillNormal(new Float64Array(p.n));
  if (p.n * p.m * p.d < (options.switchWork ?? AUTO_ETA_SWITCH_WORK)) {
    const res = yield* powerIterationSteps(ntkTimes(backend, p, W0), start, { tol: 1e-7, maxIter: 500 });
    return { eta: 1 / res.value, lambdaMax: res.value, iterations: res.iterations, converged: res.converged, method: 'power' };
  }
  const Hv = ntkTimes(backend, p, W0);
  // products in float32 carry ~1e-7 relative noise: ask for what they can give
  const tol = backend.precision === 'f32' ? 1e-5 : 1e-8;
  const limit = p.n <= (options.limitMaxN ?? LIMIT_MAX_N) && p.m >= p.n ? yield* limitOperator(p, start) : undefined;
  if (limit) {
    const res = yield* davidsonTopSteps(Hv, { start: limit.start, approx: limit.approx, tol, changeTol: Math.max(1e-6, tol), maxIter: 100 });
    return { eta: 1 / res.value, lambdaMax: res.value, iterations: res.iterations, converged: res.converged, method: 'davidson' };
  }
  const res = yield* lanczosTopSteps(Hv, start, { tol, maxIter: 300 });
  return { eta: 1 / res.value, lambdaMax: res.value, iterations: res.iterations, converged: res.converged, method: 'lanczos' };
}
