/**
 * Numbers a report draws from a results file (any mix of sweep, threshold and replicate runs):
 * the width threshold m*(n) per (activation, initialisation) with its power-law fit, read off the
 * runs themselves rather than off the search that produced them, so that every results file can
 * be reported on and two files can be merged.
 */
import type { Init } from '../model/spec.js';
import { latestById } from './results.js';
import type { RunResult } from './run.js';
import type { PowerLawFit } from './stats.js';
import { fitUncensored, theoryOrders, type Censoring } from './study.js';

export type { Censoring } from './study.js';

/** Success rate over seeds at one width. */
export interface WidthRate {
  m: number;
  runs: number;
  converged: number;
  rate: number;
}

export interface MStarPoint {
  n: number;
  /** Smallest width whose success rate is ≥ 1 − δ (null: none of the widths run). With censored 'below' an upper bound on m*(n) only. */
  mStar: number | null;
  /** Largest width below m* whose rate is < 1 − δ (null: none was run); with no m*, the largest width run. */
  mBelow: number | null;
  /** m* known only as a bound (see Censoring); null when bracketed by a failure below it. */
  censored: Censoring;
  /** Every width run at this n, ascending. */
  widths: WidthRate[];
}

export interface MStarCurve {
  activation: string;
  init: Init;
  points: MStarPoint[];
  /** m* ≈ C·n^b over the n with an uncensored m* (null with fewer than two such n); `fit.points` says how many it used. */
  fit: PowerLawFit | null;
  /** Points left out of the fit because m* is only a bound there: censored below (≤) and above (>). */
  censored: { below: number; above: number };
  /** The theory's orders for this activation and initialisation (study.ts; orders, no constants). */
  theory: string[];
}

/** Largest movement over the run: max over the recorded history (which keeps the last step), else the final value. */
export function maxMovement(r: RunResult): number {
  let best = r.movement ?? Number.NaN;
  for (const v of r.history?.movement ?? []) if (Number.isFinite(v) && !(v <= best)) best = v;
  return best;
}

/**
 * Finished trainings only, latest per id: errors are retried by sweeps and say nothing about
 * convergence, and the width study's initial-kernel runs (spec.initialOnly) take no step.
 */
export function finishedRuns(results: readonly RunResult[]): RunResult[] {
  return [...latestById(results).values()].filter((r) => r.status !== 'error' && !r.spec.initialOnly);
}

/** n of a run, when its data recipe says (synthetic data); file data sets do not record n in the spec. */
export function nOf(r: RunResult): number | null {
  return r.spec.data.kind === 'synthetic' ? r.spec.data.n : null;
}

/**
 * For each (activation, init, n): the success rate over seeds at every width run, and m*(n), the
 * smallest width with rate ≥ 1 − δ ("success" = status converged: ‖F(W,X) − y‖₂ ≤ ε within the
 * step budget, docs/theory.md §2). Success need not be monotone in m on a finite set of seeds; m* is
 * the smallest successful width and `mBelow` the largest failure under it, as `threshold` reports.
 * When no width under m* was run (the smallest width run already succeeded), m* is only an upper
 * bound (censored 'below'); when none succeeded, only a lower bound (censored 'above'). Neither is
 * fitted.
 * Runs on file data (no n in the spec) are left out.
 */
export function thresholdsFromResults(results: readonly RunResult[], delta = 0): MStarCurve[] {
  const groups = new Map<string, { activation: string; init: Init; byN: Map<number, Map<number, RunResult[]>> }>();
  for (const r of finishedRuns(results)) {
    const n = nOf(r);
    if (n === null) continue;
    const { activation, init, m } = r.spec.model;
    const key = `${activation}/${init}`;
    if (!groups.has(key)) groups.set(key, { activation, init, byN: new Map() });
    const byN = groups.get(key)!.byN;
    if (!byN.has(n)) byN.set(n, new Map());
    const byM = byN.get(n)!;
    if (!byM.has(m)) byM.set(m, []);
    byM.get(m)!.push(r);
  }
  const curves: MStarCurve[] = [];
  for (const { activation, init, byN } of groups.values()) {
    const points: MStarPoint[] = [...byN.keys()]
      .sort((a, b) => a - b)
      .map((n) => {
        const byM = byN.get(n)!;
        const widths = [...byM.keys()]
          .sort((a, b) => a - b)
          .map((m): WidthRate => {
            const rs = byM.get(m)!;
            const converged = rs.filter((r) => r.status === 'converged').length;
            return { m, runs: rs.length, converged, rate: converged / rs.length };
          });
        // rate ≥ 1 − δ, with a little slack for the rounding of k/s
        const ok = (w: WidthRate) => w.rate >= 1 - delta - 1e-12;
        const star = widths.find(ok);
        const below = star === undefined ? widths.at(-1) : widths.filter((w) => w.m < star.m && !ok(w)).at(-1);
        const censored: Censoring = star === undefined ? 'above' : below === undefined ? 'below' : null;
        return { n, mStar: star?.m ?? null, mBelow: below?.m ?? null, censored, widths };
      });
    curves.push({ activation, init, points, ...fitUncensored(points), theory: theoryOrders(activation, init) });
  }
  return curves;
}
