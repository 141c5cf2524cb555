/**
 * The network's conventions (docs/theory.md §1, §3, §5): activation, output scaling,
 * initialisation, width, seed. A spec names its activation; the activation's facts come from the
 * table in src/activations (or from a user-defined activation of that name).
 */
import type { Scaling } from '../backend/types.js';
import { OptionError } from '../errors.js';
import { activationByName, type Activation } from '../activations/index.js';
import type { Init } from '../activations/types.js';

export type { Init } from '../activations/types.js';
export { ACTIVATION_NAMES } from '../activations/index.js';
export const SCALING_NAMES: readonly Scaling[] = ['ntk', 'none'];
export const INIT_NAMES: readonly Init[] = ['gaussian', 'coupled'];

export interface ModelSpec {
  /** A built-in activation's name (ACTIVATION_NAMES), or the name of a user-defined one. */
  activation: string;
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

function oneOf<T extends string>(field: string, what: string, names: readonly T[], v: unknown): T {
  if ((names as readonly unknown[]).includes(v)) return v as T;
  throw new OptionError(`unknown ${what} '${String(v)}' (expected one of: ${names.join(', ')})`, { field });
}
export const parseScaling = (v: unknown): Scaling => oneOf('scaling', 'scaling', SCALING_NAMES, v);
export const parseInit = (v: unknown): Init => oneOf('init', 'initialisation', INIT_NAMES, v);

/** κ of docs/theory.md §1. */
export function kappaOf(scaling: Scaling, m: number): number {
  return scaling === 'ntk' ? 1 / Math.sqrt(m) : 1;
}

/** Width m: a positive integer (even for coupled initialisation). */
export function checkWidth(m: unknown, init: Init): number {
  if (typeof m !== 'number' || !Number.isSafeInteger(m) || m < 1) throw new OptionError(`width m must be a positive integer, got ${String(m)}`, { field: 'm' });
  if (init === 'coupled' && m % 2 !== 0) {
    throw new OptionError(`coupled initialisation needs an even width (neurons come in pairs), got ${m}`, { field: 'm' });
  }
  return m;
}

/** A seed: a non-negative safe integer. */
export function checkSeed(v: unknown, field = 'seed'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new OptionError(`${field === 'seed' ? 'the seed' : field} must be a non-negative integer, got ${String(v)}`, { field });
  return v;
}

/**
 * Checks a spec field by field (OptionError naming the field) and returns its activation: the
 * built-in of that name, or `custom` when the spec names that user-defined activation.
 */
export function validateSpec(spec: ModelSpec, custom?: Activation): Activation {
  if (spec === null || typeof spec !== 'object') throw new OptionError('the model spec must be an object', { field: 'model' });
  const act = custom && spec.activation === custom.name ? custom : activationByName(spec.activation);
  parseScaling(spec.scaling);
  const init = parseInit(spec.init);
  checkWidth(spec.m, init);
  checkSeed(spec.seed);
  return act;
}
