/**
 * The ReLU baseline of Du, Zhai, Póczos & Singh (2019), docs/theory.md §3: σ(z) = max(0, z), with the
 * derivative taken as 1{z ≥ 0} as they do. Limit kernel, θ the angle between x and x':
 *   H^∞(x, x') = ⟨x, x'⟩ (π − θ) / (2π);
 * unit inputs: diagonal ½. θ = 2·atan2(‖x̂ − x̂'‖, ‖x̂ + x̂'‖) of the unit vectors (Kahan), accurate to
 * a few ulps everywhere; acos of the rounded cosine would lose half the digits near θ = 0 and π.
 * A zero input gives a zero row.
 */
import { pointwiseSample } from './pointwise.js';
import type { Activation } from './types.js';

const relu = (z: number): number => (z > 0 ? z : 0); // σ(z) = max(0, z)
const step = (z: number): number => (z >= 0 ? 1 : 0); // σ'(z) = 1{z ≥ 0} (Du et al.)

function hInfEntry(g: number, q: number, qp: number, X: Float64Array, xo: number, Y: Float64Array, yo: number, d: number): number {
  if (!(q > 0 && qp > 0)) return 0;
  const nx = Math.sqrt(q);
  const ny = Math.sqrt(qp);
  let dm = 0;
  let dp = 0;
  for (let t = 0; t < d; t++) {
    const a = X[xo + t] / nx;
    const b = Y[yo + t] / ny;
    dm += (a - b) * (a - b);
    dp += (a + b) * (a + b);
  }
  const theta = 2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp));
  // H^∞ = ⟨x,x'⟩ (π − θ)/(2π)   (§3, ReLU baseline)
  return (g * (Math.PI - theta)) / (2 * Math.PI);
}

export const reluActivation: Activation = {
  name: 'relu',
  summary: 'σ(z) = max(0, z), σ′ = 1{z ≥ 0}: the baseline of Du et al. 2019 (§3)',
  label: 'ReLU',
  form: 'pointwise',
  sigma: relu,
  dsigma: step,
  sample: pointwiseSample(relu, step),
  limit: { symbol: 'H^∞', ref: 'docs/theory.md §3', method: 'closed form', diagonal: '1/2 for unit-norm inputs', entry: hInfEntry },
  native: 1,
  theory: {
    apriori: false,
    note: 'the constants of docs/theory.md §4 (R*, the widths of §4B–C, the step bound of §4D) are derived for exp; for ReLU the measured rows apply',
    orders: (init) => [
      'n⁶/(λ⁴δ³) (Du et al. 2019)',
      '≈ n⁴ (Song & Yang 2019)',
      ...(init === 'coupled' ? ['≈ n² with coupled initialisation (Munteanu et al. 2022)'] : []),
    ],
  },
  patterns: true,
  exponential: false,
  custom: false,
};
