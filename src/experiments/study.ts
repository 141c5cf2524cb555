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
import type { RunSpec } from './spec.js';
import { fitPowerLaw, type PowerLawFit } from './stats.js';
import { runSweep, type SweepOptions } from './sweep.js';
import { searchThreshold, type Probe, type ThresholdOptions } from './threshold.js';

/**
 * Whether m*(n) is known only as a bound: 'below' when the smallest width run (or probed) already
 * succeeded, so that no failing width lies under it and m*(n) ≤ mStar is an upper bound, not a
 * threshold; 'above' when no width succeeded (m*(n) > every width tried); null when a failing width
 * brackets m* from below (or, for `threshold`, when the search was undetermined). Censored points
 * are never fitted, and reports show them as bounds ("≤ 256", "> 4096").
 */
export type Censoring = 'below' | 'above' | null;

export interface ThresholdPoint {
  n: number;
  /** Smallest successful grid width (null: none up to mMax, or undetermined). With censored 'below' an upper bound only. */
  mStar: number | null;
  /** Largest failing grid width below m* (null: the search could not probe lower than a success). */
  mBelow: number | null;
  /** 'below': the first probe succeeded and no smaller width failed (mBelow null); 'above': none succeeded up to mMax; null otherwise, undetermined points included. */
  censored: Censoring;
  probes: Probe[];
  /**
   * Why the search stopped without an answer: runs at a probed width ended in an error (a run that
   * could not be done says nothing about convergence), or the study was interrupted. m* is then null
   * and this point is left out of the fit.
   */
  undetermined?: string;
}

/**
 * The power-law fit of m*(n) over the points with a bracketed m* (censored null), and how many
 * points were refused as bounds. A bound is not a threshold: fitting the smallest width run as if
 * it were m* reads the grid, not the network (a sweep whose every width converged would "fit" b = 0).
 */
export function fitUncensored(points: readonly { n: number; mStar: number | null; censored: Censoring }[]): { fit: PowerLawFit | null; censored: { below: number; above: number } } {
  const found = points.filter((p) => p.mStar !== null && p.censored === null);
  const fit = new Set(found.map((p) => p.n)).size >= 2 ? fitPowerLaw(found.map((p) => p.n), found.map((p) => p.mStar!)) : null;
  return { fit, censored: { below: points.filter((p) => p.censored === 'below').length, above: points.filter((p) => p.censored === 'above').length } };
}

/** A probe whose runs did not all finish: the search for this n cannot go on. */
class ProbeUnfinished extends Error {}

export interface ThresholdCurve {
  activation: ActivationName;
  init: Init;
  points: ThresholdPoint[];
  /** Fit of m*(n) over the n with an uncensored m* (null with fewer than two); `fit.points` says how many it used. */
  fit: PowerLawFit | null;
  /** Points left out of the fit because m* is only a bound there (undetermined points are counted by their `undetermined`). */
  censored: { below: number; above: number };
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

/**
 * Runs the probes of concurrent searches together: each search asks for the runs of its next width,
 * and once every unfinished search has asked, one sweep runs them all. A search's answer depends
 * only on its own probes, so this changes the order of the work, not a result; what it saves is the
 * time a lone probe spends on its slowest run while the other cores have nothing to do.
 */
class ProbeBatcher {
  private waiting: { specs: RunSpec[]; resolve: (r: (RunResult | undefined)[]) => void; reject: (e: unknown) => void }[] = [];
  private active: number;
  /** Set once a sweep or a search has failed: the study is over, no further sweep starts. */
  private failure: { error: unknown } | null = null;

  constructor(
    searches: number,
    private readonly sweep: (specs: RunSpec[]) => Promise<(RunResult | undefined)[]>,
  ) {
    this.active = searches;
  }

  /** The results of `specs` (in their order), from the next shared sweep. */
  run(specs: RunSpec[]): Promise<(RunResult | undefined)[]> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure.error);
      this.waiting.push({ specs, resolve, reject });
      this.flush();
    });
  }

  /** The study has failed: the waiting searches and any later request get `error`. */
  fail(error: unknown): void {
    this.failure ??= { error };
    for (const w of this.waiting.splice(0)) w.reject(error);
  }

  /** A search has ended: the others need not wait for it. */
  finished(): void {
    this.active--;
    this.flush();
  }

  private flush(): void {
    if (this.waiting.length === 0 || this.waiting.length < this.active) return;
    const batch = this.waiting;
    this.waiting = [];
    this.sweep(batch.flatMap((w) => w.specs)).then(
      (results) => {
        let k = 0;
        for (const w of batch) {
          w.resolve(results.slice(k, k + w.specs.length));
          k += w.specs.length;
        }
      },
      (err: unknown) => {
        for (const w of batch) w.reject(err);
        this.fail(err);
      },
    );
  }
}

/** One search of a study: the grid it draws its runs from (η and all) and the point (activation, init, n) it searches. */
export interface SearchSpec {
  grid: Grid;
  activation: ActivationName;
  init: Init;
  n: number;
}

/**
 * The searches run at once, their probes' runs sharing sweeps (ProbeBatcher) on one results file;
 * the points in the order of `searches`, and the number of runs done or read.
 */
export async function thresholdSearches(searches: readonly SearchSpec[], opts: StudyOptions): Promise<{ points: ThresholdPoint[]; runs: number }> {
  let runs = 0;
  const batcher = new ProbeBatcher(searches.length, async (specs) => {
    const out = await runSweep(specs, opts.resultsPath, {
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
      ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    runs += out.results.filter((r) => r !== undefined).length;
    return out.results;
  });
  const points = await Promise.all(
    searches.map(async ({ grid, activation, init, n }): Promise<ThresholdPoint> => {
      const probes: Probe[] = [];
      const rateAt = async (m: number): Promise<number> => {
        const specs = expandGrid({ ...grid, n: [n], width: [m], activation: [activation], init: [init] });
        const results = await batcher.run(specs);
        // a run that could not be done, or was not done, says nothing about convergence at m
        const errors = results.filter((r): r is RunResult => r?.status === 'error');
        if (errors.length > 0) throw new ProbeUnfinished(`${errors.length} of ${specs.length} run(s) at m = ${m} ended in an error: ${errors[0].message}`);
        if (results.some((r) => r === undefined)) throw new ProbeUnfinished(`interrupted at m = ${m}`);
        const rate = results.filter((r) => r?.status === 'converged').length / specs.length;
        const probe = { m, rate, success: rate >= 1 - opts.delta };
        probes.push(probe);
        opts.onProbe?.({ activation, init, n, probe });
        return rate;
      };
      try {
        const search = await searchThreshold(rateAt, { ...opts, target: 1 - opts.delta });
        const censored: Censoring = search.mStar === null ? 'above' : search.mBelow === null ? 'below' : null;
        return { n, mStar: search.mStar, mBelow: search.mBelow, censored, probes: search.probes };
      } catch (err) {
        if (!(err instanceof ProbeUnfinished)) {
          batcher.fail(err);
          throw err;
        }
        return { n, mStar: null, mBelow: null, censored: null, probes, undetermined: err.message };
      } finally {
        batcher.finished();
      }
    }),
  );
  return { points, runs };
}

/** m*(n) for every activation × init of the grid, all searches at once (thresholdSearches), and the fits. */
export async function thresholdStudy(grid: Grid, opts: StudyOptions): Promise<ThresholdStudy> {
  const searches = grid.activation.flatMap((activation) => grid.init.flatMap((init) => grid.n.map((n) => ({ grid, activation, init, n }))));
  const { points, runs } = await thresholdSearches(searches, opts);
  const curves: ThresholdCurve[] = [];
  let k = 0;
  for (const activation of grid.activation) {
    for (const init of grid.init) {
      const curvePoints = grid.n.map(() => points[k++]);
      curves.push({ activation, init, points: curvePoints, ...fitUncensored(curvePoints), theory: theoryOrders(activation, init) });
    }
  }
  return { delta: opts.delta, seeds: grid.seeds, curves, runs };
}
