/**
 * The cosh network (Li, Song & Zhou 2023), docs/theory.md §5: σ = cosh, σ' = sinh. From
 * sinh α sinh β = ½(cosh(α+β) − cosh(α−β)) and E[cosh⟨w, v⟩] = e^{‖v‖²/2}:
 *   H(x, x') = ⟨x, x'⟩ · ½ (e^{‖x+x'‖²/2} − e^{‖x−x'‖²/2}) = ⟨x, x'⟩ · e^{(‖x‖² + ‖x'‖²)/2} · sinh⟨x, x'⟩,
 * the second form free of cancellation; unit inputs: ρ e sinh ρ. cosh is even, F(W, −x) = F(W, x):
 * data holding x and −x with different labels cannot be fitted (the kernel is singular there).
 */
import { pointwiseSample } from './pointwise.js';
import type { Activation } from './types.js';

export const cosh: Activation = {
  name: 'cosh',
  summary: 'σ(z) = cosh z, σ′ = sinh (§5; even: F(W, −x) = F(W, x))',
  label: 'cosh',
  form: 'pointwise',
  sigma: Math.cosh,
  dsigma: Math.sinh,
  sample: pointwiseSample(Math.cosh, Math.sinh),
  limit: {
    symbol: 'H^cosh',
    ref: 'docs/theory.md §5',
    method: 'closed form',
    diagonal: 'e·sinh 1 = 3.195 for unit-norm inputs',
    // ⟨x,x'⟩ · e^{(‖x‖²+‖x'‖²)/2} sinh⟨x,x'⟩   (§5)
    entry: (g, q, qp) => g * Math.exp(0.5 * (q + qp)) * Math.sinh(g),
  },
  native: 2,
  theory: {
    apriori: false,
    note: 'the constants of docs/theory.md §4 are derived for exp; for cosh the measured rows apply',
    orders: () => [],
  },
  patterns: false,
  parity: 'even',
  exponential: true,
  custom: false,
};
