/**
 * The per-sample evaluation shared by every pointwise activation: f(z, a) = Σ_r a_r σ(z_r) and
 * φ_r = ∂f/∂z_r = a_r σ'(z_r) (docs/theory.md §1, §5).
 */
import { pairwiseSum } from './sum.js';

export function pointwiseSample(sigma: (z: number) => number, dsigma: (z: number) => number) {
  return (z: Float64Array, a: Float64Array, phi: Float64Array | null, scratch: Float64Array): number => {
    const m = z.length;
    for (let r = 0; r < m; r++) scratch[r] = a[r] * sigma(z[r]); // a_r σ(⟨w_r, x⟩)
    if (phi) for (let r = 0; r < m; r++) phi[r] = a[r] * dsigma(z[r]); // ∂/∂z_r: a_r σ'(z_r)
    return pairwiseSum(scratch, 0, m);
  };
}
