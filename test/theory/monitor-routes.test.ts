/**
 * The kernel monitor's faster routes (issue 15, item 5) record the numbers of the old ones, bit for
 * bit: B by the pruned scan against observedB, one reduction of H(W(0)) for λ_min, λ_max and the
 * linearised prediction against lambdaMinMax and linearisedFromKernel, the step-0 observation
 * without a kernel against the full route, and every later observation against the functions the
 * monitor used to call (gram, lambdaMinMax, spectralDistance, the sorted movement statistics).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitKernel } from '../../src/activations/index.js';
import { createBackend } from '../../src/backend/index.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { Backend, Problem } from '../../src/backend/types.js';
import { spectralDistance } from '../../src/kernel/distance.js';
import { normalisedKernel } from '../../src/kernel/empirical.js';
import { zeroToRounding } from '../../src/linalg/eigh.js';
import { Rng } from '../../src/random/xoshiro.js';
import { observedB } from '../../src/theory/bounds.js';
import { linearisedFromKernel, linearisedPrediction } from '../../src/theory/linearised.js';
import { createKernelMonitor, observedBFast, observedBPruned, type KernelObservation } from '../../src/theory/monitor.js';
import { oldLambdaMinMax, oldMovementStats } from '../linalg/frozen-routes.js';
import { randomProblem } from '../helpers.js';

test('observedBFast (the addon where built) and observedBPruned: the bits of observedB (unit and raw inputs, ties, zeros, NaN, ∞, huge weights)', () => {
  const rng = new Rng(9, 'test');
  for (let trial = 0; trial < 800; trial++) {
    const n = 1 + (trial % 17) * 5;
    const d = 1 + (trial % 7);
    const m = 1 + (trial % 50) * (trial % 3 === 0 ? 80 : 1);
    const X = rng.fillNormal(new Float64Array(n * d));
    const W = rng.fillNormal(new Float64Array(m * d));
    const kind = trial % 9;
    if (kind === 1) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += X[i * d + t] ** 2;
        for (let t = 0; t < d; t++) X[i * d + t] /= Math.sqrt(s);
      }
    }
    if (kind === 2) W[(trial * 7) % W.length] = Number.NaN;
    if (kind === 3) X[(trial * 3) % X.length] = Number.POSITIVE_INFINITY;
    if (kind === 4) W.fill(0.5); // every neuron the same
    if (kind === 5) for (let k = 0; k < W.length; k++) W[k] *= 1e150;
    if (kind === 6) X.fill(0);
    if (kind === 7) for (let k = 0; k < W.length; k++) W[k] = Math.round(W[k] * 2) / 2; // many equal |z|
    const b = observedB(X, n, d, W, m);
    const fast = observedBFast(X, n, d, W, m);
    const pruned = observedBPruned(X, n, d, W, m);
    assert.ok(Object.is(fast, b), `trial ${trial} (kind ${kind}): ${fast} (observedBFast) vs ${b}`);
    assert.ok(Object.is(pruned, b), `trial ${trial} (kind ${kind}): ${pruned} (observedBPruned) vs ${b}`);
  }
});

function check(backend: Backend, p: Problem, W0: Float64Array, eta: number, steps: number, every: number): void {
  const { n, m, d } = p;
  const mon = createKernelMonitor({ backend, problem: p, W0, eta });
  const H0 = normalisedKernel(backend, p, W0);
  assert.ok(Object.is(mon.initial.B, observedB(p.X, n, d, W0, m)));
  const ext0 = oldLambdaMinMax(H0, n);
  assert.ok(Object.is(mon.initial.lambdaMin0, ext0.lambdaMin) && Object.is(mon.initial.lambdaMax0, ext0.lambdaMax));
  // λ of H^lim and ‖H(W(0)) − H^lim‖₂, by the TypeScript limit kernel (inputGram) and the frozen reductions
  const limit = limitKernel(p.activation, p.X, n, d);
  const extLim = oldLambdaMinMax(limit, n);
  assert.ok(Object.is(mon.initial.lambda, zeroToRounding(extLim.lambdaMin, extLim.lambdaMax, n)), 'λ');
  const extDiff = oldLambdaMinMax(H0.map((v, k) => v - limit[k]), n);
  assert.ok(Object.is(mon.initial.initDistance, Math.max(Math.abs(extDiff.lambdaMin), Math.abs(extDiff.lambdaMax))), '‖H(W(0)) − H^lim‖₂');
  // the linearised prediction from the monitor's reduction of H0, against eigh(H0) of its own
  const r0 = Float64Array.from(p.y, (v) => -v);
  const fast = linearisedPrediction(mon.eigenH0(), r0, mon.initial.etaNtk);
  const old = linearisedFromKernel(H0, n, r0, mon.initial.etaNtk);
  for (const k of [0, 1, 2, 7, 50, steps]) assert.ok(Object.is(fast.residualNorm(k), old.residualNorm(k)), `linearised at k = ${k}`);
  assert.equal(mon.eigenH0(), mon.eigenH0(), 'computed once');

  // the old observation route, written out
  const expected = (k: number, W: Float64Array, residualNorm: number): KernelObservation => {
    const Hk = normalisedKernel(backend, p, W);
    const e = oldLambdaMinMax(Hk, n);
    const drift = spectralDistance(Hk, H0, n);
    const mv = oldMovementStats(W, W0, m, d);
    return { k, lambdaMin: e.lambdaMin, kernelDrift: drift, movement: mv.max, movementMedian: mv.median, movementFrobenius: mv.frobenius, lambdaMax: e.lambdaMax, relativeDrift: drift / ext0.lambdaMax, residualNorm };
  };
  const W = Float64Array.from(W0);
  const u = new Float64Array(n);
  const r = new Float64Array(n);
  const resid = (): number => {
    backend.forward(p, W, u);
    for (let i = 0; i < n; i++) r[i] = u[i] - p.y[i];
    return Math.hypot(...r);
  };
  const compare = (got: KernelObservation, want: KernelObservation): void => {
    for (const f of Object.keys(want) as (keyof KernelObservation)[]) assert.ok(Object.is(got[f], want[f]), `k = ${want.k} ${f}: ${got[f]} vs ${want[f]}`);
  };
  // step 0 (W = W(0): no kernel is formed) and a later observation of W(0) again
  compare(mon.observe(0, W, resid()), expected(0, W, resid()));
  for (let k = 1; k <= steps; k++) {
    backend.step(p, W, r, eta, u);
    const rn = resid();
    mon.observeResidual(k, rn);
    if (k % every === 0) compare(mon.observe(k, W, rn), expected(k, W, rn));
  }
  compare(mon.observe(steps + 1, W0, 1), expected(steps + 1, W0, 1));
}

test('kernel monitor: every recorded value by the old route, bit for bit (native and reference, ntk and κ = 1)', () => {
  const native = createBackend();
  const ref = new ReferenceBackend();
  for (const [be, n, d, m, act, kappa, eta] of [
    [native, 24, 5, 600, 'exp', 1 / Math.sqrt(600), 0.05],
    [native, 20, 4, 300, 'relu', 1 / Math.sqrt(300), 0.3],
    [native, 16, 4, 200, 'softmax', 1 / Math.sqrt(200), 0.05],
    [ref, 12, 3, 120, 'exp', 1, 0.05 / 120],
  ] as const) {
    const { p, W } = randomProblem(n, d, m, act, kappa, n + m);
    check(be, p, W, eta, 30, 7);
  }
});
