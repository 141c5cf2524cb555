/**
 * The kernel monitor of docs/theory.md §4 as a training-loop monitor
 * (`train(data, { monitors: { ntk: ntkMonitor(K) } })`): every K steps it measures λ_min(H(W(k))),
 * ‖H(W(k)) − H(W(0))‖₂ and the movement R(k); every step the contraction ‖r(k+1)‖²/‖r(k)‖²; at the
 * end it returns the thresholds, the observations, the certificate, and the linearised prediction
 * and envelope at every step (the three curves of §4).
 */
import type { MonitorContext, TrainMonitor } from '../train/types.js';
import { SINGULAR_TEXT, type CertificateRow } from './certificate.js';
import { contractionEnvelopes, linearisedPrediction, type LinearisedPrediction } from './linearised.js';
import { createKernelMonitor, type KernelMonitor, type KernelMonitorInitial, type KernelObservation } from './monitor.js';
import { stopwatch } from './stopwatch.js';

/** The key the kernel monitor's report is stored under (TrainResult.monitors, RunResult.monitors). */
export const NTK_MONITOR = 'ntk';

/** Above this n the linearised prediction (one dense eigendecomposition, O(n³)) is skipped. */
export const LINEARISED_MAX_N = 1200;

/**
 * Default interval: monitoring a step costs one Gram matrix (O(n²m)) and two dense n×n spectral
 * computations (O(n³)); a GD step costs O(nmd). K = 400·n²/(md), at least 10 (more for n > 1000,
 * where the O(n³) part dominates), keeps monitoring to a few percent of a run. Deterministic in the
 * sizes, so that reruns monitor the same steps (the default run, native backend: 12.7 ms of 161, 7.9 %, medians of 20 fresh processes, 2026-12-04).
 */
export function autoMonitorEvery(n: number, m: number, d: number): number {
  const k = Math.ceil((400 * n * n) / (m * d)) * Math.max(1, n / 1000);
  return Math.max(10, Math.ceil(k));
}

export interface NtkReport {
  every: number;
  /** All kernel values on the NTK scale H/(κ²m); `etaNtk` = η κ² m is the matching step. */
  scale: 'ntk: H/(κ²m), η κ² m';
  initial: KernelMonitorInitial;
  thresholds: { lambdaHalf: number; lambdaQuarter: number; rStar: number; contraction: number };
  observations: KernelObservation[];
  certificate: CertificateRow[];
  allHeld: boolean;
  /** Why some rows of §4 are absent for this activation (its table entry's note), if they are. */
  note?: string;
  /** ‖(I − ηH(W(0)))^k r(0)‖ for k = 0 … steps (null when n > LINEARISED_MAX_N). */
  linearised: number[] | null;
  /** (1 − ηλ/2)^{k/2} ‖r(0)‖ for k = 0 … steps (NaN where 1 − ηλ/2 < 0). */
  envelope: number[];
  /**
   * Over the monitored steps (docs/theory.md §6): the largest relative kernel change
   * ‖H(W(k)) − H(W(0))‖₂/‖H(W(0))‖₂, the largest η κ² m · λ_max(H(W(k))) (≥ 2: the step left the
   * linearly stable regime, the "edge of stability"), and the largest median and Frobenius movement.
   */
  laziness: { maxRelativeDrift: number; maxSharpness: number; maxMovementMedian: number; maxMovementFrobenius: number };
  /** The per-step series merged into the training history (null where not measured). */
  perStep: {
    linearised: (number | null)[];
    envelope: number[];
    lambda_min: (number | null)[];
    kernel_drift: (number | null)[];
    lambda_max: (number | null)[];
    relative_drift: (number | null)[];
    movement_median: (number | null)[];
    movement_frobenius: (number | null)[];
  };
  /** Wall time spent monitoring. */
  timeMs: number;
}

/** The kernel monitor, with what its start measured readable before the run ends (e.g. for a step budget from λ_min(H(W(0)))). */
export type NtkMonitor = TrainMonitor<NtkReport> & { initial(): KernelMonitorInitial | undefined };

/**
 * `every`: the monitoring interval K. `denseUntil`: after this step only the steps K·2^j are
 * measured (and the last), so that a run far longer than foreseen costs O(log k) observations
 * (default: every K steps throughout).
 */
export function ntkMonitor(every: number, denseUntil = Infinity): NtkMonitor {
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`the monitoring interval must be a positive integer, got ${every}`);
  let mon: KernelMonitor | undefined;
  let lin: LinearisedPrediction | null = null;
  let r0Norm = NaN;
  let lastObserved = -1;
  const clock = stopwatch();
  const timed = <T>(f: () => T): T => clock.timed(f);
  const observe = (ctx: MonitorContext): void => {
    mon!.observe(ctx.k, ctx.W, ctx.residual);
    lastObserved = ctx.k;
  };
  return {
    initial: () => mon?.initial,
    start: (ctx) =>
      timed(() => {
        mon = createKernelMonitor({ backend: ctx.backend, problem: ctx.problem, W0: ctx.W0, eta: ctx.eta });
        r0Norm = ctx.residual;
        // eigh(H0) from the monitor's own reduction of H0 (= linearisedFromKernel(H0, …), one O(n³) reduction fewer)
        if (ctx.problem.n <= LINEARISED_MAX_N) lin = linearisedPrediction(mon.eigenH0(), Float64Array.from(ctx.r), mon.initial.etaNtk);
        observe(ctx);
      }),
    every,
    residual: (k, residual) => mon!.observeResidual(k, residual), // O(1): not worth timing
    observe: (ctx) =>
      timed(() => {
        mon!.observeResidual(ctx.k, ctx.residual);
        if (ctx.k % every === 0 && (ctx.k <= denseUntil || Number.isInteger(Math.log2(ctx.k / every)))) observe(ctx);
      }),
    finish: (ctx): NtkReport =>
      timed(() => {
        if (ctx.k !== lastObserved) observe(ctx); // the final state is always measured
        const m = mon!;
        const { rStar, etaNtk } = m.initial;
        const lambda = m.initial.lambda > 0 ? m.initial.lambda : Number.NaN; // singular H^lim: no thresholds (certificate.ts)
        const certificate = m.certificate();
        const { theory } = ctx.problem.activation;
        const notes = [...(m.initial.lambda > 0 ? [] : [SINGULAR_TEXT]), ...(!theory.apriori && theory.note ? [theory.note] : [])];
        const steps = ctx.k;
        const linearised = lin ? lin.residualNorms(steps) : null;
        const envelope = contractionEnvelopes(steps, etaNtk, lambda, r0Norm);
        const series = () => new Array<number | null>(steps + 1).fill(null);
        const lambdaMin = series();
        const drift = series();
        const lambdaMax = series();
        const relative = series();
        const median = series();
        const frobenius = series();
        // NaN (a kernel that overflowed) is not a maximum: Math.max would make the whole summary NaN
        const most = (xs: number[]): number => {
          const top = xs.filter((v) => !Number.isNaN(v)).reduce((a, b) => Math.max(a, b), -Infinity);
          return top === -Infinity ? Number.NaN : top;
        };
        for (const ob of m.observations) {
          if (ob.k > steps) continue;
          lambdaMin[ob.k] = ob.lambdaMin;
          drift[ob.k] = ob.kernelDrift;
          lambdaMax[ob.k] = ob.lambdaMax;
          relative[ob.k] = ob.relativeDrift;
          median[ob.k] = ob.movementMedian;
          frobenius[ob.k] = ob.movementFrobenius;
        }
        const obs = m.observations;
        return {
          every,
          scale: 'ntk: H/(κ²m), η κ² m',
          initial: m.initial,
          thresholds: { lambdaHalf: lambda / 2, lambdaQuarter: lambda / 4, rStar, contraction: 1 - (etaNtk * lambda) / 2 },
          observations: [...m.observations],
          certificate,
          allHeld: certificate.every((r) => r.held),
          ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
          linearised,
          envelope,
          laziness: {
            maxRelativeDrift: most(obs.map((o) => o.relativeDrift)),
            maxSharpness: most(obs.map((o) => etaNtk * o.lambdaMax)),
            maxMovementMedian: most(obs.map((o) => o.movementMedian)),
            maxMovementFrobenius: most(obs.map((o) => o.movementFrobenius)),
          },
          perStep: {
            linearised: linearised ?? series(),
            envelope,
            lambda_min: lambdaMin,
            kernel_drift: drift,
            lambda_max: lambdaMax,
            relative_drift: relative,
            movement_median: median,
            movement_frobenius: frobenius,
          },
          timeMs: clock.ms,
        };
      }),
  };
}
