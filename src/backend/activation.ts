/**
 * The two activations, each value next to its derivative (theory.md §1 and the ReLU baseline of §3).
 */
import type { Activation } from './types.js';

export interface ActivationFns {
  /** σ(z) */
  readonly sigma: (z: number) => number;
  /** σ'(z); for ReLU the convention of Du et al. 2019, 1{z ≥ 0}. */
  readonly dsigma: (z: number) => number;
}

export const ACTIVATIONS: Readonly<Record<Activation, ActivationFns>> = {
  // σ(z) = e^z, σ'(z) = e^z
  exp: { sigma: Math.exp, dsigma: Math.exp },
  // σ(z) = max(0, z), σ'(z) = 1{z ≥ 0}
  relu: { sigma: (z) => (z > 0 ? z : 0), dsigma: (z) => (z >= 0 ? 1 : 0) },
};
