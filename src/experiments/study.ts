/**
 * `threshold`: for each activation × initialisation and each n, the smallest width m* at which GD
 * reaches ε within the budget for at least a fraction 1 − δ of seeds; then a power-law fit
 * m* ≈ C·n^b with a confidence interval, shown beside the orders the theory gives.
 */
import { activationByName, type ActivationName } from '../activations/index.js';
import type { Init } from '../model/spec.js';
import type { Grid } from './grid.js';
import { expandGrid } from './grid.js';
import type { RunResult } from './run.js';
import { fitPowerLaw, type PowerLawFit } from './stats.js';
import { runSweep, type SweepOptions } from './sweep.js';
import { searchThreshold, type Probe, type ThresholdOptions } from './threshold.js';

export interface ThresholdPoint {
  n: number;
  mStar: number | null;
  mBelow: number | null;
  probes: Probe[];
  /**
   * Why the search stopped without an answer: runs at a probed width ended in an error (a run that
   * could not be done says nothing about convergence), or the study was interrupted. m* is then null
   * and this point is left out of the fit.
   */
  undetermined?: string;
}

/** A probe whose runs did not all finish: the search for this n cannot go on. */
class ProbeUnfinished extends Error {}

export interface ThresholdCurve {
  activation: ActivationName;
  init: Init;
  points: ThresholdPoint[];
  /** Fit of m*(n) over the n with a found m* (null with fewer than two). */
  fit: PowerLawFit | null;
  /** The theory's orders for this activation/initialisation, as orders (no constants). */
  theory: string[];
}

export interface ThresholdStudy {
  delta: number;
  seeds: number[];
  curves: ThresholdCurve[];
  runs: number;
}

/** The orders the literature gives (docs/theory.md §3–5), from the activation's table entry; never with made-up constants. */
export function theoryOrders(activation: string, init: Init): string[] {
  const orders = activationByName(activation).theory.orders(init);
  return orders.length > 0 ? orders : ['none derived in docs/theory.md for this network'];
}

export interface StudyOptions extends ThresholdOptions, Pick<SweepOptions, 'workers' | 'shouldStop' | 'maxMemory' | 'onProgress'> {
  /** Allowed failure fraction over seeds (success needs rate ≥ 1 − δ). */
  delta: number;
  resultsPath: string;
  onProbe?: (info: { activation: ActivationName; init: Init; n: number; probe: Probe }) => void;
}

export async function thresholdStudy(grid: Grid, opts: StudyOptions): Promise<ThresholdStudy> {
  let runs = 0;
  const curves: ThresholdCurve[] = [];
  for (const activation of grid.activation) {
    for (const init of grid.init) {
      const points: ThresholdPoint[] = [];
      for (const n of grid.n) {
        const probes: Probe[] = [];
        const rateAt = async (m: number): Promise<number> => {
          const specs = expandGrid({ ...grid, n: [n], width: [m], activation: [activation], init: [init] });
          const out = await runSweep(specs, opts.resultsPath, {
            ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
            ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
            ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}),
            ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          });
          runs += out.results.filter((r) => r !== undefined).length;
          // a run that could not be done, or was not done, says nothing about convergence at m
          const errors = out.results.filter((r): r is RunResult => r?.status === 'error');
          if (errors.length > 0) throw new ProbeUnfinished(`${errors.length} of ${specs.length} run(s) at m = ${m} ended in an error: ${errors[0].message}`);
          if (out.results.some((r) => r === undefined)) throw new ProbeUnfinished(`interrupted at m = ${m}`);
          const rate = out.results.filter((r) => r?.status === 'converged').length / specs.length;
          const probe = { m, rate, success: rate >= 1 - opts.delta };
          probes.push(probe);
          opts.onProbe?.({ activation, init, n, probe });
          return rate;
        };
        try {
          const search = await searchThreshold(rateAt, { ...opts, target: 1 - opts.delta });
          points.push({ n, mStar: search.mStar, mBelow: search.mBelow, probes: search.probes });
        } catch (err) {
          if (!(err instanceof ProbeUnfinished)) throw err;
          points.push({ n, mStar: null, mBelow: null, probes, undetermined: err.message });
          if (opts.shouldStop?.()) break;
        }
      }
      const found = points.filter((p) => p.mStar !== null);
      let fit: PowerLawFit | null = null;
      if (new Set(found.map((p) => p.n)).size >= 2) fit = fitPowerLaw(found.map((p) => p.n), found.map((p) => p.mStar!));
      curves.push({ activation, init, points, fit, theory: theoryOrders(activation, init) });
    }
  }
  return { delta: opts.delta, seeds: grid.seeds, curves, runs };
}
