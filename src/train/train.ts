/**
 * Full-batch gradient descent on L(W) = ½‖F(W,X) − y‖₂² (docs/theory.md §2), until the abstract's
 * criterion ‖F(W,X) − y‖₂ ≤ ε, a step budget, or divergence. Monitors (e.g. the kernel monitor of
 * §4, theory/train-monitor.ts) are passed in by the caller and watch the run without changing it.
 */
import { createBackend } from '../backend/index.js';
import type { Backend } from '../backend/types.js';
import { type Dataset, validateDataset } from '../data/dataset.js';
import { applyNormalization, fitNormalization } from '../data/normalize.js';
import { DataError, OptionError, type Hint } from '../errors.js';
import { resolveActivation } from '../activations/index.js';
import { createModel, problemOf } from '../model/model.js';
import { movement } from '../model/movement.js';
import { DEFAULT_MODEL_SPEC, type ModelSpec, validateSpec } from '../model/spec.js';
import { defaultMemoryLimit } from '../io/limits.js';
import { autoEtaSteps } from './eta.js';
import { checkRunMemory } from './memory.js';
import { checkDivergenceFactor, checkEpsilon, checkEta, checkMaxSteps } from './settings.js';
import {
  CRITERION,
  type Conventions,
  type EtaInfo,
  type History,
  type MonitorContext,
  type MonitorResults,
  type Monitors,
  type TrainMonitor,
  type StepInfo,
  type TrainOptions,
  type TrainResult,
  type TrainStatus,
} from './types.js';

export { movement };

export const DEFAULTS = { epsilon: 0.01, maxSteps: 100_000, divergenceFactor: 1e3, normalize: 'unit' as const };

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/**
 * Trains synchronously. Use `trainAsync` where the event loop must keep running (signals,
 * progress timers, servers).
 */
export function train<M extends Monitors = Record<never, never>>(data: Dataset, options: TrainOptions<M> = {}): TrainResult<M> {
  const run = trainSteps(data, options);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/**
 * The same run, handing control back to the event loop every `yieldEveryMs` milliseconds so that
 * Ctrl-C handlers, progress bars and timers run while training. Same arithmetic, same bits.
 */
export async function trainAsync<M extends Monitors = Record<never, never>>(data: Dataset, options: TrainOptions<M> = {}, yieldEveryMs = 50): Promise<TrainResult<M>> {
  const run = trainSteps(data, options);
  let last = performance.now();
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    if (performance.now() - last >= yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}

/** The training loop as a generator that pauses after every step (and between the preparations before step 0). */
function* trainSteps<M extends Monitors>(data: Dataset, options: TrainOptions<M>): Generator<void, TrainResult<M>, void> {
  const t0 = performance.now();
  validateDataset(data);
  const activation = resolveActivation(options.model?.activation ?? DEFAULT_MODEL_SPEC.activation);
  const spec: ModelSpec = { ...DEFAULT_MODEL_SPEC, ...options.model, activation: activation.name };
  validateSpec(spec, activation);
  const epsilon = checkEpsilon(options.epsilon ?? DEFAULTS.epsilon);
  const maxSteps = checkMaxSteps(options.maxSteps ?? DEFAULTS.maxSteps);
  const factor = checkDivergenceFactor(options.divergenceFactor ?? DEFAULTS.divergenceFactor);
  const etaOption = checkEta(options.eta ?? 'auto');
  const backend: Backend = options.backend ?? createBackend({ activation });
  if (!backend.supports(activation)) {
    throw new OptionError(`the ${backend.name} backend has no kernel for the activation '${activation.name}'; use the reference backend`, { field: 'backend' });
  }

  const { n, d } = data;
  const monitorCount = Object.values(options.monitors ?? {}).filter((x) => x !== undefined).length;
  checkRunMemory(
    { n, d, m: spec.m, monitor: monitorCount > 0, reference: backend.name === 'reference', precision: backend.precision },
    options.maxMemory ?? defaultMemoryLimit(),
    options.maxMemory !== undefined ? 'the limit given' : "the machine's free memory",
  );
  const normalization = fitNormalization(options.normalize ?? DEFAULTS.normalize, data.X, n, d, data.source);
  const X = applyNormalization(normalization, data.X, n, d, data.source);
  const model = createModel(spec, activation, d, normalization, data.featureNames);
  const { m } = spec;
  const p = problemOf(model, X, data.y, n);
  const W = model.W;

  const u = new Float64Array(n);
  const r = new Float64Array(n);
  const residualOf = (): number => {
    for (let i = 0; i < n; i++) r[i] = u[i] - data.y[i];
    return norm2(r);
  };
  let ySq = 0;
  for (let i = 0; i < n; i++) ySq += data.y[i] * data.y[i];
  if (!Number.isFinite(ySq)) {
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(data.y[i]) > Math.abs(data.y[big])) big = i;
    throw new DataError(`${data.source}: the labels are too large for the squared loss: ‖y‖² overflows (|y_${big + 1}| = ${Math.abs(data.y[big]).toPrecision(3)}); rescale the labels`);
  }
  backend.forward(p, W, u);
  let residual = residualOf();
  const initialResidual = residual;
  if (!u.every(Number.isFinite) || !Number.isFinite(residual)) {
    throw new DataError(`F(W(0), X) is not finite: σ(⟨w_r, x_i⟩) overflowed at initialisation (normalise the inputs to the unit ball, or use a smaller width when κ = 1)`, {
      field: 'normalize',
      hints: [{ field: 'normalize', value: 'unit' }, ...(spec.scaling === 'none' ? [{ field: 'm', change: 'lower' } as const] : [])],
    });
  }
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
  const ctx = (k: number): MonitorContext => ({ backend, problem: p, W0: model.W0, W, r, residual, eta, k });
  const given = Object.entries(options.monitors ?? {}).filter((e): e is [string, TrainMonitor<unknown>] => e[1] !== undefined);
  if (stoppedIn === undefined && given.length > 0) {
    options.onPrepare?.('monitors');
    yield;
    if (stopRequested()) stoppedIn = "before the monitor's first kernel was computed";
  }
  // a monitor that never started reports nothing
  const monitors = stoppedIn === undefined ? given : [];
  for (const [, mon] of monitors) mon.start?.(ctx(0));

  let status: TrainStatus = 'max-steps';
  let k = 0;
  let message = '';
  let hints: Hint[] = [];
  const report = (info: StepInfo): boolean => options.onStep?.(info) !== false;
  let keepGoing = stoppedIn === undefined && report({ k: 0, residual, movement: 0, ratio: NaN, W, r, ...(patterns ? { flipFraction: 0 } : {}) });
  const Wprev = new Float64Array(m * d);
  const rprev = new Float64Array(n);
  const uprev = new Float64Array(n);
  const limit = factor * Math.max(initialResidual, epsilon);
  const smallerEta: Hint = { field: 'eta', value: Number((eta / 10).toPrecision(3)) };
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
    if (k >= maxSteps) {
      message = `step budget of ${maxSteps} exhausted at ‖F(W,X) − y‖₂ = ${residual.toPrecision(6)} > ε = ${epsilon}`;
      hints = [
        { field: 'maxSteps', change: 'raise' },
        { field: 'm', change: 'raise' },
      ];
      break;
    }
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
      status = 'diverged';
      message = `diverged at step ${k}: the output became non-finite; kept the weights of step ${k - 1} (‖r‖ = ${residual.toPrecision(6)}); a smaller step size may help`;
      hints = [smallerEta];
      k--;
      break;
    }
    const ratio = next / residual;
    residual = next;
    const R = movement(W, model.W0, m, d);
    history.residual.push(residual);
    history.movement.push(R);
    let flipFraction: number | undefined;
    if (patterns) {
      flipFraction = backend.patternFlips(p, model.W0, W) / (n * m);
      history.flipFraction!.push(flipFraction);
    }
    for (const [, mon] of monitors) mon.observe?.(ctx(k));
    if (residual > limit) {
      status = 'diverged';
      message = `diverged at step ${k}: ‖r‖ = ${residual.toPrecision(6)} grew past ${factor}× its start (${initialResidual.toPrecision(6)}); a smaller step size may help`;
      hints = [smallerEta];
      break;
    }
    keepGoing = report({ k, residual, movement: R, ratio, W, r, ...(flipFraction !== undefined ? { flipFraction } : {}) });
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

  const monitorResults = {} as Record<string, unknown>;
  for (const [key, mon] of monitors) {
    if (!mon.finish) continue;
    const out = mon.finish(ctx(k));
    monitorResults[key] = out;
    const perStep = out !== null && typeof out === 'object' && 'perStep' in out ? (out as { perStep?: Record<string, (number | null)[]> }).perStep : undefined;
    if (perStep) history.extra = { ...history.extra, ...perStep };
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
  };
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
  };
}
