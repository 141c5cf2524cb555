/**
 * The empirical neural tangent kernel H(W) (theory.md §3) and its normalisation.
 *
 * Scaling: the backend computes H(W)_ij = κ² ⟨x_i,x_j⟩ Σ_r σ'(⟨w_r,x_i⟩) σ'(⟨w_r,x_j⟩) with the
 * problem's κ. With "ntk" scaling (κ = 1/√m) this is an average over neurons and converges to
 * H^cts (exp) or H^∞ (ReLU) as m → ∞. With "none" (κ = 1) it is m times that, H grows like m,
 * and the infinite-width limit is that of H/m. Every comparison with an infinite-width kernel in
 * this module therefore uses the NTK-normalised kernel H / (κ² m), which is the same number
 * whichever scaling ran.
 */
import type { Activation, Backend, Problem } from '../backend/types.js';

/** Factor turning the problem's H(W) into the NTK-normalised kernel: 1 / (κ² m) (1 for "ntk"). */
export function ntkNormalisation(p: Problem): number {
  return 1 / (p.kappa * p.kappa * p.m);
}

/** H(W) as the backend computes it, with the problem's κ (n×n). */
export function empiricalKernel(backend: Backend, p: Problem, W: Float64Array, out = new Float64Array(p.n * p.n)): Float64Array {
  backend.gram(p, W, out);
  return out;
}

/** H(W) / (κ² m): the kernel that converges to H^cts / H^∞ whatever the scaling (see module note). */
export function normalisedKernel(backend: Backend, p: Problem, W: Float64Array, out = new Float64Array(p.n * p.n)): Float64Array {
  backend.gram(p, W, out);
  const c = ntkNormalisation(p);
  if (c !== 1) for (let k = 0; k < out.length; k++) out[k] *= c;
  return out;
}

/**
 * Direct computation of the NTK-normalised kernel (1/m) ⟨x_i,x_j⟩ Σ_r σ'(⟨w_r,x_i⟩) σ'(⟨w_r,x_j⟩)
 * (theory.md §3 with κ² = 1/m) without a Problem and without an n×m buffer: neuron by neuron, the
 * lower triangle accumulates s_i s_j. O(m(nd + n²/2)); meant for many small Monte-Carlo draws.
 */
export function ntkGram(activation: Activation, X: Float64Array, n: number, d: number, W: Float64Array, m: number): Float64Array {
  const acc = new Float64Array(n * n);
  const s = new Float64Array(n);
  const isExp = activation === 'exp';
  for (let r = 0; r < m; r++) {
    const wo = r * d;
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let t = 0; t < d; t++) z += W[wo + t] * X[i * d + t];
      s[i] = isExp ? Math.exp(z) : z >= 0 ? 1 : 0; // σ'(z): e^z, or 1{z ≥ 0} (Du et al.)
    }
    for (let i = 0; i < n; i++) {
      const si = s[i];
      if (si === 0) continue;
      const o = i * n;
      for (let j = 0; j <= i; j++) acc[o + j] += si * s[j];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let xx = 0;
      for (let t = 0; t < d; t++) xx += X[i * d + t] * X[j * d + t];
      acc[i * n + j] = acc[j * n + i] = (xx * acc[i * n + j]) / m;
    }
  }
  return acc;
}
