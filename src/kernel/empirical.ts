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

/** The kernel on the training points and its cross-kernel to test points, from one Gram matrix. */
export interface JointKernel {
  /** H(W)(X, X), n×n. */
  readonly train: Float64Array;
  /** H(W)(X*, X), n*×n (docs/theory.md §6). */
  readonly cross: Float64Array;
}

/**
 * H(W)(X, X) and H(W)(X*, X) on the NTK scale (÷ κ² m), both blocks of the Gram matrix of the
 * stacked inputs [X; X*] (docs/theory.md §6): one backend route for both, so the cross-kernel is
 * computed exactly as the training kernel is. Costs (n + n*)² m; X* must be normalised like X.
 */
export function normalisedJointKernel(backend: Backend, p: Problem, W: Float64Array, Xtest: Float64Array, nTest: number): JointKernel {
  const { n, d } = p;
  if (Xtest.length !== nTest * d) throw new RangeError(`X* has ${Xtest.length} entries, expected n*·d = ${nTest * d}`);
  const N = n + nTest;
  const X = new Float64Array(N * d);
  X.set(p.X.subarray(0, n * d));
  X.set(Xtest, n * d);
  const joint = normalisedKernel(backend, { ...p, n: N, X, y: new Float64Array(N) }, W);
  const train = new Float64Array(n * n);
  const cross = new Float64Array(nTest * n);
  for (let i = 0; i < n; i++) train.set(joint.subarray(i * N, i * N + n), i * n);
  for (let s = 0; s < nTest; s++) cross.set(joint.subarray((n + s) * N, (n + s) * N + n), s * n);
  return { train, cross };
}
