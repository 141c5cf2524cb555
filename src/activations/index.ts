/**
 * The table of network forms: every layer (backends, kernels, trainer, certificate, bounds,
 * reports, CLI help and the `--activation` choices) reads an activation's facts from here.
 * Adding an activation with a closed-form kernel is one new module beside these plus its tests;
 * making it fast is one native function (native/README.md).
 */
import { OptionError } from '../errors.js';
import { cosh } from './cosh.js';
import { defineActivation, type ActivationFunctions } from './custom.js';
import { exp } from './exp.js';
import { reluActivation } from './relu.js';
import { sinh } from './sinh.js';
import { softmax } from './softmax.js';
import type { Activation, ActivationName } from './types.js';

export type { Activation, ActivationName, Init, LimitKernel, TheoryFacts } from './types.js';
export type { ActivationFunctions } from './custom.js';
export { DEFAULT_QUADRATURE_DEGREE } from './custom.js';
export { gaussHermite, gaussian2, type GaussRule } from './quadrature.js';
export { inputGram, limitKernel, limitCrossKernel } from './kernel.js';
export { pairwiseSum, NEURON_LEAF } from './sum.js';

/** The built-in activations, in the order help texts list them. */
export const ACTIVATIONS: Readonly<Record<ActivationName, Activation>> = {
  exp,
  relu: reluActivation,
  cosh,
  sinh,
  softmax,
};

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as readonly ActivationName[];

export function isActivationName(v: unknown): v is ActivationName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(ACTIVATIONS, v);
}

/** The built-in activation of this name; OptionError (field "activation") otherwise. */
export function activationByName(name: string): Activation {
  if (isActivationName(name)) return ACTIVATIONS[name];
  throw new OptionError(`unknown activation '${name}' (expected one of: ${ACTIVATION_NAMES.join(', ')})`, { field: 'activation' });
}

/** A built-in name, an Activation already resolved, or the functions of a user-defined one. */
export type ActivationInput = string | Activation | ActivationFunctions;

export function resolveActivation(a: ActivationInput): Activation {
  if (typeof a === 'string') return activationByName(a);
  if (a !== null && typeof a === 'object' && 'sample' in a && 'limit' in a) return a;
  return defineActivation(a as ActivationFunctions, ACTIVATION_NAMES);
}

/** A user-defined activation from plain functions σ and σ' (reference backend, kernel by quadrature). */
export function customActivation(f: ActivationFunctions): Activation {
  return defineActivation(f, ACTIVATION_NAMES);
}
