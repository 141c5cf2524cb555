/**
 * The sinh network (Li, Song & Zhou 2023), docs/theory.md §5: σ = sinh, σ' = cosh. From
 * cosh α cosh β = ½(cosh(α+β) + cosh(α−β)) and E[cosh⟨w, v⟩] = e^{‖v‖²/2}:
 *   H(x, x') = ⟨x, x'⟩ · ½ (e^{‖x+x'‖²/2} + e^{‖x−x'‖²/2}) = ⟨x, x'⟩ · e^{(‖x‖² + ‖x'‖²)/2} · cosh⟨x, x'⟩;
 * unit inputs: ρ e cosh ρ. For unit inputs the exp kernel ρ e^{1+ρ} is the sum of the cosh and sinh
 * kernels. sinh is odd: F(W, −x) = −F(W, x).
 */
import { pointwiseSample } from './pointwise.js';
import type { Activation } from './types.js';

export const sinh: Activation = {
  name: 'sinh',
  summary: 'σ(z) = sinh z, σ′ = cosh (§5; odd: F(W, −x) = −F(W, x))',
  label: 'sinh',
  form: 'pointwise',
  sigma: Math.sinh,
  dsigma: Math.cosh,
  sample: pointwiseSample(Math.sinh, Math.cosh),
  limit: {
    symbol: 'H^sinh',
    ref: 'docs/theory.md §5',
    method: 'closed form',
    diagonal: 'e·cosh 1 = 4.194 for unit-norm inputs',
    // ⟨x,x'⟩ · e^{(‖x‖²+‖x'‖²)/2} cosh⟨x,x'⟩   (§5)
    entry: (g, q, qp) => g * Math.exp(0.5 * (q + qp)) * Math.cosh(g),
  },
  native: 3,
  theory: {
    apriori: false,
    note: 'the constants of docs/theory.md §4 are derived for exp; for sinh the measured rows apply',
    orders: () => [],
  },
  patterns: false,
  parity: 'odd',
  exponential: true,
  custom: false,
};
