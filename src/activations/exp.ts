/**
 * The exponential network of the abstract, docs/theory.md §1: σ(z) = σ'(z) = e^z.
 * Limit kernel (§3, Gaussian moment generating function):
 *   H^cts(x, x') = ⟨x, x'⟩ · exp(‖x + x'‖² / 2),  ‖x + x'‖² = ‖x‖² + ‖x'‖² + 2⟨x, x'⟩;
 * unit inputs: ρ e^{1+ρ}, diagonal e². The a-priori conditions of §4 are derived for this network.
 */
import { pointwiseSample } from './pointwise.js';
import type { Activation } from './types.js';

export const exp: Activation = {
  name: 'exp',
  summary: 'σ(z) = e^z, the abstract’s network (§1)',
  label: 'exp',
  form: 'pointwise',
  sigma: Math.exp, // σ(z) = e^z
  dsigma: Math.exp, // σ'(z) = e^z
  sample: pointwiseSample(Math.exp, Math.exp),
  limit: {
    symbol: 'H^cts',
    ref: 'docs/theory.md §3',
    method: 'closed form',
    diagonal: 'e² = 7.389 for unit-norm inputs',
    // H^cts = ⟨x,x'⟩ exp(‖x + x'‖²/2)   (§3)
    entry: (g, q, qp) => g * Math.exp(0.5 * (q + qp + 2 * g)),
  },
  native: 0,
  theory: {
    apriori: true,
    orders: () => ['n^{2+o(1)} log(n/δ) (Gao, Mahadevan & Song 2023)', 'n⁴ e^{O(B)}/λ⁴ (elementary argument of docs/theory.md §4C)'],
  },
  patterns: false,
  exponential: true,
  custom: false,
};
