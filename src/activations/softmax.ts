/**
 * The softmax-normalised two-layer network (Gu, Li, Liang, Shi & Song 2024), docs/theory.md §5:
 *   s_r(x) = e^{⟨w_r,x⟩} / Σ_q e^{⟨w_q,x⟩},   F(W, x) = κ · m · Σ_r a_r s_r(x),
 * the exp network divided by its mean neuron output. With c = Σ_r a_r s_r:
 *   ∂F/∂w_r = κ m s_r (a_r − c) x,  so φ_r = m s_r (a_r − c).
 * Softmax is invariant to a common shift of the z_r, so the largest is subtracted first: no
 * overflow, whatever the inputs. Coupled initialisation: Σ_r a_r e^{z_r − M} is a sum of two halves
 * that cancel exactly (sum.ts), so c = 0 and F(W(0), x) = 0.
 * Limit kernel (κ = 1/√m): m s_r(x) → e^{⟨w_r,x⟩ − ‖x‖²/2} and c → 0, so
 *   H^sm(x, x') = ⟨x, x'⟩ · e^{⟨x, x'⟩}     (unit inputs: ρ e^ρ = H^cts / e).
 * The §4 bounds are derived for the plain network of §1 only.
 */
import { pairwiseSum } from './sum.js';
import type { Activation } from './types.js';

/** f = m c and φ_r = m s_r (a_r − c) for one sample (scratch: 2m). */
function softmaxSample(z: Float64Array, a: Float64Array, phi: Float64Array | null, scratch: Float64Array): number {
  const m = z.length;
  let M = -Infinity;
  for (let r = 0; r < m; r++) if (z[r] > M) M = z[r];
  const e = scratch.subarray(0, m);
  const ae = scratch.subarray(m, 2 * m);
  for (let r = 0; r < m; r++) {
    e[r] = Math.exp(z[r] - M); // e^{z_r − M}: at most 1, so the sums cannot overflow
    ae[r] = a[r] * e[r];
  }
  const D = pairwiseSum(e, 0, m); // Σ_q e^{z_q − M} ≥ 1
  const c = pairwiseSum(ae, 0, m) / D; // c = Σ_r a_r s_r
  if (phi) for (let r = 0; r < m; r++) phi[r] = ((m * e[r]) / D) * (a[r] - c); // m s_r (a_r − c)
  return m * c;
}

export const softmax: Activation = {
  name: 'softmax',
  summary: 'F = κ m Σ_r a_r softmax(Wᵀx)_r, the attention form of exp (§5; no overflow)',
  label: 'softmax',
  form: 'softmax',
  sample: softmaxSample,
  limit: {
    symbol: 'H^sm',
    ref: 'docs/theory.md §5',
    method: 'closed form',
    diagonal: 'e = 2.718 for unit-norm inputs',
    // H^sm = ⟨x,x'⟩ e^{⟨x,x'⟩}   (§5)
    entry: (g) => g * Math.exp(g),
  },
  native: 4,
  theory: {
    apriori: false,
    note: 'the widths of docs/theory.md §4 are derived for the plain network of §1 only; for the softmax network the measured rows apply',
    orders: () => [],
  },
  patterns: false,
  exponential: false,
  custom: false,
};
