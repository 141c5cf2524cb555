/**
 * What the kernels predict on the run's held-out points (docs/theory.md §6), as a training-loop
 * monitor (`train(data, { test, monitors: { heldout: heldOutMonitor(K) } })`): at W(0) it forms
 * the kernel on training and test points (one Gram matrix of both, kernel/empirical.ts) and the
 * infinite-width kernel and cross-kernel; at the end it returns, at k = 0, every K steps and the
 * final step, the test and training residuals of
 *   - the linearised network  f_lin,k = F(W(0), ·) − H_0(·, X) P_k r(0)            (H_0 = H(W(0)))
 *   - the infinite-width one   f_∞,k  = −H^lim(·, X) P_k (−y)                        (H^lim)
 * with the run's step on the NTK scale, η κ² m, and both predictions at the final step and at
 * k → ∞ (kernel interpolation, where the recursion is stable). The network's own test residual
 * is the trainer's (TrainResult.test).
 */
import { normalisedJointKernel, ntkNormalisation } from '../kernel/empirical.js';
import { infiniteCrossKernel, infiniteKernel } from '../kernel/infinite.js';
import { kernelRegression, type KernelRegression } from '../kernel/regression.js';
import { DataError } from '../errors.js';
import type { MonitorContext, TrainMonitor } from '../train/types.js';
import { stopwatch } from './stopwatch.js';

/** The key the held-out report is stored under (TrainResult.monitors, RunResult.monitors). */
export const HELDOUT_MONITOR = 'heldout';

/** At most this many steps get predictions (evenly thinned beyond): each costs O(n* n) per predictor. */
export const HELDOUT_POINTS = 2000;

/** One predictor's curves at the report's steps. */
export interface PredictorCurves {
  /** ‖f_k(X*) − y*‖₂ */
  test: number[];
  /** ‖f_k(X) − y‖₂ = ‖(I − ηH)^k r(0)‖₂ */
  train: number[];
  /** f(X*) at the final step. */
  final: Float64Array;
  /** The k → ∞ limit: its test residual and predictions (null when η λ_max ≥ 2, where the recursion does not converge). */
  limit: { test: number; train: number; predictions: Float64Array } | null;
  /** η λ_max < 2 on this kernel. */
  stable: boolean;
  /** Directions left out as eigenvalue zero to rounding (kernel/regression.ts). */
  dropped: number;
}

export interface HeldOutReport {
  scale: 'ntk: H/(κ²m), η κ² m';
  nTest: number;
  source: string;
  /** η κ² m: the step both predictors take. */
  etaNtk: number;
  /** The steps of the curves. */
  k: number[];
  linearised: PredictorCurves;
  infinite: PredictorCurves;
  /** The test residuals of both predictors merged into the training history (null where not computed). */
  perStep: { test_residual_lin: (number | null)[]; test_residual_inf: (number | null)[] };
  timeMs: number;
}

function norm(v: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - y[i]) ** 2;
  return Math.sqrt(s);
}

export function heldOutMonitor(every: number): TrainMonitor<HeldOutReport> {
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`the interval must be a positive integer, got ${every}`);
  let lin: KernelRegression | undefined;
  let inf: KernelRegression | undefined;
  let etaNtk = NaN;
  const clock = stopwatch();
  const timed = <T>(f: () => T): T => clock.timed(f);
  return {
    start: (ctx: MonitorContext) =>
      timed(() => {
        const t = ctx.test;
        if (!t) throw new RangeError('the held-out monitor needs test points (TrainOptions.test)');
        const p = ctx.problem;
        const { n, d } = p;
        const nt = t.problem.n;
        etaNtk = ctx.eta / ntkNormalisation(p); // η κ² m   (docs/theory.md §6: the run's η on the kernel H(W(0)) tends to)
        const joint = normalisedJointKernel(ctx.backend, p, ctx.W0, t.problem.X, nt);
        const bad = [joint.train, joint.cross].findIndex((K) => !K.every(Number.isFinite));
        if (bad >= 0) throw new DataError(`the kernel H(W(0)) on the ${bad === 0 ? 'training' : 'test'} points is not finite: σ'(⟨w_r, x⟩) overflows for these inputs (the theory assumes ‖x‖ ≤ 1)`, { field: 'normalize', hints: [{ field: 'normalize', value: 'unit' }] });
        lin = kernelRegression({ H: joint.train, n, cross: joint.cross, nTest: nt, r0: Float64Array.from(ctx.r), f0Test: t.u0, eta: etaNtk });
        const limit = infiniteKernel(p.activation, p.X, n, d);
        const cross = infiniteCrossKernel(p.activation, t.problem.X, nt, p.X, n, d);
        inf = kernelRegression({ H: limit, n, cross, nTest: nt, r0: Float64Array.from(p.y, (v) => -v), eta: etaNtk });
      }),
    finish: (ctx: MonitorContext): HeldOutReport =>
      timed(() => {
        const t = ctx.test!;
        const y = t.problem.y;
        const steps = ctx.k;
        const all: number[] = [];
        for (let k = 0; k < steps; k += every) all.push(k);
        all.push(steps);
        const ks = all.length <= HELDOUT_POINTS ? all : Array.from(new Set(Array.from({ length: HELDOUT_POINTS }, (_, j) => all[Math.round((j * (all.length - 1)) / (HELDOUT_POINTS - 1))])));
        const curves = (kr: KernelRegression): PredictorCurves => {
          const out = new Float64Array(t.problem.n);
          const test = ks.map((k) => norm(kr.predict(k, out), y));
          const final = Float64Array.from(kr.predict(steps));
          const predictions = kr.stable ? kr.predict(Infinity) : null;
          return {
            test,
            train: ks.map((k) => kr.trainResidualNorm(k)),
            final,
            limit: predictions ? { test: norm(predictions, y), train: kr.trainResidualNorm(Infinity), predictions } : null,
            stable: kr.stable,
            dropped: kr.dropped,
          };
        };
        const linearised = curves(lin!);
        const infinite = curves(inf!);
        const perStep = (c: PredictorCurves): (number | null)[] => {
          const xs = new Array<number | null>(steps + 1).fill(null);
          ks.forEach((k, i) => (xs[k] = c.test[i]));
          return xs;
        };
        return {
          scale: 'ntk: H/(κ²m), η κ² m',
          nTest: t.problem.n,
          source: t.source,
          etaNtk,
          k: ks,
          linearised,
          infinite,
          perStep: { test_residual_lin: perStep(linearised), test_residual_inf: perStep(infinite) },
          timeMs: clock.ms,
        };
      }),
  };
}
