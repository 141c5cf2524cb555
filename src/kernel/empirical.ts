/**
 * The empirical neural tangent kernel H(W) (docs/theory.md §3) and its normalisation.
 *
 * Scaling: the backend computes H(W)_ij = κ² ⟨x_i,x_j⟩ Σ_r φ_ir φ_jr (pointwise: σ'(z_ir) σ'(z_jr))
 * with the problem's κ. With "ntk" scaling (κ = 1/√m) this is an average over neurons and converges
 * to the activation's limit kernel (H^cts for exp, H^∞ for ReLU, …) as m → ∞. With "none" (κ = 1) it is m times that, H grows like m,
 * and the infinite-width limit is that of H/m. Every comparison with an infinite-width kernel in
 * this module therefore uses the NTK-normalised kernel H / (κ² m), which is the same number
 * whichever scaling ran.
 */
import type { Backend, Problem } from '../backend/types.js';

/** Factor turning the problem's H(W) into the NTK-normalised kernel: 1 / (κ² m) (1 for "ntk"). */
export function ntkNormalisation(p: Problem): number {
  return 1 / (p.kappa * p.kappa * p.m);
}

/** H(W) as the backend computes it, with the problem's κ (n×n). */
export function empiricalKernel(backend: Backend, p: Problem, W: Float64Array, out = new Float64Array(p.n * p.n)): Float64Array {
  backend.gram(p, W, out);
  return out;
}

/** H(W) / (κ² m): the kernel that converges to H^lim whatever the scaling (see module note). */
export function normalisedKernel(backend: Backend, p: Problem, W: Float64Array, out = new Float64Array(p.n * p.n)): Float64Array {
  backend.gram(p, W, out);
  const c = ntkNormalisation(p);
  if (c !== 1) for (let k = 0; k < out.length; k++) out[k] *= c;
  return out;
}
