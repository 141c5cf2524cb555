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
}

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
        let last: Probe | undefined;
        const search = await searchThreshold(
          async (m) => {
            const specs = expandGrid({ ...grid, n: [n], width: [m], activation: [activation], init: [init] });
            const out = await runSweep(specs, opts.resultsPath, {
              ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
              ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
              ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}),
              ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
            });
            runs += out.results.length;
            const done = out.results.filter((r): r is RunResult => r !== undefined);
            const rate = done.length ? done.filter((r) => r.status === 'converged').length / specs.length : 0;
            last = { m, rate, success: rate >= 1 - opts.delta };
            opts.onProbe?.({ activation, init, n, probe: last });
            return rate;
          },
          { ...opts, target: 1 - opts.delta },
        );
        points.push({ n, mStar: search.mStar, mBelow: search.mBelow, probes: search.probes });
      }
      const found = points.filter((p) => p.mStar !== null);
      let fit: PowerLawFit | null = null;
      if (new Set(found.map((p) => p.n)).size >= 2) fit = fitPowerLaw(found.map((p) => p.n), found.map((p) => p.mStar!));
      curves.push({ activation, init, points, fit, theory: theoryOrders(activation, init) });
    }
  }
  return { delta: opts.delta, seeds: grid.seeds, curves, runs };
}
