/**
 * Concentration at initialisation (docs/theory.md §4B): ‖H(W(0)) − H^lim‖₂ against λ/4, with
 * λ = λ_min(H^lim), as a training-loop monitor that measures at the start only. It is the kernel
 * monitor's initial measurement without the rest (no B scan, no eigenvectors, no observations), so
 * that the width study (experiments/width-study.ts) can push this event to large n at the cost of
 * one Gram matrix (O(n²m)), λ_min(H^lim) (once per data set) and a spectral norm (Lanczos above n = 400).
 */
import { spectralDistance } from '../kernel/distance.js';
import { normalisedKernel } from '../kernel/empirical.js';
import { infiniteKernel } from '../kernel/infinite.js';
import { kernelLambdaMin } from '../linalg/eigh.js';
import type { TrainMonitor } from '../train/types.js';
import { DataError } from '../errors.js';
import type { Activation } from '../activations/index.js';

/** The key its report is stored under (TrainResult.monitors, RunResult.monitors). */
export const CONCENTRATION_MONITOR = 'concentration';

export interface ConcentrationReport {
  /** All kernels on the NTK scale H/(κ²m). */
  scale: 'ntk: H/(κ²m)';
  /** λ = λ_min(H^lim). */
  lambda: number;
  /** ‖H(W(0)) − H^lim‖₂. */
  initDistance: number;
  /** initDistance ≤ λ/4: the event of §4B (false for a singular H^lim, λ ≤ 0). */
  held: boolean;
}

/**
 * λ_min(H^lim) of the last data set seen (by activation and the inputs' bits): the runs of one
 * width study cell share their data, and at n = 1024 this O(n³) reduction is most of a run's time.
 */
let lastLambda: { activation: Activation; X: Buffer; lambda: number } | undefined;

function limitLambda(activation: Activation, X: Float64Array, limit: Float64Array, n: number): number {
  const bytes = Buffer.from(X.buffer, X.byteOffset, X.byteLength);
  if (lastLambda && lastLambda.activation === activation && lastLambda.X.equals(bytes)) return lastLambda.lambda;
  const lambda = kernelLambdaMin(limit, n);
  lastLambda = { activation, X: Buffer.from(bytes), lambda };
  return lambda;
}

export function concentrationMonitor(): TrainMonitor<ConcentrationReport> {
  let report: ConcentrationReport | undefined;
  return {
    start: (ctx) => {
      const { problem: p, backend, W0 } = ctx;
      const { n, d } = p;
      const limit = infiniteKernel(p.activation, p.X, n, d);
      const H0 = normalisedKernel(backend, p, W0);
      if (!H0.every(Number.isFinite)) throw new DataError("the kernel H(W(0)) is not finite: σ'(⟨w_r, x_i⟩) overflows for these inputs (the theory assumes ‖x‖ ≤ 1)", { field: 'normalize' });
      const lambda = limitLambda(p.activation, p.X, limit, n);
      const initDistance = spectralDistance(H0, limit, n);
      report = { scale: 'ntk: H/(κ²m)', lambda, initDistance, held: lambda > 0 && initDistance <= lambda / 4 }; // §4B: ‖H(W(0)) − H^lim‖₂ ≤ λ/4
    },
    finish: () => {
      if (!report) throw new Error('internal: the concentration monitor finished without a start');
      return report;
    },
  };
}
