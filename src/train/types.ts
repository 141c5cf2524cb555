import type { Backend, Problem } from '../backend/types.js';
import type { NormalizeKind } from '../data/normalize.js';
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

/** Context given to monitors; everything a kernel-tracking monitor needs. */
export interface MonitorContext {
  readonly backend: Backend;
  readonly problem: Problem;
  readonly W0: Float64Array;
  readonly W: Float64Array;
  /** r(k) = u − y at the current W. */
  readonly r: Float64Array;
  readonly residual: number;
  readonly eta: number;
  readonly k: number;
}

/** Something that watches a run (e.g. the NTK monitor of theory.md §4) without changing it. */
export interface TrainMonitor {
  readonly name: string;
  start?(ctx: MonitorContext): void;
  /** Called after every step (k ≥ 1) with the state after the step; the monitor picks its own cadence. */
  observe?(ctx: MonitorContext): void;
  /**
   * Its value is stored in the result under monitors[name]; a `perStep` field of it (series of
   * length steps + 1) is also merged into the history, so logs and reports carry it.
   */
  finish?(ctx: MonitorContext): unknown;
}

export interface TrainOptions {
  /** Model conventions; missing fields take DEFAULT_MODEL_SPEC. */
  model?: Partial<ModelSpec>;
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
  /** Kernel monitoring interval (theory.md §4): 0 = off (default), or every K steps. */
  monitorEvery?: number;
  /** Default: createBackend() — the native backend when built, else the reference. */
  backend?: Backend;
  /** Called at k = 0 and after every step; return false to stop (status "stopped"). */
  onStep?: (info: StepInfo) => void | boolean;
  /** Called once λ_max and η are known, before the first step. */
  onEta?: (eta: EtaInfo) => void;
  monitors?: TrainMonitor[];
}

export interface EtaInfo {
  mode: 'auto' | 'fixed';
  eta: number;
  /** λ_max(H(W(0))) by power iteration (auto mode). */
  lambdaMax?: number;
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

/** Everything needed to say how a number was produced. */
export interface Conventions {
  activation: string;
  scaling: string;
  kappa: number;
  init: string;
  width: number;
  seed: number;
  normalization: string;
  precision: string;
  backend: string;
  threads: number;
  eta: number;
  etaMode: 'auto' | 'fixed';
  epsilon: number;
  criterion: string;
}

export interface TrainResult {
  model: Model;
  status: TrainStatus;
  /** One sentence: what happened, and what to try if it failed. */
  message: string;
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
  monitors: Record<string, unknown>;
}
