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
  /** κ of docs/theory.md §1 (1/√m or 1). */
  readonly kappa: number;
  /** Fixed output signs a_r. */
  readonly a: Float64Array;
  /** W(0), m×d neuron-major. */
  readonly W0: Float64Array;
  /** Current weights W, m×d neuron-major (trained in place). */
  readonly W: Float64Array;
  /** The transform applied to raw inputs before the network sees them. */
  readonly normalization: Normalization;
  /** Names of the d input columns when it was trained on a CSV file: predict matches columns by them. */
  readonly inputNames?: readonly string[];
  /** The centred, α-scaled model of docs/theory.md §6: its output is α (F(W, x) − F(W(0), x)). Absent: F(W, x). */
  readonly alpha?: number;
}

export function createModel(spec: ModelSpec, activation: Activation, d: number, normalization: Normalization, inputNames?: readonly string[], alpha?: number): Model {
  const { W0, a } = initialWeights(spec, d);
  return {
    spec: { ...spec },
    activation,
    d,
    kappa: kappaOf(spec.scaling, spec.m),
    a,
    W0,
    W: Float64Array.from(W0),
    normalization,
    ...(inputNames ? { inputNames: [...inputNames] } : {}),
    ...(alpha !== undefined ? { alpha } : {}),
  };
}

/** The model's outputs on normalised inputs X (n×d): F(W, X), or α (F(W, X) − F(W(0), X)) for the centred model (docs/theory.md §6). */
export function outputs(model: Model, backend: Backend, X: Float64Array, n: number, out = new Float64Array(n)): Float64Array {
  const p = problemOf(model, X, new Float64Array(n), n);
  backend.forward(p, model.W, out);
  if (model.alpha !== undefined) {
    const u0 = new Float64Array(n);
    backend.forward(p, model.W0, u0);
    for (let i = 0; i < n; i++) out[i] = model.alpha * (out[i] - u0[i]);
  }
  return out;
}

/** The fixed part of training for this model on normalised inputs X (n×d) with labels y. */
export function problemOf(model: Model, X: Float64Array, y: Float64Array, n: number): Problem {
  return { n, d: model.d, m: model.spec.m, X, y, a: model.a, kappa: model.kappa, activation: model.activation };
}

/**
 * F(W, x_i) for raw inputs X (n×d): applies the stored normalisation, then the network. A value
 * that is not finite (σ overflowed on an input far outside the training data's range) is an error
 * naming its row, never a silent NaN or Infinity.
 */
export function predict(model: Model, backend: Backend, Xraw: Float64Array, n: number, d: number, where = 'the data'): Float64Array {
  if (d !== model.d) throw new DataError(`${where}: the model was trained on d = ${model.d} inputs, the data have d = ${d}`);
  const X = applyNormalization(model.normalization, Xraw, n, d, where);
  const u = outputs(model, backend, X, n);
  const bad = u.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm = Math.hypot(norm, X[bad * d + j]);
    throw new DataError(`${where}: row ${bad + 1}: F(W, x) = ${u[bad]} (‖x‖ = ${norm.toPrecision(4)} after the model's normalisation, where σ(⟨w_r, x⟩) overflows)${model.normalization.kind === 'none' ? '; the model was trained without normalisation, so it only accepts inputs of moderate norm' : ''}`);
  }
  return u;
}
