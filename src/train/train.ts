/**
 * Full-batch gradient descent on L(W) = ½‖F(W,X) − y‖₂² (theory.md §2), until the abstract's
 * criterion ‖F(W,X) − y‖₂ ≤ ε, a step budget, or divergence.
 */
import { createBackend } from '../backend/index.js';
import type { Backend } from '../backend/types.js';
import { type Dataset, validateDataset } from '../data/dataset.js';
import { applyNormalization, describeNormalization, fitNormalization } from '../data/normalize.js';
import { DataError, OptionError } from '../errors.js';
import { createModel, problemOf } from '../model/model.js';
import { movement } from '../model/movement.js';

export { movement };
import { DEFAULT_MODEL_SPEC, type ModelSpec, validateSpec } from '../model/spec.js';
import { ntkMonitor } from '../theory/train-monitor.js';
import { autoEta } from './eta.js';
import type { Conventions, EtaInfo, History, MonitorContext, StepInfo, TrainOptions, TrainResult, TrainStatus } from './types.js';

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

function positive(name: string, v: number): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new OptionError(`${name} must be a positive number, got ${v}`);
  return v;
}

/**
 * Trains synchronously. Use `trainAsync` where the event loop must keep running (signals,
 * progress timers, servers).
 */
export function train(data: Dataset, options: TrainOptions = {}): TrainResult {
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
export async function trainAsync(data: Dataset, options: TrainOptions = {}, yieldEveryMs = 50): Promise<TrainResult> {
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

/** The training loop as a generator that pauses after every step. */
function* trainSteps(data: Dataset, options: TrainOptions): Generator<void, TrainResult, void> {
  const t0 = performance.now();
  validateDataset(data);
  const spec: ModelSpec = validateSpec({ ...DEFAULT_MODEL_SPEC, ...options.model });
  const epsilon = positive('epsilon', options.epsilon ?? DEFAULTS.epsilon);
  const maxSteps = options.maxSteps ?? DEFAULTS.maxSteps;
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 0) throw new OptionError(`max-steps must be a non-negative integer, got ${maxSteps}`);
  const factor = positive('divergence factor', options.divergenceFactor ?? DEFAULTS.divergenceFactor);
  const backend: Backend = options.backend ?? createBackend();

  const { n, d } = data;
  const normalization = fitNormalization(options.normalize ?? DEFAULTS.normalize, data.X, n, d);
  const X = applyNormalization(normalization, data.X, n, d);
  const model = createModel(spec, d, normalization);
  const { m } = spec;
  const p = problemOf(model, X, data.y, n);
  const W = model.W;

  const u = new Float64Array(n);
  const r = new Float64Array(n);
  const residualOf = (): number => {
    for (let i = 0; i < n; i++) r[i] = u[i] - data.y[i];
    return norm2(r);
  };
  backend.forward(p, W, u);
  let residual = residualOf();
  const initialResidual = residual;
  if (!Number.isFinite(residual)) {
    throw new DataError(
      `F(W(0), X) is not finite (exp overflowed at initialisation): normalise the inputs (--normalize unit) or use a smaller width under --scaling none`,
    );
  }
  let etaInfo: EtaInfo;
  if (options.eta === undefined || options.eta === 'auto') {
    const auto = autoEta(backend, p, model.W0, spec.seed);
    if (!(auto.eta > 0 && Number.isFinite(auto.eta))) {
      throw new OptionError(`--eta auto failed: λ_max(H(W(0))) = ${auto.lambdaMax} (the kernel overflowed or vanished); give --eta explicitly`);
    }
    etaInfo = { mode: 'auto', ...auto };
  } else {
    etaInfo = { mode: 'fixed', eta: positive('eta', options.eta) };
  }
  const eta = etaInfo.eta;
  options.onEta?.(etaInfo);

  const relu = spec.activation === 'relu';
  const history: History = { residual: [residual], movement: [0], ...(relu ? { flipFraction: [0] } : {}) };
  const ctx = (k: number): MonitorContext => ({ backend, problem: p, W0: model.W0, W, r, residual, eta, k });
  const monitorEvery = options.monitorEvery ?? 0;
  if (!Number.isSafeInteger(monitorEvery) || monitorEvery < 0) throw new OptionError(`monitor-every must be a non-negative integer, got ${monitorEvery}`);
  const monitors = [...(monitorEvery > 0 ? [ntkMonitor(monitorEvery)] : []), ...(options.monitors ?? [])];
  for (const mon of monitors) mon.start?.(ctx(0));

  let status: TrainStatus = 'max-steps';
  let k = 0;
  let message = '';
  const report = (info: StepInfo): boolean => options.onStep?.(info) !== false;
  let keepGoing = report({ k: 0, residual, movement: 0, ratio: NaN, W, r, ...(relu ? { flipFraction: 0 } : {}) });
  const Wprev = new Float64Array(m * d);
  const rprev = new Float64Array(n);
  const uprev = new Float64Array(n);
  const limit = factor * Math.max(initialResidual, epsilon);
  while (true) {
    if (residual <= epsilon) {
      status = 'converged';
      message = `reached ‖F(W,X) − y‖₂ = ${residual.toPrecision(6)} ≤ ε = ${epsilon} after ${k} steps`;
      break;
    }
    if (!keepGoing) {
      status = 'stopped';
      message = `stopped by request after ${k} steps at ‖F(W,X) − y‖₂ = ${residual.toPrecision(6)}`;
      break;
    }
    if (k >= maxSteps) {
      message = `step budget of ${maxSteps} exhausted at ‖F(W,X) − y‖₂ = ${residual.toPrecision(6)} > ε = ${epsilon}; raise --max-steps or the width`;
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
      message = `diverged at step ${k}: the output became non-finite; kept the weights of step ${k - 1} (‖r‖ = ${residual.toPrecision(6)}). Try a smaller step size (--eta ${(eta / 10).toPrecision(3)})`;
      k--;
      break;
    }
    const ratio = next / residual;
    residual = next;
    const R = movement(W, model.W0, m, d);
    history.residual.push(residual);
    history.movement.push(R);
    let flipFraction: number | undefined;
    if (relu) {
      flipFraction = backend.patternFlips(p, model.W0, W) / (n * m);
      history.flipFraction!.push(flipFraction);
    }
    for (const mon of monitors) mon.observe?.(ctx(k));
    if (residual > limit) {
      status = 'diverged';
      message = `diverged at step ${k}: ‖r‖ = ${residual.toPrecision(6)} grew past ${factor}× its start (${initialResidual.toPrecision(6)}). Try a smaller step size (--eta ${(eta / 10).toPrecision(3)})`;
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

  const monitorResults: Record<string, unknown> = {};
  for (const mon of monitors) {
    if (!mon.finish) continue;
    const out = mon.finish(ctx(k));
    monitorResults[mon.name] = out;
    const perStep = (out as { perStep?: Record<string, (number | null)[]> } | undefined)?.perStep;
    if (perStep) history.extra = { ...history.extra, ...perStep };
  }
  const conventions: Conventions = {
    activation: spec.activation,
    scaling: spec.scaling === 'ntk' ? 'ntk (κ = 1/√m)' : 'none (κ = 1)',
    kappa: model.kappa,
    init: spec.init,
    width: m,
    seed: spec.seed,
    normalization: describeNormalization(normalization),
    precision: backend.precision === 'f64' ? 'float64' : 'float32',
    backend: backend.name,
    threads: backend.threads,
    eta,
    etaMode: etaInfo.mode,
    epsilon,
    criterion: '‖F(W,X) − y‖₂ ≤ ε (unsquared)',
  };
  return {
    model,
    status,
    message,
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
    monitors: monitorResults,
  };
}
