/**
 * The width study (docs/width-study.md, docs/theory.md §4E): how wide must the network be, measured as the success
 * probability against width m, over seeds, of three events of docs/theory.md §4 —
 *
 *   int   interpolation: GD reaches ε within c·T steps, T = ln(‖r(0)‖/ε)/(−ln(1 − ηλ_min(H(W(0)))))
 *         the linearised prediction of the run's own initial kernel (spec.budget = c);
 *   B     concentration at initialisation: ‖H(W(0)) − H^lim‖₂ ≤ λ/4 (§4B);
 *   lazy  the kernel regime held along the run: max_k ‖H(W(k)) − H(W(0))‖₂ ≤ λ/4 (§4A) and
 *         min_k λ_min(H(W(k))) ≥ λ/2 (§4C), over the monitored steps —
 *
 * for each model (activation × initialisation), protocol (d = n, or a fixed d) and n. Each width's
 * rate carries a binomial interval; the threshold of each n is where a logistic fit in ln m crosses
 * ½ and 1 − δ, with its profile-likelihood interval (logistic.ts), censored when it lies outside the
 * probed widths; the exponents are weighted fits over n that refuse censored thresholds.
 *
 * The study is a sequence of rounds: from the results so far, `planRound` names the runs still
 * needed (widths doubling twice per level until every event holds for all seeds at two levels, then
 * bisection of the transition down to the fine grid m = 2^{j/g}); they are run (locally or through
 * the queue) and the next round is planned from the results file. The runs are ordinary run specs,
 * so the study resumes from its results file and gives the same bits wherever its runs ran.
 */
import { activationByName, type ActivationName } from '../activations/index.js';
import type { InputKind, LabelKind } from '../data/synthetic.js';
import type { NormalizeKind } from '../data/normalize.js';
import type { Precision, Scaling } from '../backend/types.js';
import type { Init } from '../model/spec.js';
import { infiniteKernel } from '../kernel/infinite.js';
import { lambdaMinMax } from '../linalg/eigh.js';
import { applyNormalization, fitNormalization } from '../data/normalize.js';
import { clopperPearsonInterval, wilsonInterval, normalQuantile } from './binomial.js';
import { logisticThreshold, type RatePoint, type ThresholdEstimate } from './logistic.js';
import { latestById } from './results.js';
import { loadRecipe, type RunResult } from './run.js';
import { runId, type RunSpec } from './spec.js';
import { fitPowerLawWeighted, type WeightedPowerLawFit } from './stats.js';

export const STUDY_EVENTS = ['int', 'B', 'lazy'] as const;
export type StudyEvent = (typeof STUDY_EVENTS)[number];

/** What each event is, in the words every output uses. */
export const EVENT_TEXT: Record<StudyEvent, string> = {
  int: 'interpolation: ‖F(W,X) − y‖₂ ≤ ε within c·T steps (T the linearised prediction of the run)',
  B: 'concentration at initialisation: ‖H(W(0)) − H^lim‖₂ ≤ λ/4 (docs/theory.md §4B)',
  lazy: 'kernel regime along the run: max_k ‖H(W(k)) − H(W(0))‖₂ ≤ λ/4 and min_k λ_min(H(W(k))) ≥ λ/2 (§4A, §4C)',
};

/** d = n (points on the sphere in as many dimensions as points), or a fixed d. */
export type Protocol = 'd=n' | number;

export const protocolText = (p: Protocol): string => (p === 'd=n' ? 'd = n' : `d = ${p}`);
export const dimensionOf = (p: Protocol, n: number): number => (p === 'd=n' ? n : p);

export interface StudyModel {
  activation: ActivationName;
  init: Init;
}

export interface WidthStudyConfig {
  models: StudyModel[];
  protocols: Protocol[];
  n: number[];
  /** Above this n only the initial kernel is measured (event B); at and below, training runs give all three events. */
  trainMaxN: number;
  /** Seeds 0 … seeds − 1 of the initialisation; the data are the same for all (dataSeed). */
  seeds: number;
  inputs: InputKind;
  labels: LabelKind;
  dataSeed: number;
  scaling: Scaling;
  normalize: NormalizeKind;
  precision: Precision;
  epsilon: number;
  /** c: the step budget is c·T of each run's own initial kernel. */
  budget: number;
  /** The cap on any run's steps; a run whose c·T exceeds it and that did not reach ε is left out of the int rate (budget-limited). */
  maxSteps: number;
  mMin: number;
  mMax: number;
  /** Fine grid points per doubling of m (widths 2^{j/g}); coarse levels are 4× apart. */
  gridPerDoubling: number;
  /** The largest n·m·d of a training run, and n²·m of an initial-kernel run: widths beyond are not run (the threshold is then censored above). */
  maxTrainWork: number;
  maxInitWork: number;
  /** The second threshold is read at success probability 1 − δ. */
  delta: number;
}

export const DEFAULT_STUDY: WidthStudyConfig = {
  models: [
    { activation: 'exp', init: 'gaussian' },
    { activation: 'relu', init: 'gaussian' },
  ],
  protocols: ['d=n'],
  n: [16, 32, 64],
  trainMaxN: 256,
  seeds: 10,
  inputs: 'sphere',
  labels: 'normal',
  dataSeed: 0,
  scaling: 'ntk',
  normalize: 'unit',
  precision: 'f64',
  epsilon: 0.01,
  budget: 4,
  maxSteps: 100_000,
  mMin: 2,
  mMax: 2 ** 20,
  gridPerDoubling: 2,
  maxTrainWork: 2 ** 32,
  maxInitWork: 2 ** 38,
  delta: 0.1,
};

/** One (model, protocol, n): its runs share data; the width and the seed vary. */
export interface StudyCell {
  model: StudyModel;
  protocol: Protocol;
  n: number;
  d: number;
  /** 'train': runs to ε (int, B, lazy); 'initial': the initial kernel only (B). */
  kind: 'train' | 'initial';
  events: StudyEvent[];
  /** The largest width run here (mMax and the work limit; below the smallest grid width: nothing is run). */
  mMaxRun: number;
  /** λ_min and λ_max of H^lim on this cell's data (NTK scale); null for initial-kernel cells (read off the runs). */
  lambda: number | null;
  lambdaMaxLimit: number | null;
  /** The kernel monitor's interval of the training runs: about 16 observations within c·T of the limit kernel. */
  monitorEvery: number;
}

/** Fine grid index j ↔ width: 2^{j/g} rounded to an even integer ≥ 2 (coupled initialisation needs even m). */
export const widthAt = (j: number, g: number): number => Math.max(2, 2 * Math.round(2 ** (j / g) / 2));

export function studyCells(c: WidthStudyConfig): StudyCell[] {
  const cells: StudyCell[] = [];
  for (const model of c.models) {
    for (const protocol of c.protocols) {
      for (const n of c.n) {
        const d = dimensionOf(protocol, n);
        const kind = n <= c.trainMaxN ? 'train' : 'initial';
        const work = kind === 'train' ? c.maxTrainWork / (n * d) : c.maxInitWork / (n * n);
        // below 2 (n·2·d over the cap) the cell runs nothing, and its thresholds come out censored above
        const mMaxRun = Math.min(c.mMax, Math.floor(work));
        let lambda: number | null = null;
        let lambdaMaxLimit: number | null = null;
        let monitorEvery = 1;
        if (kind === 'train') {
          ({ lambda, lambdaMaxLimit } = limitSpectrum(c, model.activation, n, d));
          // T of the limit kernel with η = 1/λ_max: ln(‖y‖/ε)/(−ln(1 − λ_min/λ_max)), ‖y‖ ≈ √n for N(0,1) labels
          const q = lambda > 0 && lambdaMaxLimit > 0 ? lambda / lambdaMaxLimit : 0;
          const T = q > 0 && q < 1 ? Math.log(Math.sqrt(n) / c.epsilon) / -Math.log1p(-q) : 1;
          monitorEvery = Math.max(1, Math.floor((c.budget * T) / 16));
        }
        cells.push({ model, protocol, n, d, kind, events: kind === 'train' ? [...STUDY_EVENTS] : ['B'], mMaxRun, lambda, lambdaMaxLimit, monitorEvery });
      }
    }
  }
  return cells;
}

/** λ_min, λ_max of H^lim on a cell's (normalised) data. */
function limitSpectrum(c: WidthStudyConfig, activation: ActivationName, n: number, d: number): { lambda: number; lambdaMaxLimit: number } {
  const data = loadRecipe({ kind: 'synthetic', inputs: c.inputs, n, d, labels: c.labels, seed: c.dataSeed });
  const X = applyNormalization(fitNormalization(c.normalize, data.X, n, d, data.source), data.X, n, d, data.source);
  const { lambdaMin, lambdaMax } = lambdaMinMax(infiniteKernel(activationByName(activation), X, n, d), n);
  return { lambda: lambdaMin, lambdaMaxLimit: lambdaMax };
}

/** The run spec of one (cell, width, seed). */
export function studySpec(c: WidthStudyConfig, cell: StudyCell, m: number, seed: number): RunSpec {
  const base = {
    data: { kind: 'synthetic' as const, inputs: c.inputs, n: cell.n, d: cell.d, labels: c.labels, seed: c.dataSeed },
    model: { activation: cell.model.activation, scaling: c.scaling, init: cell.model.init, m, seed },
    normalize: c.normalize,
    epsilon: c.epsilon,
    precision: c.precision,
  };
  // an initial-kernel run takes no step, so η is not used (1 keeps the power iteration for 'auto' out of it)
  if (cell.kind === 'initial') return { ...base, eta: 1, maxSteps: 0, monitorEvery: 0, initialOnly: true };
  // dense monitoring over 2× the foreseen c·T (16 observations per c·T), then at K·2^j: a long run at a small width stays cheap
  return { ...base, eta: 'auto', maxSteps: c.maxSteps, monitorEvery: cell.monitorEvery, monitorUntil: 32 * cell.monitorEvery, budget: c.budget };
}

/** What one run says about each event: true (held), false (did not), null (not determined by this run). */
export type EventOutcome = Record<StudyEvent, boolean | null>;

/**
 * A run that could not start because its initial kernel vanished or overflowed (η = 1/λ_max(H(W(0)))
 * undefined: e.g. a softmax network whose signs a_r are all equal, where F is constant in W; or
 * F(W(0), X), H(W(0)) not finite: the errors the trainer and the monitor raise with field 'normalize') is an
 * outcome of the initialisation, not an accident of the machine: every event failed there
 * (‖H(W(0)) − H^lim‖₂ = ‖H^lim‖₂ > λ/4, λ_min(H(W(0))) = 0 < λ/2, GD does not move).
 */
export const kernelDegenerate = (r: RunResult): boolean => r.status === 'error' && ((r.field === 'eta' && r.spec.eta === 'auto') || r.field === 'normalize');

/** A result the study counts: finished, or an error that is an outcome (kernelDegenerate); other errors are retried. */
export const settled = (r: RunResult | undefined): r is RunResult => r !== undefined && (r.status !== 'error' || kernelDegenerate(r));

export function eventOutcome(r: RunResult): EventOutcome {
  const none: EventOutcome = { int: null, B: null, lazy: null };
  if (kernelDegenerate(r)) return { int: false, B: false, lazy: false };
  if (r.status === 'error' || r.status === 'stopped') return none;
  const conc = r.monitors?.concentration;
  if (conc) return { ...none, B: conc.held };
  const ntk = r.monitors?.ntk;
  if (!ntk) return none;
  const row = (ref: string, name: string) => ntk.certificate.find((x) => x.ref.endsWith(ref) && x.name.startsWith(name));
  const drift = row('§4A', 'max_k ‖H');
  const conc0 = row('§4B', '‖H(W(0))');
  const lmin = row('§4C', 'min_k λ_min');
  // a run that did not reach ε in fewer steps than c·T (maxSteps cut its budget) says nothing about c·T
  // converged: held; budget of c·T exhausted, or diverged: did not; maxSteps below a finite c·T (or no budget recorded) and ε not reached: undetermined
  // T = ∞ (λ_min(H(W(0))) = 0, e.g. m·d < n): the linearised model never reaches ε, and the run did not either: a failure
  const cut = r.status === 'max-steps' && r.budget?.capped === true && r.budget.linearisedSteps !== null;
  const int = r.status === 'converged' ? true : cut ? null : r.status === 'diverged' || r.status === 'max-steps' ? (r.budget ? false : null) : null;
  // a run cut short by maxSteps saw fewer steps than the event is about: a failure stands, a success is undetermined
  const lazyHeld = drift && lmin ? drift.held && lmin.held : null;
  return { int, B: conc0 ? conc0.held : null, lazy: cut && lazyHeld === true ? null : lazyHeld };
}

export interface WidthRate {
  m: number;
  /** Runs at this width (finished). */
  runs: number;
  successes: number;
  /** Runs that determined the event (runs − undetermined). */
  trials: number;
  /** Runs that did not determine it (int: budget-limited — maxSteps below c·T and ε not reached). */
  undetermined: number;
  rate: number;
  wilson: [number, number];
  clopperPearson: [number, number];
}

export interface EventCurve {
  event: StudyEvent;
  rates: WidthRate[];
  /** The width where the fitted success probability crosses ½, and 1 − δ. */
  half: ThresholdEstimate;
  high: ThresholdEstimate;
}

export interface CellAnalysis {
  cell: StudyCell;
  /** λ = λ_min(H^lim) (from the runs when the cell did not compute it). */
  lambda: number | null;
  curves: EventCurve[];
  /** Median over seeds of max_k ‖H(W(k)) − H(W(0))‖₂/‖H(W(0))‖₂, per width (training cells). */
  relativeDrift: { m: number; median: number }[];
  /** That median at the width run nearest (in ln m) to m_lazy½, when it is estimated: how much the kernel moves where the kernel regime begins. */
  relativeDriftAtLazy: { m: number; median: number } | null;
  /** Widths whose runs have not all finished (errors, or not run yet). */
  pending: number[];
  /** Runs counted at the widths with every seed settled. */
  runs: number;
  /** Runs that ended in an error, with the first message. */
  errors: { count: number; first?: string };
}

const seedsOf = (c: WidthStudyConfig): number[] => Array.from({ length: c.seeds }, (_, s) => s);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The fine-grid indices of a cell's widths that have results for every seed, with those results. */
function cellResults(c: WidthStudyConfig, cell: StudyCell, known: Map<string, RunResult>): { byJ: Map<number, RunResult[]>; pending: number[]; errors: RunResult[] } {
  const byJ = new Map<number, RunResult[]>();
  const pending: number[] = [];
  const errors: RunResult[] = [];
  const g = c.gridPerDoubling;
  for (let j = jMinOf(c); widthAt(j, g) <= cell.mMaxRun; j++) {
    if (j > jMinOf(c) && widthAt(j, g) === widthAt(j - 1, g)) continue;
    const m = widthAt(j, g);
    const rs = seedsOf(c).map((s) => known.get(runId(studySpec(c, cell, m, s))));
    const some = rs.some((r) => r !== undefined);
    if (!some) continue;
    for (const r of rs) if (r?.status === 'error' && !kernelDegenerate(r)) errors.push(r);
    if (rs.every(settled)) byJ.set(j, rs as RunResult[]);
    else pending.push(m);
  }
  return { byJ, pending, errors };
}

/** The first fine-grid index with the width of j (small j share widths after the even rounding): results are looked up under it. */
function canonical(j: number, g: number): number {
  let k = j;
  while (k > 0 && widthAt(k - 1, g) === widthAt(j, g)) k--;
  return k;
}

/** A fine-grid index halfway between a and b whose width differs from both, or null when there is none. */
function distinctBetween(a: number, b: number, g: number): number | null {
  const inside: number[] = [];
  for (let j = a + 1; j < b; j++) {
    const m = widthAt(j, g);
    if (m !== widthAt(a, g) && m !== widthAt(b, g) && (inside.length === 0 || widthAt(inside[inside.length - 1], g) !== m)) inside.push(j);
  }
  return inside.length === 0 ? null : inside[Math.floor((inside.length - 1) / 2)];
}

const jMinOf = (c: WidthStudyConfig): number => Math.ceil(c.gridPerDoubling * Math.log2(Math.max(2, c.mMin)) - 1e-9);

function ratesOf(event: StudyEvent, byJ: Map<number, RunResult[]>, g: number): WidthRate[] {
  return [...byJ.keys()]
    .sort((a, b) => a - b)
    .map((j) => {
      const outs = byJ.get(j)!.map((r) => eventOutcome(r)[event]);
      const successes = outs.filter((o) => o === true).length;
      const trials = outs.filter((o) => o !== null).length;
      return {
        m: widthAt(j, g),
        runs: outs.length,
        successes,
        trials,
        undetermined: outs.length - trials,
        rate: trials > 0 ? successes / trials : Number.NaN,
        wilson: trials > 0 ? wilsonInterval(successes, trials) : [0, 1],
        clopperPearson: trials > 0 ? clopperPearsonInterval(successes, trials) : [0, 1],
      };
    });
}

/**
 * The runs a study still needs, given the results so far (finished runs are skipped by the
 * sweep that runs them). Per cell and event: levels 4× apart from mMin until the event holds for
 * every seed at the two highest levels (and down while it holds for some seed at the lowest), then
 * the transition — from the last width where it held for no seed to the first from which it held
 * for all — is bisected down to the fine grid.
 */
export function planRound(c: WidthStudyConfig, cells: readonly StudyCell[], results: readonly RunResult[]): RunSpec[] {
  const known = latestById(results);
  const g = c.gridPerDoubling;
  const coarse = 2 * g; // 4× between levels
  const specs: RunSpec[] = [];
  for (const cell of cells) {
    const { byJ, pending } = cellResults(c, cell, known);
    const want = new Set<number>();
    const jMin = jMinOf(c);
    if (widthAt(jMin, g) > cell.mMaxRun) continue; // the work cap is below the smallest width: nothing to run
    let jMax = jMin;
    while (widthAt(jMax + 1, g) <= cell.mMaxRun) jMax++;
    jMax = canonical(jMax, g);
    if (pending.length > 0) {
      // finish the widths begun before deciding anything more
      for (const m of pending) specs.push(...seedsOf(c).map((s) => studySpec(c, cell, m, s)));
      continue;
    }
    if (byJ.size === 0) {
      want.add(jMin);
    } else {
      const js = [...byJ.keys()].sort((a, b) => a - b);
      const lo = js[0];
      const hi = js[js.length - 1];
      const rateAt = (e: StudyEvent, j: number): number => ratesOf(e, new Map([[j, byJ.get(j)!]]), g)[0].rate;
      // up: until every event holds for all seeds at the two highest levels (bisection points lie between levels, so hi is one)
      const levelWidths = new Set<number>([widthAt(jMax, g)]);
      for (let j = jMin; j <= jMax; j += coarse) levelWidths.add(widthAt(j, g));
      const levels = js.filter((j) => levelWidths.has(widthAt(j, g)));
      const top2 = levels.slice(-2);
      const allAtTop = cell.events.every((e) => top2.length === 2 && top2.every((j) => rateAt(e, j) === 1));
      if (!allAtTop && hi < jMax) want.add(canonical(Math.min(hi + coarse, jMax), g));
      // down: while some event held for some seed at the lowest level
      if (lo > jMin && cell.events.some((e) => rateAt(e, lo) > 0)) want.add(canonical(Math.max(jMin, lo - coarse), g));
      // bisection of each event's transition once the levels are done
      if (want.size === 0) {
        for (const e of cell.events) {
          const rate = (j: number): number => rateAt(e, j);
          if (!js.some((j) => rate(j) > 0)) continue; // never held: censored above, nothing to bisect
          let from = js.findIndex((_, k) => js.slice(k).every((j) => rate(j) === 1));
          if (from < 0) from = js.length - 1;
          let to = -1;
          for (let k = from - 1; k >= 0; k--) {
            if (rate(js[k]) === 0) {
              to = k;
              break;
            }
          }
          const start = to < 0 ? 0 : to;
          for (let k = start; k < from; k++) {
            // the grid point halfway, unless no grid width lies strictly between (even rounding merges small j)
            const mid = distinctBetween(js[k], js[k + 1], g);
            if (mid !== null) want.add(mid);
          }
        }
      }
    }
    for (const j of want) {
      const m = widthAt(j, g);
      if (byJ.has(j)) continue;
      specs.push(...seedsOf(c).map((s) => studySpec(c, cell, m, s)));
    }
  }
  return specs;
}

export function analyseCell(c: WidthStudyConfig, cell: StudyCell, known: Map<string, RunResult>): CellAnalysis {
  const { byJ, pending, errors } = cellResults(c, cell, known);
  const g = c.gridPerDoubling;
  const curves: EventCurve[] = cell.events.map((event) => {
    const rates = ratesOf(event, byJ, g);
    const points: RatePoint[] = rates.map((w) => ({ m: w.m, successes: w.successes, trials: w.trials }));
    return { event, rates, half: logisticThreshold(points, 0.5), high: logisticThreshold(points, 1 - c.delta) };
  });
  let lambda = cell.lambda;
  const relativeDrift: { m: number; median: number }[] = [];
  for (const [j, rs] of [...byJ.entries()].sort((a, b) => a[0] - b[0])) {
    const first = rs[0];
    lambda ??= first.monitors?.ntk?.initial.lambda ?? first.monitors?.concentration?.lambda ?? null;
    const drifts = rs.map((r) => r.monitors?.ntk?.laziness.maxRelativeDrift).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (drifts.length > 0) relativeDrift.push({ m: widthAt(j, g), median: median(drifts) });
  }
  const lazyHalf = curves.find((cv) => cv.event === 'lazy')?.half;
  const at = lazyHalf?.status === 'estimated' ? lazyHalf.m : null;
  const relativeDriftAtLazy = at === null || relativeDrift.length === 0 ? null : relativeDrift.reduce((best, w) => (Math.abs(Math.log(w.m / at)) < Math.abs(Math.log(best.m / at)) ? w : best));
  const runs = [...byJ.values()].reduce((sum, rs) => sum + rs.length, 0);
  return { cell, lambda, curves, relativeDrift, relativeDriftAtLazy, pending, runs, errors: { count: errors.length, ...(errors[0] ? { first: errors[0].message } : {}) } };
}

export interface ExponentFit {
  model: StudyModel;
  protocol: Protocol;
  event: StudyEvent;
  /** The success probability the thresholds are read at (½ or 1 − δ). */
  q: number;
  /** m_q ≈ C·x^b against x = n, or x = n/λ. */
  against: 'n' | 'n/λ';
  fit: WeightedPowerLawFit | null;
  /** The n whose thresholds entered the fit, and those refused (censored, open interval, …) with why. */
  used: number[];
  refused: { n: number; why: string }[];
}

export interface WidthStudyAnalysis {
  cells: CellAnalysis[];
  fits: ExponentFit[];
  /** Distinct runs the analysis counted (every seed of every settled width of every cell). */
  runs: number;
}

/** The standard error of ln m_q from its profile interval at level L (half its width on the log scale over z_{(1+L)/2}). */
const logSe = (t: ThresholdEstimate): number => (Math.log(t.ci![1]!) - Math.log(t.ci![0]!)) / (2 * normalQuantile(0.5 + t.level / 2));

export function analyseStudy(c: WidthStudyConfig, cells: readonly StudyCell[], results: readonly RunResult[]): WidthStudyAnalysis {
  const known = latestById(results);
  const analyses = cells.map((cell) => analyseCell(c, cell, known));
  const fits: ExponentFit[] = [];
  for (const model of c.models) {
    for (const protocol of c.protocols) {
      const mine = analyses.filter((a) => a.cell.model.activation === model.activation && a.cell.model.init === model.init && a.cell.protocol === protocol);
      for (const event of STUDY_EVENTS) {
        for (const which of ['half', 'high'] as const) {
          for (const against of ['n', 'n/λ'] as const) {
            const used: number[] = [];
            const refused: { n: number; why: string }[] = [];
            const x: number[] = [];
            const y: number[] = [];
            const se: number[] = [];
            let q = which === 'half' ? 0.5 : 1 - c.delta;
            let any = false;
            for (const a of mine) {
              const curve = a.curves.find((cv) => cv.event === event);
              if (!curve) continue;
              any = true;
              const t = curve[which];
              q = t.q;
              const ok = t.status === 'estimated' && t.m !== null && t.ci !== null && t.ci[0] !== null && t.ci[1] !== null && t.ci[1] > t.ci[0];
              if (!ok) {
                refused.push({ n: a.cell.n, why: t.status === 'estimated' ? 'interval of zero width' : t.status });
                continue;
              }
              if (against === 'n/λ' && !(a.lambda !== null && a.lambda > 0)) {
                refused.push({ n: a.cell.n, why: 'λ not positive' });
                continue;
              }
              used.push(a.cell.n);
              x.push(against === 'n' ? a.cell.n : a.cell.n / a.lambda!);
              y.push(t.m!);
              se.push(logSe(t));
            }
            if (!any) continue;
            const fit = new Set(x).size >= 2 ? fitPowerLawWeighted(x, y, se) : null;
            fits.push({ model, protocol, event, q, against, fit, used, refused });
          }
        }
      }
    }
  }
  // distinct runs: two cells may hold the same runs (d = n and a fixed d meet at n = d)
  const ids = new Set<string>();
  for (const a of analyses) for (const m of new Set(a.curves.flatMap((cv) => cv.rates.map((w) => w.m)))) for (const s of seedsOf(c)) ids.add(runId(studySpec(c, a.cell, m, s)));
  return { cells: analyses, fits, runs: ids.size };
}

export interface StudyRoundInfo {
  round: number;
  /** Runs of this round (some may have been finished before: the sweep skips them). */
  runs: number;
}

export interface WidthStudyOptions {
  /** Runs specs so that their results are in the results file (a local sweep, or the queue). */
  execute: (specs: RunSpec[]) => Promise<void>;
  /** The results so far (the results file). */
  read: () => RunResult[];
  onRound?: (info: StudyRoundInfo) => void;
  shouldStop?: () => boolean;
  /** Rounds at most (default 200): the planner converges in far fewer; this guards against a loop. */
  maxRounds?: number;
}

export interface WidthStudyOutcome extends WidthStudyAnalysis {
  rounds: number;
  /** false when stopped, or when a round added no result (runs that keep failing: see each cell's errors). */
  complete: boolean;
}

export async function runWidthStudy(c: WidthStudyConfig, o: WidthStudyOptions): Promise<WidthStudyOutcome> {
  const cells = studyCells(c);
  let rounds = 0;
  let complete = false;
  for (; rounds < (o.maxRounds ?? 200); ) {
    if (o.shouldStop?.()) break;
    const before = latestById(o.read());
    const specs = planRound(c, cells, [...before.values()]);
    if (specs.length === 0) {
      complete = true;
      break;
    }
    rounds++;
    o.onRound?.({ round: rounds, runs: specs.length });
    await o.execute(specs);
    const after = latestById(o.read());
    // a round that finished nothing new (every run failed again) would repeat forever
    const progressed = specs.some((s) => {
      const id = runId(s);
      const r = after.get(id);
      return settled(r) && !settled(before.get(id));
    });
    if (!progressed) break;
  }
  return { ...analyseStudy(c, cells, o.read()), rounds, complete };
}
