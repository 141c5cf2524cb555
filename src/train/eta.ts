/**
 * --eta auto: the largest stable step of the linearised dynamics r(k+1) ≈ (I − ηH) r(k)
 * (docs/theory.md §3), taken as η = 1/λ_max(H(W(0))). λ_max is found matrix-free by power iteration
 * on v ↦ H v = J(Jᵀ v), with Jᵀ v = backend.gradient(W, v) and J V = backend.jvp(W, V), so the
 * n×n kernel is never formed.
 */
import type { Backend, Problem } from '../backend/types.js';
import { powerIterationSteps } from '../linalg/power.js';
import { Rng } from '../random/xoshiro.js';

export interface AutoEta {
  eta: number;
  lambdaMax: number;
  iterations: number;
  converged: boolean;
}

/** H(W) v without forming H: out = J Jᵀ v. */
export function ntkTimes(backend: Backend, p: Problem, W: Float64Array): (v: Float64Array, out: Float64Array) => void {
  const G = new Float64Array(p.m * p.d);
  return (v, out) => {
    backend.gradient(p, W, v, G); // Jᵀ v (the gradient with the residual replaced by v)
    backend.jvp(p, W, G, out); // J (Jᵀ v)
  };
}

export function autoEta(backend: Backend, p: Problem, W0: Float64Array, seed: number): AutoEta {
  const it = autoEtaSteps(backend, p, W0, seed);
  for (;;) {
    const next = it.next();
    if (next.done) return next.value;
  }
}

/** autoEta pausing after every product with H (trainAsync yields there: Ctrl-C is heard within one product). */
export function* autoEtaSteps(backend: Backend, p: Problem, W0: Float64Array, seed: number): Generator<void, AutoEta, void> {
  const start = new Rng(seed, 'power').fillNormal(new Float64Array(p.n));
  const res = yield* powerIterationSteps(ntkTimes(backend, p, W0), start, { tol: 1e-7, maxIter: 500 });
  return { eta: 1 / res.value, lambdaMax: res.value, iterations: res.iterations, converged: res.converged };
}
