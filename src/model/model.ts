/**
 * A trained (or freshly initialised) network together with everything that produced it, so that
 * any prediction can be reproduced: conventions, seed, W(0), W, a and the input normalisation.
 */
import type { Backend, Problem } from '../backend/types.js';
import { type Normalization, applyNormalization } from '../data/normalize.js';
import { DataError } from '../errors.js';
import type { Activation } from '../activations/types.js';
import { initialWeights } from './init.js';
import { type ModelSpec, kappaOf } from './spec.js';

export interface Model {
  readonly spec: ModelSpec;
  /** The network form spec.activation names (src/activations/). */
  readonly activation: Activation;
  /** Input dimension. */
  readonly d: number;
  /** κ of theory.md §1 (1/√m or 1). */
  readonly kappa: number;
  /** Fixed output signs a_r. */
  readonly a: Float64Array;
  /** W(0), m×d neuron-major. */
  readonly W0: Float64Array;
  /** Current weights W, m×d neuron-major (trained in place). */
  readonly W: Float64Array;
  /** The transform applied to raw inputs before the network sees them. */
  readonly normalization: Normalization;
}

export function createModel(spec: ModelSpec, activation: Activation, d: number, normalization: Normalization): Model {
  const { W0, a } = initialWeights(spec, d);
  return { spec: { ...spec }, activation, d, kappa: kappaOf(spec.scaling, spec.m), a, W0, W: Float64Array.from(W0), normalization };
}

/** The fixed part of training for this model on normalised inputs X (n×d) with labels y. */
export function problemOf(model: Model, X: Float64Array, y: Float64Array, n: number): Problem {
  return { n, d: model.d, m: model.spec.m, X, y, a: model.a, kappa: model.kappa, activation: model.activation };
}

/** F(W, x_i) for raw inputs X (n×d): applies the stored normalisation, then the network. */
export function predict(model: Model, backend: Backend, Xraw: Float64Array, n: number, d: number): Float64Array {
  if (d !== model.d) throw new DataError(`the model was trained on d = ${model.d} inputs, the data have d = ${d}`);
  const X = applyNormalization(model.normalization, Xraw, n, d);
  const u = new Float64Array(n);
  backend.forward(problemOf(model, X, new Float64Array(n), n), model.W, u);
  return u;
}
