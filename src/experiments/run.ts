/**
 * Executes one run spec and returns a plain, JSON-safe result: one line of a results file.
 * Deterministic: the same spec gives the same numbers (all but timeMs) wherever it runs.
 */
import { createBackend } from '../backend/index.js';
import type { Backend } from '../backend/types.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { withLabelNoise } from '../data/noise.js';
import { checkTestData, splitDataset } from '../data/split.js';
import { generateSynthetic, generateSyntheticWithTest } from '../data/synthetic.js';
import { OverparamError } from '../errors.js';
import { train, trainManyAsync } from '../train/train.js';
import { autoMonitorEvery, LINEARISED_MAX_N, ntkMonitor, type NtkMonitor, type NtkReport } from '../theory/train-monitor.js';
import { concentrationMonitor, type ConcentrationReport } from '../theory/concentration.js';
import { linearisedSteps } from '../theory/linearised.js';
import type { KernelMonitorInitial } from '../theory/monitor.js';
import { heldOutMonitor, type HeldOutReport, type PredictorCurves } from '../theory/heldout-monitor.js';
import type { Hint } from '../errors.js';
import { activationByName } from '../activations/index.js';
import type { Conventions, TestResult, TrainMonitor, TrainOptions, TrainResult, TrainStatus } from '../train/types.js';
import { runId, type DataRecipe, type RunSpec } from './spec.js';
import { defaultMemoryLimit } from '../io/limits.js';
import { checkRunMemory } from '../train/memory.js';

/** Histories longer than this are thinned to this many evenly spaced steps (first and last kept). */
export const HISTORY_POINTS = 1000;

export interface RunHistory {
  k: number[];
  residual: number[];
  movement: number[];
  flipFraction?: number[];
}

export interface RunResult {
  /** Format marker for results files. */
  kind: 'overparam-run';
  id: string;
  spec: RunSpec;
  status: TrainStatus | 'error';
  message: string;
  /** What to change when the run failed (e.g. { field: 'eta', value: 0.001 }); absent when none. */
  hints?: Hint[];
  /** The setting an error is about (an OverparamError's field), for the CLI to name its flag. */
  field?: string;
  steps: number;
  initialResidual: number | null;
  residual: number | null;
  movement: number | null;
  flipFraction?: number | null;
  eta: number | null;
  lambdaMax: number | null;
  /** The run's conventions; the thread count is not among them (it changes no bit of a result). */
  conventions: StoredConventions | null;
  history: RunHistory | null;
  /**
   * Extra measurements: under `ntk` the kernel monitor's report (docs/theory.md §4) when
   * monitorEvery > 0, its per-step series at the steps `history.k` (see thinNtkReport).
   */
  monitors?: RunMonitors;
  /** The held-out points' residuals (docs/theory.md §6), when the spec has test points. */
  test?: StoredTest;
  /** With spec.budget: the step budget c·T from the run’s own initial kernel (docs/theory.md §4E), and whether maxSteps cut it. */
  budget?: RunBudget;
  /** Wall time and the backend's threads: how this execution went, the only fields that differ between two executions of the same spec. */
  timeMs: number;
  threads?: number;
}

/** Conventions as a results line stores them: those of train/types.ts but the thread count. */
export type StoredConventions = Omit<Conventions, 'threads'> & { threads?: number };

/** Predictions are stored for test sets up to this size (a results line stays small). */
export const STORED_PREDICTIONS_MAX = 1000;

/** The held-out side of a results line: the trainer's TestResult with its test history thinned, and u*, y* as plain numbers (absent beyond STORED_PREDICTIONS_MAX test points; the inputs are not stored). */
export type StoredTest = Omit<TestResult, 'predictions' | 'inputs' | 'labels'> & { predictions?: number[]; labels?: number[] };

/** A predictor's curves as stored: the final predictions as plain numbers (absent beyond STORED_PREDICTIONS_MAX). */
export type StoredCurves = Omit<PredictorCurves, 'final' | 'limit'> & { final?: number[]; limit: { test: number; train: number } | null };
export type StoredHeldOutReport = Omit<HeldOutReport, 'timeMs' | 'linearised' | 'infinite' | 'perStep'> & { linearised: StoredCurves; infinite: StoredCurves };

/** What a results line carries from the monitors of its run. */
export interface RunMonitors {
  ntk?: StoredNtkReport;
  heldout?: StoredHeldOutReport;
  /** Under spec.initialOnly: ‖H(W(0)) − H^lim‖₂ and λ (docs/theory.md §4B). */
  concentration?: ConcentrationReport;
}

export interface RunBudget {
  /** c. */
  multiple: number;
  /** T = ln(‖r(0)‖/ε)/(−ln(1 − ηλ_min(H(W(0))))) (null: infinite, λ_min(H(W(0))) ≤ 0). */
  linearisedSteps: number | null;
  /** The budget the run had: min(⌈c·T⌉, maxSteps). */
  steps: number;
  /** ⌈c·T⌉ > maxSteps: the run had less than c·T steps, so a failure to reach ε says nothing about c·T. */
  capped: boolean;
}

/** The budget of a spec with `budget` c, from the kernel monitor's start: min(⌈c·T⌉, maxSteps). */
export function budgetOf(spec: RunSpec, initial: KernelMonitorInitial, r0Norm: number): RunBudget | undefined {
  if (spec.budget === undefined) return undefined;
  const T = linearisedSteps(r0Norm, spec.epsilon, initial.etaNtk, initial.lambdaMin0);
  const want = Math.ceil(spec.budget * T);
  return { multiple: spec.budget, linearisedSteps: Number.isFinite(T) ? T : null, steps: Math.min(want, spec.maxSteps), capped: !(want <= spec.maxSteps) };
}

/** The monitors a run's spec asks for: the kernel monitor every K steps (K from n, m, d for 'auto'), the held-out one when it has test points. */
export interface RunMonitorSet {
  [key: string]: TrainMonitor<unknown> | undefined;
  ntk: NtkMonitor;
  heldout: TrainMonitor<HeldOutReport>;
  concentration: TrainMonitor<ConcentrationReport>;
}

/** The data of a run: its training set (with label noise, if asked) and its held-out points, if any. */
export interface RunData {
  train: Dataset;
  test?: Dataset;
}

/** The kernel monitoring interval of a run on n points in d dimensions: 0 (off) or K ≥ 1. */
export function monitorIntervalOf(spec: RunSpec, n: number, d: number): number {
  return spec.monitorEvery === 'auto' ? autoMonitorEvery(n, spec.model.m, d) : spec.monitorEvery;
}

/**
 * The interval of the held-out residual and predictions: the kernel monitor's, or when that is
 * off the interval it would have (the test residual costs one forward pass on n* points).
 */
export function testIntervalOf(spec: RunSpec, n: number, d: number): number {
  const every = monitorIntervalOf(spec, n, d);
  return every > 0 ? every : autoMonitorEvery(n, spec.model.m, d);
}

/**
 * The monitors of a run: the kernel monitor when its interval is > 0; the held-out one when the run
 * has test points and n ≤ LINEARISED_MAX_N (its two O(n³) eigendecompositions; above, the trainer
 * still records the network's test residual).
 */
export function monitorsOf(spec: RunSpec, data: RunData): Partial<RunMonitorSet> {
  if (spec.initialOnly) return { concentration: concentrationMonitor() };
  const every = monitorIntervalOf(spec, data.train.n, data.train.d);
  return {
    ...(every > 0 ? { ntk: ntkMonitor(every, spec.monitorUntil) } : {}),
    ...(data.test && data.train.n <= LINEARISED_MAX_N ? { heldout: heldOutMonitor(testIntervalOf(spec, data.train.n, data.train.d)) } : {}),
  };
}

/** The trainer's options for a run spec and its data (everything but the backend, callbacks and monitors). */
export function trainOptionsOf(spec: RunSpec, data?: RunData): TrainOptions {
  return {
    model: spec.model,
    normalize: spec.normalize,
    eta: spec.eta,
    epsilon: spec.epsilon,
    maxSteps: spec.maxSteps,
    ...(spec.alpha !== undefined ? { alpha: spec.alpha } : {}),
    ...(data?.test ? { test: data.test, testEvery: testIntervalOf(spec, data.train.n, data.train.d) } : {}),
  };
}

/**
 * The training set and held-out points of a spec: drawn (synthetic, with n* more points of the same
 * stream), split (a seeded fraction), or read (a test file, checked against the training set);
 * then the label noise, on the training labels only (docs/theory.md §6). Files hold at most `maxBytes`.
 */
export function loadRunData(spec: Pick<RunSpec, 'data' | 'test' | 'labelNoise'>, maxBytes?: number): RunData {
  const t = spec.test;
  let train: Dataset;
  let test: Dataset | undefined;
  if (t?.kind === 'synthetic' && spec.data.kind === 'synthetic') {
    const { inputs, n, d, labels, seed } = spec.data;
    ({ train, test } = generateSyntheticWithTest({ inputs, n, d, labels, seed }, t.n));
  } else {
    train = loadRecipe(spec.data, maxBytes);
    if (t?.kind === 'fraction') {
      const notes = train.notes;
      ({ train, test } = splitDataset(train, t.fraction, t.seed));
      if (notes) train = { ...train, notes };
    } else if (t?.kind === 'file') {
      test = loadRecipe({ kind: 'file', path: t.path, ...(t.labelColumn !== undefined ? { labelColumn: t.labelColumn } : {}), ...(t.labelsPath !== undefined ? { labelsPath: t.labelsPath } : {}) }, maxBytes);
      test = checkTestData(train, test);
      for (const note of test.notes ?? []) train = { ...train, notes: [...(train.notes ?? []), note] };
    }
  }
  if (spec.labelNoise !== undefined && spec.labelNoise > 0) train = withLabelNoise(train, spec.labelNoise, spec.data.kind === 'synthetic' ? spec.data.seed : 0);
  return { train, ...(test ? { test } : {}) };
}

export function datasetOf(spec: RunSpec): Dataset {
  return loadRecipe(spec.data);
}

/** The data set a recipe describes: drawn (synthetic) or read (file, holding at most `maxBytes`). */
export function loadRecipe(d: DataRecipe, maxBytes?: number): Dataset {
  if (d.kind === 'synthetic') return generateSynthetic({ inputs: d.inputs, n: d.n, d: d.d, labels: d.labels, seed: d.seed });
  return loadDataset(d.path, {
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    ...(d.labelColumn !== undefined ? { labelColumn: d.labelColumn } : {}),
    ...(d.labelsPath !== undefined ? { labelsPath: d.labelsPath } : {}),
  });
}

/** The steps kept of a history of `n` entries: all when n ≤ HISTORY_POINTS, else that many evenly spaced (first and last kept). */
export function thinnedSteps(n: number): number[] {
  if (n <= HISTORY_POINTS) return Array.from({ length: n }, (_, k) => k);
  const ks = new Set<number>();
  for (let j = 0; j < HISTORY_POINTS; j++) ks.add(Math.round((j * (n - 1)) / (HISTORY_POINTS - 1)));
  return [...ks].sort((a, b) => a - b);
}

/** The kernel monitor's report as stored in a results line: thinned, and without its wall time. */
export type StoredNtkReport = Omit<NtkReport, 'timeMs'>;

/** At most `max` items, evenly spaced, first and last kept. */
function thinList<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const idx = new Set<number>();
  for (let j = 0; j < max; j++) idx.add(Math.round((j * (xs.length - 1)) / (max - 1)));
  return [...idx].sort((a, b) => a - b).map((i) => xs[i]);
}

/**
 * The kernel monitor's report (docs/theory.md §4) with its per-step series (linearised prediction,
 * envelope, perStep) cut to the history's steps `ks`, and the observations to ≤ HISTORY_POINTS,
 * so that a results line stays small (a 100 000-step run would otherwise carry 4 × 100 001 numbers).
 * The certificate is computed before thinning, from every observation, so it is unchanged.
 */
export function thinNtkReport(report: StoredNtkReport & { timeMs?: number }, ks: readonly number[]): StoredNtkReport {
  const at = <T>(xs: readonly T[]): T[] => ks.map((k) => xs[k]);
  const { timeMs: _wallTime, ...deterministic } = report; // wall time would make equal runs differ
  return {
    ...deterministic,
    observations: thinList(report.observations, HISTORY_POINTS),
    linearised: report.linearised ? at(report.linearised) : null,
    envelope: at(report.envelope),
    perStep: Object.fromEntries(Object.entries(report.perStep).map(([key, xs]) => [key, at(xs as readonly (number | null)[])])) as StoredNtkReport['perStep'],
  };
}

/**
 * A results-file line from a finished training: scalars, the conventions, the history thinned to
 * ≤ HISTORY_POINTS steps (`history.k`), and the kernel monitor's report thinned to the same steps.
 * Used by `runOne` and by `train --report` (so that one run and a sweep share the report code).
 */
function storedConventions(c: Conventions): StoredConventions {
  const { threads: _threads, ...rest } = c; // kept beside timeMs instead
  return rest;
}

export function resultOf(spec: RunSpec, res: TrainResult<Partial<RunMonitorSet>>, timeMs: number): RunResult {
  const h = res.history;
  const ks = thinnedSteps(h.residual.length);
  const last = h.residual.length - 1;
  const ntk = res.monitors.ntk;
  const heldout = res.monitors.heldout;
  const concentration = res.monitors.concentration;
  const monitors: RunMonitors = { ...(ntk ? { ntk: thinNtkReport(ntk, ks) } : {}), ...(heldout ? { heldout: storedHeldOut(heldout) } : {}), ...(concentration ? { concentration } : {}) };
  const budget = ntk ? budgetOf(spec, ntk.initial, res.initialResidual) : undefined;
  const t = res.test;
  const small = t !== undefined && t.n <= STORED_PREDICTIONS_MAX;
  const testKs = t ? thinnedSteps(t.history.k.length) : [];
  return {
    kind: 'overparam-run',
    id: runId(spec),
    spec,
    status: res.status,
    message: spec.initialOnly ? 'initial kernel measured (no step taken)' : res.message,
    ...(res.hints.length > 0 && !spec.initialOnly ? { hints: res.hints } : {}),
    steps: res.steps,
    initialResidual: res.initialResidual,
    residual: res.residual,
    movement: h.movement[last],
    ...(h.flipFraction ? { flipFraction: h.flipFraction[last] } : {}),
    eta: res.eta.eta,
    lambdaMax: res.eta.lambdaMax ?? null,
    conventions: storedConventions(res.conventions),
    history: {
      k: ks,
      residual: ks.map((k) => h.residual[k]),
      movement: ks.map((k) => h.movement[k]),
      ...(h.flipFraction ? { flipFraction: ks.map((k) => h.flipFraction![k]) } : {}),
    },
    ...(Object.keys(monitors).length ? { monitors } : {}),
    ...(budget ? { budget } : {}),
    ...(t
      ? {
          test: {
            n: t.n,
            source: t.source,
            residual: t.residual,
            initialResidual: t.initialResidual,
            rmse: t.rmse,
            history: { k: testKs.map((j) => t.history.k[j]), residual: testKs.map((j) => t.history.residual[j]) },
            ...(small ? { predictions: Array.from(t.predictions), labels: Array.from(t.labels) } : {}),
          },
        }
      : {}),
    timeMs,
    threads: res.conventions.threads,
  };
}

/** The held-out report as a results line stores it: plain numbers, its curves thinned, predictions only for small test sets. */
function storedHeldOut(h: HeldOutReport): StoredHeldOutReport {
  const idx = thinnedSteps(h.k.length);
  const small = h.nTest <= STORED_PREDICTIONS_MAX;
  const curves = (c: PredictorCurves): StoredCurves => ({
    test: idx.map((j) => c.test[j]),
    train: idx.map((j) => c.train[j]),
    ...(small ? { final: Array.from(c.final) } : {}),
    limit: c.limit ? { test: c.limit.test, train: c.limit.train } : null,
    stable: c.stable,
    dropped: c.dropped,
  });
  const { timeMs: _wallTime, perStep: _perStep, linearised, infinite, ...rest } = h;
  return { ...rest, k: idx.map((j) => h.k[j]), linearised: curves(linearised), infinite: curves(infinite) };
}

/**
 * Runs a spec: the data (drawn or read, within the memory limit), the backend, the monitors, then
 * train(). `maxMemory` (bytes) bounds the run; default the machine's free memory when it starts.
 */
export function runOne(spec: RunSpec, backend?: Backend, maxMemory?: number): RunResult {
  const t0 = performance.now();
  try {
    const { data, options } = prepareRun(spec, backend, maxMemory);
    return resultOf(spec, train(data.train, options), performance.now() - t0);
  } catch (err) {
    return errorResult(spec, err, performance.now() - t0);
  }
}

/**
 * Several specs at once (e.g. the seeds of one threshold probe): each result is runOne's, bit for
 * bit but for timeMs (here the run's share of the batch: the wall time from the batch's start to
 * the run's end over the number of runs, so that the times of a batch add up to at most its wall time), while the runs'
 * batches of steps share native calls (trainManyAsync). `onResult` hears of each run as it ends; a
 * spec that fails gives its error result. With `shouldStop` true the runs not finished are left
 * out (undefined): a stopped run is not a result.
 */
export async function runMany(
  specs: readonly RunSpec[],
  o: { backend?: Backend; maxMemory?: number; shouldStop?: () => boolean; onResult?: (r: RunResult) => void } = {},
): Promise<(RunResult | undefined)[]> {
  const t0 = performance.now();
  const out: (RunResult | undefined)[] = new Array(specs.length).fill(undefined);
  const done = (k: number, r: RunResult): void => {
    out[k] = r;
    o.onResult?.(r);
  };
  const runs: { k: number; run: PreparedRun }[] = [];
  specs.forEach((spec, k) => {
    try {
      runs.push({ k, run: prepareRun(spec, o.backend, o.maxMemory) });
    } catch (error) {
      done(k, errorResult(spec, error, performance.now() - t0));
    }
  });
  await trainManyAsync(
    runs.map(({ run }) => ({ data: run.data.train, options: run.options })),
    {
      ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
      onDone: (i, res) => {
        const { k } = runs[i];
        const t = (performance.now() - t0) / specs.length;
        done(k, res instanceof Error ? errorResult(specs[k], res, t) : resultOf(specs[k], res as TrainResult<Partial<RunMonitorSet>>, t));
      },
    },
  );
  return out;
}

interface PreparedRun {
  data: RunData;
  options: TrainOptions<Partial<RunMonitorSet>>;
}

/** The data, backend, monitors and trainer options of a spec, within the memory limit (default the machine's free memory). */
function prepareRun(spec: RunSpec, backend: Backend | undefined, maxMemory: number | undefined): PreparedRun {
  const limit = maxMemory ?? defaultMemoryLimit();
  const limitText = maxMemory !== undefined ? 'the limit given' : "the machine's free memory";
  if (spec.data.kind === 'synthetic') {
    // before the data are drawn: n·d of a synthetic set is known from the spec
    const { n, d } = spec.data;
    const nTest = spec.test?.kind === 'synthetic' ? spec.test.n : 0;
    checkRunMemory({ n, d, m: spec.model.m, monitor: spec.monitorEvery !== 0 || nTest > 0, reference: backend?.name === 'reference', precision: spec.precision, nTest }, limit, limitText);
  }
  const data = loadRunData(spec, limit);
  const activation = activationByName(spec.model.activation);
  // a given backend without this activation's kernel is replaced as 'auto' would choose (never another activation's kernel)
  const be = backend?.supports(activation) ? backend : createBackend({ precision: spec.precision, activation, ...(backend ? { threads: backend.threads } : {}) });
  const monitors = monitorsOf(spec, data);
  const options: TrainOptions<Partial<RunMonitorSet>> = { ...trainOptionsOf(spec, data), backend: be, monitors, maxMemory: limit };
  const ntk = monitors.ntk;
  if (spec.budget !== undefined && ntk) {
    // min(⌈c·T⌉, maxSteps) once the monitor's start has measured λ_min(H(W(0)))   (docs/theory.md §4E)
    options.stepLimit = (start) => {
      const initial = ntk.initial();
      const b = initial ? budgetOf(spec, initial, start.residual) : undefined;
      return b && !b.capped ? { steps: b.steps, why: `${spec.budget} × the linearised T = ${b.linearisedSteps?.toPrecision(4)}` } : undefined;
    };
  }
  return { data, options };
}

/** A results line for a run that failed with an error (its message, field and hints kept). */
function errorResult(spec: RunSpec, err: unknown, timeMs: number): RunResult {
  const message = err instanceof OverparamError ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
  const hints = err instanceof OverparamError ? [...err.hints] : [];
  const field = err instanceof OverparamError ? err.field : undefined;
  return {
    kind: 'overparam-run',
    id: runId(spec),
    spec,
    status: 'error',
    message,
    ...(hints.length > 0 ? { hints } : {}),
    ...(field !== undefined ? { field } : {}),
    steps: 0,
    initialResidual: null,
    residual: null,
    movement: null,
    eta: null,
    lambdaMax: null,
    conventions: null,
    history: null,
    timeMs,
  };
}
