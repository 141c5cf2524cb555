/**
 * An activation defined by the library user from plain functions σ and σ' (docs/theory.md §5, "any
 * activation"): it runs on the reference backend (no native kernel), and its limit kernel is
 * H(x, x') = ⟨x, x'⟩ E[σ'(u) σ'(v)] by two-dimensional Gauss–Hermite quadrature (quadrature.ts),
 * meant for smooth σ (a kink, as in ReLU, converges slowly). The §4 constants are derived for exp;
 * for these networks the certificate shows the measured rows.
 */
import { OptionError } from '../errors.js';
import { pointwiseSample } from './pointwise.js';
import { gaussian2 } from './quadrature.js';
import type { Activation } from './types.js';

/**
 * Default Gauss–Hermite points per dimension. Against the closed forms of exp, cosh and sinh (measured):
 * 20 points reach rounding (≤ 2e-15 relative) for ‖x‖ ≤ 1, 32 points for ‖x‖ ≤ 2 (24 give 7e-11 there).
 */
export const DEFAULT_QUADRATURE_DEGREE = 32;

export interface ActivationFunctions {
  /** A name for outputs; must differ from the built-in names. */
  readonly name: string;
  readonly sigma: (z: number) => number;
  readonly dsigma: (z: number) => number;
  /** Gauss–Hermite points per dimension for the limit kernel (default DEFAULT_QUADRATURE_DEGREE). */
  readonly quadratureDegree?: number;
  /** σ grows like e^{|z|}, so inputs must stay near the unit ball (default false). */
  readonly exponential?: boolean;
}

export function defineActivation(f: ActivationFunctions, builtinNames: readonly string[] = []): Activation {
  if (f === null || typeof f !== 'object') throw new OptionError('a custom activation is an object { name, sigma, dsigma }', { field: 'activation' });
  if (typeof f.name !== 'string' || !/^[A-Za-z][\w.-]{0,63}$/.test(f.name)) {
    throw new OptionError(`a custom activation needs a name of letters, digits, '_', '.', '-' (got ${JSON.stringify(f.name)})`, { field: 'activation' });
  }
  if (builtinNames.includes(f.name)) throw new OptionError(`'${f.name}' is a built-in activation; give the custom one another name`, { field: 'activation' });
  if (typeof f.sigma !== 'function' || typeof f.dsigma !== 'function') {
    throw new OptionError(`custom activation '${f.name}': sigma and dsigma must be functions of one number`, { field: 'activation' });
  }
  const K = f.quadratureDegree ?? DEFAULT_QUADRATURE_DEGREE;
  if (!Number.isInteger(K) || K < 2 || K > 200) throw new OptionError(`custom activation '${f.name}': quadratureDegree must be an integer in [2, 200], got ${K}`, { field: 'activation' });
  const { sigma, dsigma } = f;
  return {
    name: f.name,
    summary: `user-defined σ (${f.name}), reference backend only`,
    label: f.name,
    form: 'pointwise',
    sigma,
    dsigma,
    sample: pointwiseSample(sigma, dsigma),
    limit: {
      symbol: `H^${f.name}`,
      ref: 'docs/theory.md §5 (any activation)',
      method: `Gauss–Hermite quadrature, ${K}×${K} points`,
      diagonal: 'E[σ′(g)²] for unit-norm inputs, g ~ N(0, 1)',
      // ⟨x,x'⟩ E[σ'(u)σ'(v)]   (§5, by quadrature)
      entry: (g, q, qp) => (g === 0 ? 0 : g * gaussian2(dsigma, dsigma, g, q, qp, K)),
    },
    native: null,
    theory: { apriori: false, note: 'the constants of docs/theory.md §4 are derived for exp; for a user-defined activation the measured rows apply', orders: () => [] },
    patterns: false,
    exponential: f.exponential ?? false,
    custom: true,
  };
}
