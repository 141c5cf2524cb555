/**
 * Full-batch gradient descent on L(W) = ½‖F(W,X) − y‖₂² (docs/theory.md §2), until the abstract's
 * criterion ‖F(W,X) − y‖₂ ≤ ε, a step budget, or divergence. Monitors (e.g. the kernel monitor of
 * §4, theory/train-monitor.ts) are passed in by the caller and watch the run without changing it.
 */
import { createBackend } from '../backend/index.js';
import type { Backend, RunJob, RunStepsOut, RunStepsResult } from '../backend/types.js';
import { type Dataset, validateDataset } from '../data/dataset.js';
import { checkTestData } from '../data/split.js';
import { applyNormalization, fitNormalization } from '../data/normalize.js';
import { DataError, OptionError, type Hint } from '../errors.js';
import { resolveActivation } from '../activations/index.js';
import { createModel, problemOf } from '../model/model.js';
import { movement } from '../model/movement.js';
import { DEFAULT_MODEL_SPEC, type ModelSpec, validateSpec } from '../model/spec.js';
import { defaultMemoryLimit } from '../io/limits.js';
import { autoEtaSteps } from './eta.js';
import { checkRunMemory } from './memory.js';
import { checkAlpha, checkDivergenceFactor, checkEpsilon, checkEta, checkMaxSteps, checkMonitorCadence, checkReportEvery, checkTestEvery } from './settings.js';
import {
  CRITERION,
  type Conventions,
  type EtaInfo,
  type HeldOut,
  type History,
  type MonitorContext,
  type MonitorResults,
  type Monitors,
  type TrainMonitor,
  type StepInfo,
  type TestResult,
  type TrainOptions,
  type TrainResult,
  type TrainStatus,
} from './types.js';

export { movement };

export const DEFAULTS = { epsilon: 0.01, maxSteps: 100_000, divergenceFactor: 1e3, normalize: 'unit' as const };

/** Multiply-adds (n·m·d per step) one call of the backend's runSteps may take: 2^25 (the default run: 16 steps, ~2.5 ms; from n·m·d = 2^25 on, one step a call). */
export const BATCH_WORK = 2 ** 25;

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/** A batch of steps the loop asks its driver to run (Backend.runSteps, or runMany for several runs at once). */
interface StepRequest {
  backend: Backend;
  job: RunJob;
}

/** What the loop's generator yields: a pause (undefined) or a batch of steps to run; it is resumed with that batch's result. */
type Pause = StepRequest | undefined;

/** Runs the generator, answering its step requests with the backend's runSteps. */
function drive<R>(run: Generator<Pause, R, RunStepsResult | undefined>): R {
  let next = run.next();
  for (;;) {
    if (next.done) return next.value;
    const req = next.value;
    next = run.next(req ? req.backend.runSteps!(req.job.p, req.job.s, req.job.o, req.job.out) : undefined);
  }
}

/**
 * Trains synchronously. Use `trainAsync` where the event loop must keep running (signals,
 * progress timers, servers).
 */
export function train<M extends Monitors = Record<never, never>>(data: Dataset, options: TrainOptions<M> = {}): TrainResult<M> {
  return drive(trainSteps(data, options));
}

/**
 * The same run, handing control back to the event loop every `yieldEveryMs` milliseconds so that
 * Ctrl-C handlers, progress bars and timers run while training. Same arithmetic, same bits.
 */
export async function trainAsync<M extends Monitors = Record<never, never>>(data: Dataset, options: TrainOptions<M> = {}, yieldEveryMs = 50): Promise<TrainResult<M>> {
  const run = trainSteps(data, options);
  let last = performance.now();
  let next = run.next();
  for (;;) {
    if (next.done) return next.value;
    const req = next.value;
    const ran = req ? req.backend.runSteps!(req.job.p, req.job.s, req.job.o, req.job.out) : undefined;
    if (performance.now() - last >= yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = performance.now();
    }
    next = run.next(ran);
  }
}

/**
 * Several independent runs at once (e.g. the seeds of one threshold probe): each is exactly the
 * run `train(data, options)` would make — the same bits — but their batches of steps go to the
 * backend together (Backend.runMany: one native call, the runs spread over its threads, each on one
 * thread). A run that fails returns its error in its place; the others go on.
 */
export function trainMany(runs: readonly ManyRun[]): (TrainResult<Monitors> | Error)[] {
  const rounds = manyRounds(runs);
  for (;;) {
    const next = rounds.next();
    if (next.done) return next.value as (TrainResult<Monitors> | Error)[];
  }
}

/**
 * trainMany handing control back to the event loop every `yieldEveryMs` between rounds of native
 * calls, and ending early when `shouldStop` says so: the runs not finished then are undefined.
 * `onDone` hears of each run as it ends.
 */
export async function trainManyAsync(
  runs: readonly ManyRun[],
  o: { shouldStop?: () => boolean; onDone?: (index: number, result: TrainResult<Monitors> | Error) => void; yieldEveryMs?: number } = {},
): Promise<(TrainResult<Monitors> | Error | undefined)[]> {
  const rounds = manyRounds(runs, o.onDone);
  let last = performance.now();
  for (;;) {
    const next = rounds.next();
    if (next.done) return next.value;
    if (performance.now() - last >= (o.yieldEveryMs ?? 50)) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = performance.now();
    }
    if (o.shouldStop?.()) return next.value;
  }
}

/** One run of trainMany: its data and options, as for train(). */
export interface ManyRun {
  data: Dataset;
  options: TrainOptions<Monitors>;
}

/** The rounds of trainMany: one native call per backend per round; yields the results so far (undefined: not finished) between rounds. */
function* manyRounds(
  runs: readonly ManyRun[],
  onDone?: (index: number, result: TrainResult<Monitors> | Error) => void,
): Generator<(TrainResult<Monitors> | Error | undefined)[], (TrainResult<Monitors> | Error | undefined)[], void> {
  const gens = runs.map((r) => trainSteps(r.data, r.options));
  const out: (TrainResult<Monitors> | Error | undefined)[] = new Array(runs.length).fill(undefined);
  const state: (IteratorResult<Pause, TrainResult<Monitors>> | null)[] = new Array(runs.length).fill(null);
  const finish = (i: number, result: TrainResult<Monitors> | Error): void => {
    out[i] = result;
    onDone?.(i, result);
  };
  const advance = (i: number, value: RunStepsResult | undefined): void => {
    let ended: TrainResult<Monitors> | Error | undefined;
    try {
      let next = gens[i].next(value);
      while (!next.done && next.value === undefined) next = gens[i].next();
      state[i] = next;
      if (next.done) ended = next.value;
    } catch (err) {
      state[i] = null;
      ended = err instanceof Error ? err : new Error(String(err));
    }
    // outside the try: an error of the listener (a results file that cannot take the line) is not the run's
    if (ended !== undefined) finish(i, ended);
  };
  for (let i = 0; i < runs.length; i++) advance(i, undefined);
  for (;;) {
    const waiting = state.map((st, i) => (st && !st.done ? i : -1)).filter((i) => i >= 0);
    if (waiting.length === 0) return out;
    // the requests of one backend go in one call where it can take several; the others one by one
    const byBackend = new Map<Backend, number[]>();
    for (const i of waiting) {
      const req = (state[i] as IteratorYieldResult<Pause>).value!;
      byBackend.set(req.backend, [...(byBackend.get(req.backend) ?? []), i]);
    }
    for (const [backend, idx] of byBackend) {
      const jobs = idx.map((i) => (state[i] as IteratorYieldResult<Pause>).value!.job);
      let results: RunStepsResult[];
      try {
        results = backend.runMany && jobs.length > 1 ? backend.runMany(jobs) : jobs.map((j) => backend.runSteps!(j.p, j.s, j.o, j.out));
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const i of idx) state[i] = null;
        for (const i of idx) finish(i, error);
        continue;
      }
      idx.forEach((i, t) => advance(i, results[t]));
    }
    yield out;
  }
}

/**
 * A batch's per-step records appended to the history: ‖r‖, R and ReLU's flip fraction (flips ÷ n·m).
 * A function of its own, not a loop inside the generator, so that V8 optimises it early (a study
 * passes millions of steps through it).
 */
function recordBatch(out: RunStepsOut, steps: number, pairs: number, history: History): void {
  const { residual, movement } = history;
  for (let j = 0; j < steps; j++) residual.push(out.residual[j]);
  for (let j = 0; j < steps; j++) movement.push(out.movement[j]);
  const flips = out.flips;
  const fraction = history.flipFraction;
  if (flips && fraction) for (let j = 0; j < steps; j++) fraction.push(flips[j] / pairs);
}

/** The training loop as a generator that pauses after every step (and between the preparations before step 0), and hands batches of steps to its driver. */
function* trainSteps<M extends Monitors>(data: Dataset, options: TrainOptions<M>): Generator<Pause, TrainResult<M>, RunStepsResult | undefined> {
  const t0 = performance.now();
  validateDataset(data);
  const activation = resolveActivation(options.model?.activation ?? DEFAULT_MODEL_SPEC.activation);
  const spec: ModelSpec = { ...DEFAULT_MODEL_SPEC, ...options.model, activation: activation.name };
  validateSpec(spec, activation);
  const epsilon = checkEpsilon(options.epsilon ?? DEFAULTS.epsilon);
  const maxSteps = checkMaxSteps(options.maxSteps ?? DEFAULTS.maxSteps);
  const factor = checkDivergenceFactor(options.divergenceFactor ?? DEFAULTS.divergenceFactor);
  const etaOption = checkEta(options.eta ?? 'auto');
  const alpha = options.alpha === undefined ? undefined : checkAlpha(options.alpha);
  const testEvery = checkTestEvery(options.testEvery ?? 1);
  // the test columns as the network sees them: matched to the training columns by name where both have names
  const test = options.test ? checkTestData(data, validateDataset(options.test)) : undefined;
  const backend: Backend = options.backend ?? createBackend({ activation });
  if (!backend.supports(activation)) {
    throw new OptionError(`the ${backend.name} backend has no kernel for the activation '${activation.name}'; use the reference backend`, { field: 'backend' });
  }

  const { n, d } = data;
  const monitorCount = Object.values(options.monitors ?? {}).filter((x) => x !== undefined).length;
  checkRunMemory(
    { n, d, m: spec.m, monitor: monitorCount > 0, reference: backend.name === 'reference', patterns: activation.patterns && backend.name !== 'reference', precision: backend.precision, nTest: test?.n ?? 0 },
    options.maxMemory ?? defaultMemoryLimit(),
    options.maxMemory !== undefined ? 'the limit given' : "the machine's free memory",
  );
  const normalization = fitNormalization(options.normalize ?? DEFAULTS.normalize, data.X, n, d, data.source);
  const X = applyNormalization(normalization, data.X, n, d, data.source);
  const model = createModel(spec, activation, d, normalization, data.featureNames, alpha);
  const { m } = spec;
  const p = problemOf(model, X, data.y, n);
  const W = model.W;

  const u = new Float64Array(n);
  const r = new Float64Array(n);
  // the centred model F_α = α(F − F(W(0))) on ½‖F_α − y‖²/α²: its gradient is the plain one at the
  // residual r = (F_α − y)/α (docs/theory.md §6). F_α − y is formed first, so that neither a large
  // nor a small α rounds y away (F(W(0)) + y/α would lose y/α beside F(W(0)) for α ≳ 1e16)
  const rModel = alpha === undefined ? r : new Float64Array(n); // F_α(W,X) − y, as the run reports it and monitors see it
  let u0: Float64Array | undefined;
  const residualOf = (): number => {
    if (alpha === undefined || u0 === undefined) {
      for (let i = 0; i < n; i++) r[i] = u[i] - data.y[i];
      return norm2(r);
    }
    for (let i = 0; i < n; i++) {
      rModel[i] = alpha * (u[i] - u0[i]) - data.y[i];
      r[i] = rModel[i] / alpha;
    }
    return norm2(rModel);
  };
  let ySq = 0;
  for (let i = 0; i < n; i++) ySq += data.y[i] * data.y[i];
  if (!Number.isFinite(ySq)) {
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(data.y[i]) > Math.abs(data.y[big])) big = i;
    throw new DataError(`${data.source}: the labels are too large for the squared loss: ‖y‖² overflows (|y_${big + 1}| = ${Math.abs(data.y[big]).toPrecision(3)}); rescale the labels`);
  }
  backend.forward(p, W, u);
  if (alpha !== undefined) {
    u0 = Float64Array.from(u);
    const big = data.y.reduce((mx, v) => Math.max(mx, Math.abs(v)), 0);
    if (!Number.isFinite(big / alpha)) throw new OptionError(`α = ${alpha} is too small for these labels: the gradient's residual (F_α − y)/α overflows (max |y| = ${big.toPrecision(3)})`, { field: 'alpha' });
  }
  let residual = residualOf();
  const initialResidual = residual;
  if (!u.every(Number.isFinite) || !Number.isFinite(residual)) {
    throw new DataError(`F(W(0), X) is not finite: σ(⟨w_r, x_i⟩) overflowed at initialisation (normalise the inputs to the unit ball, or use a smaller width when κ = 1)`, {
      field: 'normalize',
      hints: [{ field: 'normalize', value: 'unit' }, ...(spec.scaling === 'none' ? [{ field: 'm', change: 'lower' } as const] : [])],
    });
  }
  const held = test ? heldOutOf(test) : undefined;
  let etaInfo: EtaInfo;
  const stopRequested = (): boolean => options.shouldStop?.() === true;
  /** Where the preparation was stopped by request, if it was (shouldStop). */
  let stoppedIn: string | undefined;
  if (etaOption === 'auto') {
    options.onPrepare?.('eta');
    yield;
    const steps = autoEtaSteps(backend, p, model.W0, spec.seed);
    let next = steps.next();
    while (!next.done && !stopRequested()) {
      yield;
      next = steps.next();
    }
    if (next.done) {
      const auto = next.value;
      if (!(auto.eta > 0 && Number.isFinite(auto.eta))) {
        throw new OptionError(`η = 1/λ_max(H(W(0))) failed: λ_max = ${auto.lambdaMax} (the kernel overflowed or vanished); give η explicitly`, { field: 'eta' });
      }
      etaInfo = { mode: 'auto', ...auto };
    } else {
      stoppedIn = 'while η = 1/λ_max(H(W(0))) was computed';
      etaInfo = { mode: 'auto', eta: Number.NaN };
    }
  } else {
    etaInfo = { mode: 'fixed', eta: etaOption };
  }
  const eta = etaInfo.eta;
  if (stoppedIn === undefined) options.onEta?.(etaInfo);

  const patterns = activation.patterns;
  const history: History = { residual: [residual], movement: [0], ...(patterns ? { flipFraction: [0] } : {}) };
  const ctx = (k: number): MonitorContext => ({ backend, problem: p, W0: model.W0, W, r: rModel, residual, eta, k, ...(held ? { test: held.heldOut } : {}) });
  const given = Object.entries(options.monitors ?? {}).filter((e): e is [string, TrainMonitor<unknown>] => e[1] !== undefined);
  if (stoppedIn === undefined && given.length > 0) {
    options.onPrepare?.('monitors');
    yield;
    if (stopRequested()) stoppedIn = "before the monitor's first kernel was computed";
  }
  // a monitor that never started reports nothing
  const monitors = stoppedIn === undefined ? given : [];
  for (const [, mon] of monitors) mon.start?.(ctx(0));
  // a budget that depends on what the monitors measured at the start (e.g. a multiple of the linearised T)
  let budget = maxSteps;
  let budgetWhy = '';
  const limit0 = stoppedIn === undefined ? options.stepLimit?.(ctx(0)) : undefined;
  if (limit0 !== undefined && limit0.steps < maxSteps) {
    budget = checkMaxSteps(limit0.steps);
    budgetWhy = ` (${limit0.why})`;
  }

  let status: TrainStatus = 'max-steps';
  let k = 0;
  let message = '';
  let hints: Hint[] = [];
  const report = (info: StepInfo): boolean => options.onStep?.(info) !== false;
  held?.record(0);
  let keepGoing = stoppedIn === undefined && report({ k: 0, residual, movement: 0, ratio: NaN, W, r: rModel, ...(patterns ? { flipFraction: 0 } : {}) });
  const Wprev = new Float64Array(m * d);
  const rprev = new Float64Array(n);
  const uprev = new Float64Array(n);
  const limit = factor * Math.max(initialResidual, epsilon);
  const smallerEta: Hint = { field: 'eta', value: Number((eta / 10).toPrecision(3)) };
  // What must happen at a step, after it: the test record and the monitors' observations at their
  // multiples (a monitor without an interval observes every step).
  const watchers = monitors.map(([, mon]) => mon);
  const residualHooks = watchers.filter((mon) => mon.residual !== undefined);
  const observers = watchers.filter((mon) => mon.observe !== undefined);
  const event = (at: number): void => {
    if (held && at % testEvery === 0) held.record(at);
    for (const mon of observers) if (at % (mon.every ?? 1) === 0) mon.observe!(ctx(at));
  };
  const reportEvery = options.onStep ? checkReportEvery(options.reportEvery ?? 1) : Infinity;
  const cadences = [reportEvery, ...(held ? [testEvery] : []), ...observers.map((mon) => checkMonitorCadence(mon.every ?? 1))].filter((e) => Number.isFinite(e));
  /** Steps from k to the next step at which something must happen (a multiple of a cadence). */
  const stepsToEvent = (at: number): number => cadences.reduce((best, e) => Math.min(best, e - (at % e)), Infinity);
  // a batch does about BATCH_WORK multiply-adds of the step's passes (a few ms), so that Ctrl-C and progress stay prompt
  const batchCap = Math.max(1, Math.floor(BATCH_WORK / (n * m * d)));
  const batchOut = { residual: new Float64Array(Math.min(batchCap, maxSteps)), movement: new Float64Array(Math.min(batchCap, maxSteps)), ...(patterns ? { flips: new Float64Array(Math.min(batchCap, maxSteps)) } : {}) };
  while (true) {
    if (residual <= epsilon) {
      status = 'converged';
      message = `reached ‖F(W,X) − y‖₂ = ${residual.toPrecision(6)} ≤ ε = ${epsilon} after ${k} steps`;
      break;
    }
    if (!keepGoing) {
      status = 'stopped';
      message = stoppedIn !== undefined ? `stopped by request before step 0, ${stoppedIn}` : `stopped by request after ${k} steps at ‖F(W,X) − y‖₂ = ${residual.toPrecision(6)}`;
      break;
    }
    if (k >= budget) {
      message = `step budget of ${budget}${budgetWhy} exhausted at ‖F(W,X) − y‖₂ = ${residual.toPrecision(6)} > ε = ${epsilon}`;
      hints = [...(budget === maxSteps ? [{ field: 'maxSteps', change: 'raise' } as const] : []), { field: 'm', change: 'raise' }];
      break;
    }
    // Steps up to the next event (a report, a test record, a monitor's observation, the budget) go
    // to the backend in one call where it can (runSteps: the same bits as one step at a time).
    const batch = Math.min(budget - k, batchCap, stepsToEvent(k));
    let ratio = NaN;
    let R = history.movement[history.movement.length - 1];
    let flipFraction: number | undefined;
    if (batch > 1 && backend.runSteps) {
      const before = k;
      const job: RunJob = { p, s: { W, W0: model.W0, y: data.y, u, r, rModel }, o: { steps: batch, eta, residual, epsilon, limit, ...(alpha !== undefined ? { alpha, u0: u0! } : {}), flips: patterns }, out: batchOut };
      const ran = yield { backend, job };
      if (!ran) throw new Error('internal: a batch of steps was not run');
      if (ran.steps > 0) {
        recordBatch(batchOut, ran.steps, n * m, history);
        const last = ran.steps - 1;
        ratio = batchOut.residual[last] / (last > 0 ? batchOut.residual[last - 1] : residual);
        for (const mon of residualHooks) for (let j = 0; j < ran.steps; j++) mon.residual!(k + j + 1, batchOut.residual[j]);
        residual = batchOut.residual[last];
        R = history.movement[history.movement.length - 1];
        if (history.flipFraction) flipFraction = history.flipFraction[history.flipFraction.length - 1];
        k += ran.steps;
      }
      if (ran.reason === 2) {
        status = 'diverged';
        message = `diverged at step ${k + 1}: the output became non-finite; kept the weights of step ${k} (‖r‖ = ${residual.toPrecision(6)}); a smaller step size may help`;
        hints = [smallerEta];
        if (k > before) event(k);
        break;
      }
      if (k === before) continue; // converged before the first step: the loop's top says so
      event(k);
    } else {
      Wprev.set(W);
      rprev.set(r);
      uprev.set(u);
      backend.step(p, W, r, eta, u); // W(k+1) = W(k) − η ∇L(W(k)); u = F(W(k+1), X)
      const next = residualOf();
      k++;
      if (!Number.isFinite(next) || !allFinite(W)) {
        W.set(Wprev); // keep the last finite weights
        r.set(rprev);
        u.set(uprev);
        residualOf(); // r and F_α − y of the kept weights
        status = 'diverged';
        message = `diverged at step ${k}: the output became non-finite; kept the weights of step ${k - 1} (‖r‖ = ${residual.toPrecision(6)}); a smaller step size may help`;
        hints = [smallerEta];
        k--;
        break;
      }
      ratio = next / residual;
      residual = next;
      R = movement(W, model.W0, m, d);
      history.residual.push(residual);
      history.movement.push(R);
      if (patterns) {
        flipFraction = backend.patternFlips(p, model.W0, W) / (n * m);
        history.flipFraction!.push(flipFraction);
      }
      for (const mon of residualHooks) mon.residual!(k, residual);
      event(k);
    }
    if (residual > limit) {
      status = 'diverged';
      message = `diverged at step ${k}: ‖r‖ = ${residual.toPrecision(6)} grew past ${factor}× its start (${initialResidual.toPrecision(6)}); a smaller step size may help`;
      hints = [smallerEta];
      break;
    }
    keepGoing = report({ k, residual, movement: R, ratio, W, r: rModel, ...(flipFraction !== undefined ? { flipFraction } : {}) });
    yield;
  }

  // A fused step may evaluate F(W(k+1), X) by another route than the forward pass (the native
  // backend updates e^{z} instead of recomputing it; equal to ~1 ulp). The final outputs are
  // re-evaluated by the forward pass, so that `predict` on the saved model reproduces them bit
  // for bit; the last history entry is the same value.
  if (k > 0) {
    backend.forward(p, W, u);
    residual = residualOf();
    history.residual[history.residual.length - 1] = residual;
  }
  held?.record(k); // the final state is always recorded

  const monitorResults = {} as Record<string, unknown>;
  for (const [key, mon] of monitors) {
    if (!mon.finish) continue;
    const out = mon.finish(ctx(k));
    monitorResults[key] = out;
    const perStep = out !== null && typeof out === 'object' && 'perStep' in out ? (out as { perStep?: Record<string, (number | null)[]> }).perStep : undefined;
    if (perStep) history.extra = { ...history.extra, ...perStep };
  }
  const testResult = held?.result();
  if (testResult) {
    // the held-out residual in the per-step history (null where not recorded), beside the monitors' series
    const series = new Array<number | null>(k + 1).fill(null);
    testResult.history.k.forEach((j, i) => (series[j] = testResult.history.residual[i]));
    history.extra = { ...history.extra, test_residual: series };
  }
  const conventions: Conventions = {
    activation: activation.name,
    scaling: spec.scaling,
    kappa: model.kappa,
    init: spec.init,
    width: m,
    seed: spec.seed,
    normalization,
    precision: backend.precision,
    backend: backend.name,
    threads: backend.threads,
    eta,
    etaMode: etaInfo.mode,
    epsilon,
    criterion: CRITERION,
    ...(alpha !== undefined ? { alpha } : {}),
  };
  if (alpha !== undefined && u0 !== undefined) for (let i = 0; i < n; i++) u[i] = alpha * (u[i] - u0[i]);
  return {
    model,
    status,
    message,
    hints,
    steps: k,
    initialResidual,
    residual,
    eta: etaInfo,
    history,
    conventions,
    data: { n, d, source: data.source },
    predictions: u,
    inputs: X,
    timeMs: performance.now() - t0,
    monitors: monitorResults as MonitorResults<M>,
    ...(testResult ? { test: testResult } : {}),
  };

  /**
   * The held-out points after the training normalisation, and their residual ‖u* − y*‖₂ recorded
   * at chosen steps (u* the model's outputs: F(W, X*), or α(F(W, X*) − F(W(0), X*)) when centred).
   */
  function heldOutOf(t: Dataset) {
    const nt = t.n;
    const Xt = applyNormalization(normalization, t.X, nt, d, t.source);
    const pt = problemOf(model, Xt, t.y, nt);
    const raw0 = new Float64Array(nt);
    backend.forward(pt, model.W0, raw0);
    const bad = raw0.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new DataError(`${t.source}: test row ${bad + 1}: F(W(0), x*) = ${raw0[bad]}: σ(⟨w_r, x*⟩) overflowed (normalise the inputs to the unit ball)`, { field: 'normalize', hints: [{ field: 'normalize', value: 'unit' }] });
    const ut = new Float64Array(nt);
    const heldOut: HeldOut = { problem: pt, u0: alpha === undefined ? Float64Array.from(raw0) : new Float64Array(nt), source: t.source };
    const ks: number[] = [];
    const values: number[] = [];
    const outputsAt = (): Float64Array => {
      backend.forward(pt, W, ut);
      if (alpha !== undefined) for (let s = 0; s < nt; s++) ut[s] = alpha * (ut[s] - raw0[s]);
      return ut;
    };
    const residualAt = (): number => {
      outputsAt();
      let sq = 0;
      for (let s = 0; s < nt; s++) sq += (ut[s] - t.y[s]) ** 2;
      return Math.sqrt(sq);
    };
    return {
      heldOut,
      record(k: number): void {
        if (ks.length > 0 && ks[ks.length - 1] >= k) {
          if (ks[ks.length - 1] === k) values[values.length - 1] = residualAt(); // the final outputs replace a fused step's
          return;
        }
        ks.push(k);
        values.push(residualAt());
      },
      result(): TestResult {
        const residual = values[values.length - 1];
        return { n: nt, source: t.source, residual, initialResidual: values[0], rmse: residual / Math.sqrt(nt), history: { k: ks, residual: values }, predictions: Float64Array.from(outputsAt()), inputs: Xt, labels: Float64Array.from(t.y) };
      },
    };
  }
}
