/**
 * The seam between the trainer and the hot loops. Every backend computes the same functions of
 * docs/theory.md §1–3 and §5 for every network form (src/activations/); `reference.ts` is the
 * plain oracle, faster backends are tested against it.
 *
 * Storage (flat, row-major, float64 at the interface):
 * - X: n×d, sample i is X[i*d … i*d+d).
 * - W: m×d, neuron r's weights w_r are W[r*d … r*d+d). This is docs/theory.md's d×m matrix
 *   W = [w_1 … w_m] stored column-major, so that each neuron is contiguous.
 * - u, r, y: length n. a: length m. H: n×n.
 */

import type { Activation } from '../activations/types.js';

export type { Activation, ActivationName } from '../activations/types.js';
export type Scaling = 'ntk' | 'none';
export type Precision = 'f64' | 'f32';

/** Everything that stays fixed while W is trained: the data and the output layer. */
export interface Problem {
  readonly n: number;
  readonly d: number;
  readonly m: number;
  /** n×d inputs, already normalised. */
  readonly X: Float64Array;
  /** n labels. */
  readonly y: Float64Array;
  /** m fixed output signs a_r ∈ {−1, +1}. */
  readonly a: Float64Array;
  /** Output scale κ: 1/√m for "ntk" scaling, 1 for "none" (docs/theory.md §1). */
  readonly kappa: number;
  /** The network form (σ, σ′, or the softmax network), from the table in src/activations. */
  readonly activation: Activation;
}

export interface Backend {
  /** Short name printed with every result, e.g. "reference" or "native-avx512". */
  readonly name: string;
  readonly precision: Precision;
  readonly threads: number;

  /** u_i = F(W, x_i) = κ f(z_i, a), z_ir = ⟨w_r, x_i⟩: κ Σ_r a_r σ(z_ir) pointwise (§1), κ m Σ_r a_r s_r(x_i) softmax (§5). */
  forward(p: Problem, W: Float64Array, u: Float64Array): void;

  /** G = ∇_W L with L = ½‖r‖², given r = F(W,X) − y:  g_r = κ Σ_i r_i φ_ir x_i, φ_ir = ∂f/∂z_ir (§2, §5). */
  gradient(p: Problem, W: Float64Array, r: Float64Array, G: Float64Array): void;

  /**
   * One gradient-descent step in place: W ← W − η ∇L(W), where `r` is the residual at the
   * current W; then writes u = F(W_new, X) so that the caller can form the next residual (§2).
   */
  step(p: Problem, W: Float64Array, r: Float64Array, eta: number, u: Float64Array): void;

  /**
   * Jacobian–vector product of u(W) in direction V (m×d):
   * out_i = κ Σ_r φ_ir ⟨v_r, x_i⟩. With J this Jacobian, H = J Jᵀ, so
   * H v = jvp(gradient(v)): the matrix-free product used by power iteration and Lanczos.
   */
  jvp(p: Problem, W: Float64Array, V: Float64Array, out: Float64Array): void;

  /** Empirical NTK H(W)_ij = κ² ⟨x_i,x_j⟩ Σ_r φ_ir φ_jr  (§3; pointwise: φ_ir φ_jr = σ'(z_ir) σ'(z_jr)), n×n. */
  gram(p: Problem, W: Float64Array, H: Float64Array): void;

  /** Number of pairs (i, r) whose ReLU pattern 1{⟨w_r,x_i⟩ ≥ 0} differs between W0 and W. */
  patternFlips(p: Problem, W0: Float64Array, W: Float64Array): number;

  /** Whether this backend has kernels for the activation (the native backend has none for user-defined ones). */
  supports(activation: Activation): boolean;

  /**
   * Optional: up to `o.steps` gradient-descent steps in one call, with the trainer's stopping rules
   * and bookkeeping between them (src/train/train.ts), giving the same bits as that many `step`
   * calls followed by the trainer's own residual, movement and divergence checks.
   */
  runSteps?(p: Problem, s: RunState, o: RunStepsOptions, out: RunStepsOut): RunStepsResult;

  /**
   * Optional: several independent runSteps calls at once (the jobs spread over the backend's
   * threads, each job on one), with each job's bits those of its runSteps alone.
   */
  runMany?(jobs: readonly RunJob[]): RunStepsResult[];
}

/** One runSteps call's arguments. */
export interface RunJob {
  p: Problem;
  s: RunState;
  o: RunStepsOptions;
  out: RunStepsOut;
}

/** The arrays a run of steps updates in place (W, u, r, rModel) or reads (W0, y). */
export interface RunState {
  W: Float64Array;
  W0: Float64Array;
  y: Float64Array;
  u: Float64Array;
  /** The gradient's residual: u − y, or (F_α − y)/α for the centred model. */
  r: Float64Array;
  /** F_α − y for the centred model (the same array as r for the plain network). */
  rModel: Float64Array;
}

export interface RunStepsOptions {
  steps: number;
  /** The step size η of every step. */
  eta: number;
  /** ‖r‖ before the first step of the call. */
  residual: number;
  /** Stop before a step once ‖r‖ ≤ ε. */
  epsilon: number;
  /** Stop after a step once ‖r‖ > limit (divergence). */
  limit: number;
  /** The centred model (docs/theory.md §6): its α and F(W(0), X). */
  alpha?: number;
  u0?: Float64Array;
  /** ReLU: count the pattern flips against W(0) after every step. */
  flips: boolean;
}

/** Per step b of the call (entry b): ‖r‖, R = max_r ‖w_r − w_r(0)‖₂ and (flips) the number of flipped patterns. */
export interface RunStepsOut {
  residual: Float64Array;
  movement: Float64Array;
  flips?: Float64Array;
}

export interface RunStepsResult {
  steps: number;
  /** 0: all steps taken; 1: ‖r‖ ≤ ε reached; 2: the output or W became non-finite (the last finite state is kept, the step not counted); 3: ‖r‖ > limit. */
  reason: 0 | 1 | 2 | 3;
}
