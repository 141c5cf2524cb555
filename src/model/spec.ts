/**
 * The network's conventions (theory.md §1, §3): activation, output scaling, initialisation, width.
 */
import type { Activation, Scaling } from '../backend/types.js';
import { OptionError } from '../errors.js';

export type Init = 'gaussian' | 'coupled';

export const ACTIVATION_NAMES: readonly Activation[] = ['exp', 'relu'];
export const SCALING_NAMES: readonly Scaling[] = ['ntk', 'none'];
export const INIT_NAMES: readonly Init[] = ['gaussian', 'coupled'];

export interface ModelSpec {
  activation: Activation;
  /** "ntk": κ = 1/√m (the convergence literature's convention, default); "none": κ = 1 (the abstract's sum). */
  scaling: Scaling;
  /** "gaussian": w_r(0) ~ N(0, I_d), a_r fair signs; "coupled": pairs w_{r+m/2}(0) = w_r(0), a_{r+m/2} = −a_r. */
  init: Init;
  /** Width m (number of neurons). */
  m: number;
  /** Seed of the initialisation stream. */
  seed: number;
}

export const DEFAULT_MODEL_SPEC: ModelSpec = { activation: 'exp', scaling: 'ntk', init: 'gaussian', m: 4096, seed: 0 };

function oneOf<T extends string>(what: string, names: readonly T[], v: string): T {
  if ((names as readonly string[]).includes(v)) return v as T;
  throw new OptionError(`unknown ${what} '${v}' (expected one of: ${names.join(', ')})`);
}
export const parseActivation = (v: string): Activation => oneOf('activation', ACTIVATION_NAMES, v);
export const parseScaling = (v: string): Scaling => oneOf('scaling', SCALING_NAMES, v);
export const parseInit = (v: string): Init => oneOf('initialisation', INIT_NAMES, v);

/** κ of theory.md §1. */
export function kappaOf(scaling: Scaling, m: number): number {
  return scaling === 'ntk' ? 1 / Math.sqrt(m) : 1;
}

/** Throws an OptionError for a spec that cannot be initialised. */
export function validateSpec(spec: ModelSpec): ModelSpec {
  parseActivation(spec.activation);
  parseScaling(spec.scaling);
  parseInit(spec.init);
  if (!Number.isSafeInteger(spec.m) || spec.m < 1) throw new OptionError(`width must be a positive integer, got ${spec.m}`);
  if (spec.init === 'coupled' && spec.m % 2 !== 0) {
    throw new OptionError(`coupled initialisation needs an even width (neurons come in pairs), got ${spec.m}`);
  }
  if (!Number.isSafeInteger(spec.seed) || spec.seed < 0) throw new OptionError(`seed must be a non-negative integer, got ${spec.seed}`);
  return spec;
}
