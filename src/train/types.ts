import type { Backend, Precision, Problem, Scaling } from '../backend/types.js';
import type { Dataset } from '../data/dataset.js';
import type { Normalization, NormalizeKind } from '../data/normalize.js';
import type { Hint } from '../errors.js';
import type { ActivationInput } from '../activations/index.js';
import type { Init } from '../activations/types.js';
import type { Model } from '../model/model.js';
import type { ModelSpec } from '../model/spec.js';

export type TrainStatus = 'converged' | 'max-steps' | 'diverged' | 'stopped';

/** What one step reports to callbacks. Arrays are live views: copy what you keep. */
export interface StepInfo {
  /** Steps taken so far (k = 0 is the initial state). */
  k: number;
  /** ‖r(k)‖₂ = ‖F(W(k),X) − y‖₂, the abstract's (unsquared) criterion. */
  residual: number;
  /** R(k) = max_r ‖w_r(k) − w_r(0)‖₂. */
  movement: number;
  /** ReLU only: fraction of (i, r) pairs whose pattern 1{⟨w_r,x_i⟩ ≥ 0} flipped since k = 0. */
  flipFraction?: number;
  /** ‖r(k)‖/‖r(k−1)‖ (NaN at k = 0). */
  ratio: number;
  W: Float64Array;
  r: Float64Array;
}

/** Held-out points as the trainer hands them to monitors (docs/theory.md §6). */
export interface HeldOut {
  /** The test inputs after the training set's normalisation, with their labels (problem.X, problem.y). */
  readonly problem: Problem;
  /** The model's outputs on them at W(0): F(W(0), X*), or 0 for the centred model. */
  readonly u0: Float64Array;
  readonly source: string;
}

/** Context given to monitors; everything a kernel-tracking monitor needs. */
export interface MonitorContext {
  readonly backend: Backend;
  readonly problem: Problem;
  readonly W0: Float64Array;
  readonly W: Float64Array;
  /** r(k) = u − y at the current W (for the centred model of §6, F_α(W, X) − y). */
  readonly r: Float64Array;
  /** Held-out points, when the run has them. */
  readonly test?: HeldOut;
  readonly residual: number;
  readonly eta: number;
  readonly k: number;
}

/**
 * Something that watches a run (e.g. the kernel monitor of docs/theory.md §4, theory/train-monitor.ts)
 * without changing it. The caller passes it in (`train(data, { monitors: { ntk: ntkMonitor(50) } })`)
 * and finds what `finish` returns under the same key in the result, typed.
 */
export interface TrainMonitor<R = unknown> {
  start?(ctx: MonitorContext): void;
  /**
   * The steps at which `observe` needs the state: k a multiple of `every` (default 1, every step).
   * Between them the trainer may take several steps in one backend call (Backend.runSteps).
   */
  readonly every?: number;
  /** Called after every `every`-th step (k ≥ 1) with the state after the step. */
  observe?(ctx: MonitorContext): void;
  /** Called after every step (k ≥ 1), in order, with ‖F(W(k), X) − y‖₂ (cheap: no state). */
  residual?(k: number, residual: number): void;
  /** Its value is the result's monitors[key]; a `perStep` field of it (series of length steps + 1) is also merged into the history. */
  finish?(ctx: MonitorContext): R;
}

/** Monitors by the key their results appear under (a key may be left out, as in Partial<…>). */
export type Monitors = Record<string, TrainMonitor<unknown> | undefined>;
/** What each monitor's `finish` returned, by key (optional where the monitor was). */
export type MonitorResults<M extends Monitors> = { [K in keyof M]: NonNullable<M[K]> extends TrainMonitor<infer R> ? R : never };

/** The model of a run: a spec whose activation may be a user-defined one (src/activations/custom.ts). */
export type TrainModelSpec = Omit<ModelSpec, 'activation'> & { activation: ActivationInput };

export interface TrainOptions<M extends Monitors = Monitors> {
  /** Model conventions; missing fields take DEFAULT_MODEL_SPEC. */
  model?: Partial<TrainModelSpec>;
  /** Default "unit". */
  normalize?: NormalizeKind;
  /** Step size η, or "auto" (default): η = 1/λ_max(H(W(0))). */
  eta?: number | 'auto';
  /** Stop when ‖r‖₂ ≤ ε. Default 0.01. */
  epsilon?: number;
  /** Step budget. Default 100000. */
  maxSteps?: number;
  /** Divergence when ‖r(k)‖ > factor · max(‖r(0)‖, ε). Default 1e3. */
  divergenceFactor?: number;
  /** Default: createBackend({ activation }) — the native backend when built and it has the activation's kernel, else the reference. */
  backend?: Backend;
  /** Called at k = 0 and then at least every `reportEvery` steps and at the last one; return false to stop (status "stopped"). */
  onStep?: (info: StepInfo) => void | boolean;
  /**
   * How often onStep must be called (default 1: after every step). Larger values let a backend
   * take the steps in between in one call (Backend.runSteps): the same bits, less overhead per step.
   */
  reportEvery?: number;
  /** The memory the run may use, in bytes (default: the machine's free memory); a larger run is refused before allocating (train/memory.ts). */
  maxMemory?: number;
  /** Called once λ_max and η are known, before the first step. */
  onEta?: (eta: EtaInfo) => void;
  /**
   * Asked between the pieces of the preparation before step 0 (each product of the power
   * iteration for η, the monitors' start): true ends the run there, status "stopped", 0 steps.
   * After step 0, onStep's return value stops it.
   */
  shouldStop?: () => boolean;
  /**
   * Asked once after the monitors' start: a step budget below maxSteps that depends on what they
   * measured (the width study's multiple of the linearised T, docs/theory.md §4E), with the words
   * that say why; undefined keeps maxSteps.
   */
  stepLimit?: (start: MonitorContext) => { steps: number; why: string } | undefined;
  /** Called before the first step with the preparation under way (η = 1/λ_max(H(W(0))), then each monitor's start). */
  onPrepare?: (what: 'eta' | 'monitors') => void;
  monitors?: M;
  /** Held-out points (raw, normalised like the training inputs): their residual is recorded at k = 0, every `testEvery` steps and at the end. */
  test?: Dataset;
  /** Default 1. */
  testEvery?: number;
  /**
   * The centred, α-scaled model of docs/theory.md §6 (Chizat et al. 2019): F_α(W, x) = α (F(W, x) − F(W(0), x)),
   * trained by GD on ½‖F_α(W, X) − y‖²/α². Absent: the plain network F.
   */
  alpha?: number;
}

/** The held-out side of a run (docs/theory.md §6). */
export interface TestResult {
  n: number;
  source: string;
  /** ‖u* − y*‖₂ at the end and at k = 0, and the RMSE ‖u* − y*‖₂/√n* at the end. */
  residual: number;
  initialResidual: number;
  rmse: number;
  /** The steps at which the test residual was recorded, and its values there. */
  history: { k: number[]; residual: number[] };
  /** u* = the model's outputs on the normalised test inputs at the final weights. */
  predictions: Float64Array;
  /** The normalised test inputs (n*×d) and their labels. */
  inputs: Float64Array;
  labels: Float64Array;
}

export interface EtaInfo {
  mode: 'auto' | 'fixed';
  eta: number;
  /** λ_max(H(W(0))) (auto mode), by power iteration below a size and by Lanczos or Jacobi–Davidson above (train/eta.ts). */
  lambdaMax?: number;
  /** How λ_max was found (auto mode). */
  method?: string;
  iterations?: number;
  converged?: boolean;
}

/** Per-step record, index k = 0 … steps. */
export interface History {
  residual: number[];
  movement: number[];
  /** ReLU only. */
  flipFraction?: number[];
  /** Per-step series contributed by monitors (e.g. the linearised prediction); null where not measured. */
  extra?: Record<string, (number | null)[]>;
}

/** The stopping rule: the unsquared ‖F(W,X) − y‖₂ ≤ ε of the abstract (docs/theory.md §2). */
export const CRITERION = 'l2-unsquared' as const;

/**
 * Everything needed to say how a number was produced, as typed values; report/conventions.ts and
 * cli/format.ts turn them into words.
 */
export interface Conventions {
  activation: string;
  scaling: Scaling;
  kappa: number;
  init: Init;
  width: number;
  seed: number;
  normalization: Normalization;
  precision: Precision;
  backend: string;
  threads: number;
  eta: number;
  etaMode: 'auto' | 'fixed';
  epsilon: number;
  criterion: typeof CRITERION;
  /** The output factor of the centred model (docs/theory.md §6); absent for the plain network. */
  alpha?: number;
}

export interface TrainResult<M extends Monitors = Monitors> {
  model: Model;
  status: TrainStatus;
  /** One sentence: what happened (no command-line flags: see `hints`). */
  message: string;
  /** What to change to do better when the run failed, e.g. { field: 'eta', value: 0.001 }. */
  hints: Hint[];
  steps: number;
  initialResidual: number;
  residual: number;
  eta: EtaInfo;
  history: History;
  conventions: Conventions;
  data: { n: number; d: number; source: string };
  /** u = F(W, X) at the final weights, on the normalised training inputs. */
  predictions: Float64Array;
  /** The normalised inputs the network was trained on (n×d). */
  inputs: Float64Array;
  timeMs: number;
  monitors: MonitorResults<M>;
  /** The held-out points' results, when the run had them. */
  test?: TestResult;
}
