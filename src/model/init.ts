/**
 * Initialisation (docs/theory.md §1 and §3, coupled initialisation of Munteanu et al. 2022), drawn from
 * the generator's "init" stream. Draw order, which fixes the bits for a seed:
 *   gaussian: w_1 … w_m (each d normals in coordinate order), then a_1 … a_m;
 *   coupled:  w_1 … w_{m/2}, then a_1 … a_{m/2}; w_{r+m/2} = w_r and a_{r+m/2} = −a_r.
 */
import { Rng } from '../random/xoshiro.js';
import { checkSeed, checkWidth, parseInit, type ModelSpec } from './spec.js';

export interface InitialWeights {
  /** W(0), m×d neuron-major (w_r = W[r*d … r*d+d)). */
  W0: Float64Array;
  /** a, length m, entries ±1. */
  a: Float64Array;
}

export function initialWeights(spec: ModelSpec, d: number): InitialWeights {
  const m = checkWidth(spec.m, parseInit(spec.init));
  checkSeed(spec.seed);
  const rng = new Rng(spec.seed, 'init');
  const W0 = new Float64Array(m * d);
  const a = new Float64Array(m);
  const drawn = spec.init === 'coupled' ? m / 2 : m;
  for (let k = 0; k < drawn * d; k++) W0[k] = rng.normal();
  for (let r = 0; r < drawn; r++) a[r] = rng.sign();
  if (spec.init === 'coupled') {
    // F(W(0), x) = κ Σ_{r ≤ m/2} a_r (σ(⟨w_r,x⟩) − σ(⟨w_r,x⟩)) = 0 exactly, for every x
    W0.copyWithin(drawn * d, 0, drawn * d);
    for (let r = 0; r < drawn; r++) a[r + drawn] = -a[r];
  }
  return { W0, a };
}
