/**
 * Held-out points, the centred α-model and the laziness measurements (docs/theory.md §2, §3, §6),
 * checked against routes written here that share nothing with the library: plain loops for
 * F(W, x) = κ Σ_r a_r e^{⟨w_r, x⟩}, the centred model's loss and its gradient (itself checked by
 * central finite differences), the kernels H(W) and H^cts in closed form, an explicitly trained
 * linearised network built row by row from the backend's gradient, and the explicit kernel-GD
 * recursion f ← f − η' C r, r ← r − η' H r.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { Problem } from '../../src/backend/types.js';
import type { Dataset } from '../../src/data/dataset.js';
import { generateSynthetic, generateSyntheticWithTest } from '../../src/data/synthetic.js';
import { DataError, ModelError, OptionError } from '../../src/errors.js';
import { parseModel, serializeModel } from '../../src/model/file.js';
import { loadRunData, monitorsOf, runOne, trainOptionsOf } from '../../src/experiments/run.js';
import { validateRunSpec, type RunSpec } from '../../src/experiments/spec.js';
import { predict, problemOf } from '../../src/model/model.js';
import { heldOutMonitor } from '../../src/theory/heldout-monitor.js';
import { ntkMonitor } from '../../src/theory/train-monitor.js';
import { train } from '../../src/train/train.js';
import { Rng } from '../../src/random/xoshiro.js';
import { hCtsClosedForm, jacobianRows, matrixForm, matVec, relErr, toDm } from '../helpers.js';

const backend = new ReferenceBackend();

// ---------------------------------------------------------------------------------------------
// Plain loops, written here: the exp network, its kernels, small dense linear algebra.

const norm = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
};
const diffNorm = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};

/** F(W, x_i) = κ Σ_r a_r exp(⟨w_r, x_i⟩), W m×d neuron-major (docs/theory.md §1). */
function forwardExp(X: ArrayLike<number>, n: number, d: number, W: ArrayLike<number>, a: ArrayLike<number>, kappa: number): Float64Array {
  const m = a.length;
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let r = 0; r < m; r++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += W[r * d + j] * X[i * d + j];
      s += a[r] * Math.exp(z);
    }
    u[i] = kappa * s;
  }
  return u;
}

/** The empirical kernel on the NTK scale, H(W)/(κ²m) = (1/m) ⟨x_i, x_j⟩ Σ_r e^{z_ir + z_jr} (docs/theory.md §3). */
function ntkKernelExp(X: ArrayLike<number>, n: number, d: number, W: ArrayLike<number>, m: number): Float64Array {
  const E = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < m; r++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += W[r * d + j] * X[i * d + j];
      E[i * m + r] = Math.exp(z);
    }
  }
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      let g = 0;
      for (let j = 0; j < d; j++) g += X[i * d + j] * X[k * d + j];
      let s = 0;
      for (let r = 0; r < m; r++) s += E[i * m + r] * E[k * m + r];
      H[i * n + k] = (g * s) / m;
    }
  }
  return H;
}


/** Eigenvalues of a symmetric n×n matrix by cyclic Jacobi rotations (ascending). */
function jacobiEigenvalues(S: Float64Array, n: number): number[] {
  const A = Float64Array.from(S);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-30 * (norm(A) ** 2 + 1e-300)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => A[i * n + i]).sort((x, y) => x - y);
}



const sphere = (n: number, d: number, seed: number, labels: 'normal' | 'teacher' = 'normal'): Dataset => generateSynthetic({ inputs: 'sphere', n, d, labels, seed });

// ---------------------------------------------------------------------------------------------
// 1. The centred α-model against an independent implementation

/**
 * The centred model of docs/theory.md §6 written out: F_α(W, X) = α(F(W, X) − F(W0, X)),
 * L(W) = ½‖F_α(W, X) − y‖²/α², and (derived here by the chain rule, ∂F_α(W, x_i)/∂w_r =
 * α κ a_r e^{⟨w_r,x_i⟩} x_i)  ∂L/∂w_r = (1/α) κ a_r Σ_i r_α,i e^{⟨w_r, x_i⟩} x_i with r_α = F_α − y.
 */
function centred(X: Float64Array, n: number, d: number, y: Float64Array, a: Float64Array, kappa: number, W0: Float64Array, alpha: number) {
  const m = a.length;
  const u0 = forwardExp(X, n, d, W0, a, kappa);
  const residual = (W: ArrayLike<number>): Float64Array => {
    const u = forwardExp(X, n, d, W, a, kappa);
    return u.map((v, i) => alpha * (v - u0[i]) - y[i]);
  };
  const loss = (W: ArrayLike<number>): number => (0.5 * norm(residual(W)) ** 2) / (alpha * alpha);
  const gradient = (W: ArrayLike<number>): Float64Array => {
    const r = residual(W);
    const G = new Float64Array(m * d);
    for (let q = 0; q < m; q++) {
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let j = 0; j < d; j++) z += W[q * d + j] * X[i * d + j];
        const c = (kappa * a[q] * r[i] * Math.exp(z)) / alpha;
        for (let j = 0; j < d; j++) G[q * d + j] += c * X[i * d + j];
      }
    }
    return G;
  };
  return { u0, residual, loss, gradient };
}

const C_DATA = sphere(8, 3, 11);
const C_M = 20;
const C_ETA = 0.04;
const C_STEPS = 60;

test('centred α-model: the gradient derived here matches central finite differences of ½‖α(F − F(W0)) − y‖²/α²', (t) => {
  const { a, W0, kappa } = train(C_DATA, { backend, model: { m: C_M, seed: 4 }, eta: C_ETA, maxSteps: 0 }).model;
  const X = C_DATA.X; // on the unit sphere already
  const W = Float64Array.from(W0, (v, k) => v + 0.3 * Math.sin(k + 1)); // away from W0, where r_α ≠ −y
  for (const alpha of [0.5, 1, 4]) {
    const c = centred(X, C_DATA.n, C_DATA.d, C_DATA.y, a, kappa, W0, alpha);
    const G = c.gradient(W);
    const fd = new Float64Array(G.length);
    const h = 1e-5;
    for (let q = 0; q < G.length; q++) {
      const Wp = Float64Array.from(W);
      const Wm = Float64Array.from(W);
      Wp[q] += h;
      Wm[q] -= h;
      fd[q] = (c.loss(Wp) - c.loss(Wm)) / (2 * h);
    }
    const e = relErr(G, fd);
    t.diagnostic(`α = ${alpha}: ‖∇L − central differences‖/‖∇L‖ = ${e.toExponential(2)}`);
    assert.ok(e <= 1e-7, `α = ${alpha}: gradient vs finite differences ${e}`);
  }
});

test('centred α-model: train() = GD on ½‖α(F − F(W0)) − y‖²/α² written here: W, the residual history and the predictions (≤ 1e-10)', (t) => {
  const { n, d } = C_DATA;
  for (const alpha of [0.5, 1, 4]) {
    const res = train(C_DATA, { backend, alpha, eta: C_ETA, maxSteps: C_STEPS, epsilon: 1e-300, normalize: 'none', model: { m: C_M, seed: 4, init: 'gaussian' } });
    assert.equal(res.steps, C_STEPS, res.message);
    assert.equal(res.conventions.alpha, alpha);
    assert.equal(res.model.alpha, alpha);
    const { a, W0, kappa } = res.model;
    const c = centred(C_DATA.X, n, d, C_DATA.y, a, kappa, W0, alpha);
    // at W(0) the centred model outputs 0: r_α(0) = −y
    assert.ok(Math.abs(res.initialResidual - norm(C_DATA.y)) <= 1e-14 * norm(C_DATA.y), `α = ${alpha}: ‖r(0)‖ = ${res.initialResidual} vs ‖y‖ = ${norm(C_DATA.y)}`);
    const W = Float64Array.from(W0);
    const history = [norm(c.residual(W))];
    for (let k = 0; k < C_STEPS; k++) {
      const G = c.gradient(W);
      for (let q = 0; q < W.length; q++) W[q] -= C_ETA * G[q];
      history.push(norm(c.residual(W)));
    }
    const eW = relErr(res.model.W, W);
    const eMove = relErr(res.model.W.map((v, q) => v - W0[q]), W.map((v, q) => v - W0[q]));
    let eHist = 0;
    for (let k = 0; k <= C_STEPS; k++) eHist = Math.max(eHist, Math.abs(res.history.residual[k] - history[k]) / history[k]);
    // the predictions: α(F(W, X) − F(W0, X)) at the trainer's final weights
    const pred = forwardExp(C_DATA.X, n, d, res.model.W, a, kappa).map((v, i) => alpha * (v - c.u0[i]));
    const ePred = relErr(res.predictions, pred);
    t.diagnostic(`α = ${alpha}: ‖r‖ ${history[0].toPrecision(4)} → ${history[C_STEPS].toPrecision(4)}; rel. errors W ${eW.toExponential(2)}, W − W0 ${eMove.toExponential(2)}, residual history ${eHist.toExponential(2)}, predictions ${ePred.toExponential(2)}`);
    assert.ok(history[C_STEPS] < 0.5 * history[0], `α = ${alpha}: GD made progress (${history[C_STEPS]} vs ${history[0]})`);
    assert.ok(eW <= 1e-10 && eMove <= 1e-10, `α = ${alpha}: W ${eW}, W − W0 ${eMove}`);
    assert.ok(eHist <= 1e-10, `α = ${alpha}: residual history ${eHist}`);
    assert.ok(ePred <= 1e-10, `α = ${alpha}: predictions ${ePred}`);
    // the reported residual is ‖predictions − y‖
    assert.ok(Math.abs(res.residual - diffNorm(res.predictions, C_DATA.y)) <= 1e-12 * res.residual);
    // and the trainer's predictions are the model's outputs() (the centred output), by predict()
    assert.deepEqual(Array.from(predict(res.model, backend, C_DATA.X, n, d)), Array.from(res.predictions));
  }
});

test('centred α-model: α = 1 is the plain network trained on y + F(W0, X) (to rounding: (u − u0) − y against u − (y + u0)); with coupled init (F(W0, ·) = 0) it is the plain run itself, bit for bit', () => {
  const { n, d } = C_DATA;
  const test_ = sphere(5, d, 12);
  const opts = { backend, eta: C_ETA, maxSteps: 40, epsilon: 1e-300 };
  // gaussian init: F(W0, X) ≠ 0
  const centredRun = train(C_DATA, { ...opts, alpha: 1, test: test_, model: { m: C_M, seed: 4 } });
  const p = problemOf(centredRun.model, centredRun.inputs, C_DATA.y, n);
  const u0 = new Float64Array(n);
  backend.forward(p, centredRun.model.W0, u0);
  assert.ok(norm(u0) > 0.1, 'F(W0, X) is not small');
  const shifted: Dataset = { ...C_DATA, y: C_DATA.y.map((v, i) => v + u0[i]) };
  const plain = train(shifted, { ...opts, model: { m: C_M, seed: 4 } });
  assert.ok(relErr(centredRun.model.W, plain.model.W) < 1e-13, 'the same weights');
  assert.ok(relErr(centredRun.history.residual, plain.history.residual) < 1e-12, 'the same residuals');
  assert.ok(relErr(centredRun.predictions, Array.from(plain.predictions, (v, i) => v - u0[i])) < 1e-12, 'outputs differ by F(W0, X)');
  // on test points too: the centred output is F(W, x*) − F(W0, x*)
  const pt = problemOf(centredRun.model, centredRun.test!.inputs, test_.y, test_.n);
  const ut = new Float64Array(test_.n);
  const u0t = new Float64Array(test_.n);
  backend.forward(pt, centredRun.model.W, ut);
  backend.forward(pt, centredRun.model.W0, u0t);
  assert.deepEqual(Array.from(centredRun.test!.predictions), Array.from(ut, (v, s) => v - u0t[s]));
  assert.notDeepEqual(Array.from(centredRun.predictions), Array.from(plain.predictions));

  // coupled init: the two runs are the same run
  const c1 = train(C_DATA, { ...opts, alpha: 1, test: test_, model: { m: C_M, seed: 4, init: 'coupled' } });
  const c0 = train(C_DATA, { ...opts, test: test_, model: { m: C_M, seed: 4, init: 'coupled' } });
  assert.deepEqual(Array.from(c1.model.W), Array.from(c0.model.W));
  assert.deepEqual(c1.history.residual, c0.history.residual);
  assert.deepEqual(Array.from(c1.predictions), Array.from(c0.predictions));
  assert.deepEqual(c1.test!.history, c0.test!.history);
  assert.deepEqual(Array.from(c1.test!.predictions), Array.from(c0.test!.predictions));
  assert.equal(c1.initialResidual, norm(C_DATA.y));
});

test('centred α-model: the model file keeps α; predict() on the loaded model gives the centred outputs bit for bit; a bad stored α is refused', () => {
  const held = sphere(5, C_DATA.d, 13);
  const res = train(C_DATA, { backend, alpha: 7, eta: C_ETA, maxSteps: 20, epsilon: 1e-300, test: held, model: { m: C_M, seed: 4 } });
  const text = serializeModel(res.model);
  const back = parseModel(text, 'model.json');
  assert.equal(back.alpha, 7);
  assert.deepEqual(Array.from(predict(back, backend, held.X, held.n, held.d)), Array.from(res.test!.predictions));
  assert.deepEqual(Array.from(predict(back, backend, C_DATA.X, C_DATA.n, C_DATA.d)), Array.from(res.predictions));
  // without α the same weights are the plain network: F(W, x), not α(F(W, x) − F(W0, x))
  const plain = parseModel(text.replace(/\n "alpha": 7,/, ''), 'plain.json');
  assert.equal(plain.alpha, undefined);
  assert.notDeepEqual(Array.from(predict(plain, backend, held.X, held.n, held.d)), Array.from(res.test!.predictions));
  for (const bad of ['0', '-1', '"7"', 'null']) assert.throws(() => parseModel(text.replace(/"alpha": 7/, `"alpha": ${bad}`), 'bad.json'), (e: unknown) => e instanceof ModelError && /alpha/.test(e.message), `alpha ${bad}`);
});

// ---------------------------------------------------------------------------------------------
// 2. Laziness: the weights move O(1/α), the kernel (coupled init) O(1/α²)

test('laziness: with coupled init the movement falls like 1/α and the kernel change like 1/α² (α = 0.3, 3, 30); the monitor\'s laziness fields are what they say', (t) => {
  const data = sphere(10, 4, 2, 'teacher');
  const { n, d } = data;
  const m = 400;
  const K = 20;
  const steps = 200;
  const rows: { alpha: number; movement: number; drift: number; sharp: number; median: number; frob: number }[] = [];
  for (const alpha of [0.3, 3, 30]) {
    const snapshots = new Map<number, Float64Array>();
    const res = train(data, {
      backend,
      alpha,
      eta: 0.05,
      maxSteps: steps,
      epsilon: 1e-300,
      model: { m, seed: 1, init: 'coupled' },
      monitors: { ntk: ntkMonitor(K) },
      onStep: (info) => {
        if (info.k % K === 0 && alpha === 3) snapshots.set(info.k, Float64Array.from(info.W));
      },
    });
    assert.equal(res.steps, steps, res.message);
    const mon = res.monitors.ntk;
    const z = mon.laziness;
    const movement = Math.max(...res.history.movement);
    rows.push({ alpha, movement, drift: z.maxRelativeDrift, sharp: z.maxSharpness, median: z.maxMovementMedian, frob: z.maxMovementFrobenius });
    // the summary is the maximum over the observations
    const obs = mon.observations;
    assert.deepEqual(obs.map((o) => o.k), Array.from({ length: steps / K + 1 }, (_, j) => j * K));
    assert.equal(z.maxRelativeDrift, Math.max(...obs.map((o) => o.relativeDrift)));
    assert.equal(z.maxMovementMedian, Math.max(...obs.map((o) => o.movementMedian)));
    assert.equal(z.maxMovementFrobenius, Math.max(...obs.map((o) => o.movementFrobenius)));
    assert.ok(Math.abs(z.maxSharpness - Math.max(...obs.map((o) => mon.initial.etaNtk * o.lambdaMax))) <= 1e-15 * z.maxSharpness);
    assert.ok(Math.abs(mon.initial.etaNtk - 0.05) <= 1e-15, `η κ² m = ${mon.initial.etaNtk}`);
    // the per-step series carry the observations at their steps (null elsewhere)
    assert.equal(mon.perStep.relative_drift[K], obs[1].relativeDrift);
    assert.equal(mon.perStep.relative_drift[K + 1], null);
    assert.equal(res.history.extra!.lambda_max[2 * K], obs[2].lambdaMax);

    if (alpha === 3) {
      // each observation recomputed here from the weights captured at its step
      const X = res.inputs;
      const W0 = res.model.W0;
      const H0 = ntkKernelExp(X, n, d, W0, m);
      const norm0 = jacobiEigenvalues(H0, n)[n - 1];
      let worst = 0;
      for (const o of obs) {
        const W = snapshots.get(o.k)!;
        const Hk = ntkKernelExp(X, n, d, W, m);
        const eig = jacobiEigenvalues(Hk, n);
        const dEig = jacobiEigenvalues(Hk.map((v, q) => v - H0[q]), n);
        const drift = Math.max(Math.abs(dEig[0]), Math.abs(dEig[n - 1])) / norm0;
        const moves = Array.from({ length: m }, (_, r) => {
          let s = 0;
          for (let j = 0; j < d; j++) s += (W[r * d + j] - W0[r * d + j]) ** 2;
          return Math.sqrt(s);
        }).sort((x, y) => x - y);
        const median = (moves[m / 2 - 1] + moves[m / 2]) / 2;
        const frob = Math.sqrt(moves.reduce((s, v) => s + v * v, 0));
        const rel = (got: number, want: number): number => (want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want));
        worst = Math.max(worst, rel(o.lambdaMax, eig[n - 1]), rel(o.movementMedian, median), rel(o.movementFrobenius, frob), rel(o.movement, moves[m - 1]));
        // the kernel difference is a small number computed from two nearly equal kernels: ~1e-16 ‖H0‖ of rounding
        assert.ok(Math.abs(o.relativeDrift - drift) <= 1e-9 * drift + 1e-13, `k = ${o.k}: relative drift ${o.relativeDrift} vs ${drift}`);
      }
      t.diagnostic(`α = 3: observations vs recomputed λ_max, median, Frobenius and largest movement: max rel. error ${worst.toExponential(2)}`);
      assert.ok(worst <= 1e-10, `${worst}`);
    }
  }
  for (const r of rows) t.diagnostic(`α = ${r.alpha}: max movement ${r.movement.toExponential(3)}, max relative kernel change ${r.drift.toExponential(3)}, sharpness ${r.sharp.toFixed(3)}, median ${r.median.toExponential(3)}, ‖W − W0‖_F ${r.frob.toExponential(3)}`);
  for (let j = 1; j < rows.length; j++) {
    for (const key of ['movement', 'drift', 'median', 'frob'] as const) assert.ok(rows[j][key] < rows[j - 1][key], `${key} does not decrease from α = ${rows[j - 1].alpha} to ${rows[j].alpha}: ${rows[j - 1][key]} → ${rows[j][key]}`);
  }
  // α = 3 → 30: movement ~1/α (measured ×10.7), kernel change ~1/α² (measured ×100; 1/α would be ×10).
  // This needs the linearly stable regime, η κ² m λ_max < 2 (measured 0.78): above it the residual grows
  // until the kernel has moved enough to be stable again (a catapult), by O(1) whatever α.
  const [, lazy3, lazy30] = rows;
  assert.ok(lazy3.sharp < 1.5 && lazy30.sharp < 1.5, `sharpness ${lazy3.sharp}, ${lazy30.sharp}: the test needs a linearly stable step`);
  assert.ok(lazy3.movement / lazy30.movement >= 5, `movement ratio ${lazy3.movement / lazy30.movement}`);
  assert.ok(lazy3.movement / lazy30.movement <= 20, `movement ratio ${lazy3.movement / lazy30.movement}`);
  assert.ok(lazy3.drift / lazy30.drift >= 30, `kernel change ratio ${lazy3.drift / lazy30.drift}`);
  // small α leaves the kernel regime: an O(1) kernel change
  assert.ok(rows[0].drift > 0.5, `α = 0.3: relative kernel change ${rows[0].drift}`);
});

// ---------------------------------------------------------------------------------------------
// 3. The test residual recorded by the trainer

test('TrainResult.test: the residual at k = 0, every testEvery steps and at the end = ‖F(W(k), X*) − y*‖ by matrixForm; predict() gives its predictions bit for bit', (t) => {
  const { train: data, test: held } = generateSyntheticWithTest({ inputs: 'gaussian', n: 12, d: 4, labels: 'teacher', seed: 8 }, 9);
  const m = 64;
  const every = 7;
  const steps = 30;
  for (const alpha of [undefined, 2]) {
    const snapshots = new Map<number, Float64Array>();
    const res = train(data, {
      backend,
      eta: 0.05,
      maxSteps: steps,
      epsilon: 1e-300,
      model: { m, seed: 3 },
      test: held,
      testEvery: every,
      ...(alpha !== undefined ? { alpha } : {}),
      onStep: (info) => {
        snapshots.set(info.k, Float64Array.from(info.W));
      },
    });
    assert.equal(res.steps, steps);
    const tr = res.test!;
    assert.ok(tr);
    assert.equal(tr.n, held.n);
    assert.equal(tr.source, held.source);
    assert.deepEqual(tr.history.k, [0, 7, 14, 21, 28, 30]);
    assert.deepEqual(Array.from(tr.labels), Array.from(held.y));
    // unit normalisation, done here: x*/‖x*‖ (the gaussian inputs are not unit)
    const Xt = new Float64Array(held.n * held.d);
    for (let s = 0; s < held.n; s++) {
      const row = held.X.subarray(s * held.d, (s + 1) * held.d);
      const r = norm(row);
      for (let j = 0; j < held.d; j++) Xt[s * held.d + j] = row[j] / r;
    }
    assert.ok(relErr(tr.inputs, Xt) <= 1e-15, 'test inputs normalised row by row');
    const model = res.model;
    const pt: Problem = { n: held.n, d: held.d, m, X: Xt, y: held.y, a: model.a, kappa: model.kappa, activation: model.activation };
    const u0 = matrixForm(pt, toDm(model.W0, m, held.d)).u;
    const outputsAt = (W: Float64Array): number[] => {
      const u = matrixForm(pt, toDm(W, m, held.d)).u;
      return alpha === undefined ? u : u.map((v, s) => alpha * (v - u0[s]));
    };
    let worst = 0;
    tr.history.k.forEach((k, j) => {
      const want = diffNorm(outputsAt(snapshots.get(k)!), held.y);
      worst = Math.max(worst, Math.abs(tr.history.residual[j] - want) / want);
    });
    const finalOut = outputsAt(model.W);
    const finalWant = diffNorm(finalOut, held.y);
    t.diagnostic(`α = ${alpha ?? 'none'}: test residual ${tr.initialResidual.toPrecision(4)} → ${tr.residual.toPrecision(4)}; max rel. error vs matrixForm ${worst.toExponential(2)}, final ${(Math.abs(tr.residual - finalWant) / finalWant).toExponential(2)}`);
    assert.ok(worst <= 1e-12, `history: ${worst}`);
    assert.equal(tr.history.residual.at(-1), tr.residual);
    assert.equal(tr.history.residual[0], tr.initialResidual);
    assert.ok(Math.abs(tr.residual - finalWant) <= 1e-12 * finalWant);
    assert.ok(Math.abs(tr.rmse - tr.residual / Math.sqrt(held.n)) <= 1e-15 * tr.rmse);
    assert.ok(relErr(tr.predictions, finalOut) <= 1e-12);
    // predict() on the raw test inputs: the same bits
    assert.deepEqual(Array.from(predict(model, backend, held.X, held.n, held.d)), Array.from(tr.predictions));
    // the history's test_residual column: the values at the recorded steps, null between
    const col = res.history.extra!.test_residual;
    assert.equal(col.length, steps + 1);
    tr.history.k.forEach((k, j) => assert.equal(col[k], tr.history.residual[j]));
    assert.equal(col[1], null);
  }
});

test('TrainResult.test with normalize max: the test inputs are divided by the TRAINING set\'s largest norm (and may leave the unit ball)', () => {
  const d = 3;
  const rng = new Rng(21, 'test-heldout-max');
  const rows = (count: number, norms: (s: number) => number): Float64Array => {
    const X = new Float64Array(count * d);
    for (let s = 0; s < count; s++) {
      const v = Array.from({ length: d }, () => rng.normal());
      const r = norm(v);
      for (let j = 0; j < d; j++) X[s * d + j] = (v[j] / r) * norms(s);
    }
    return X;
  };
  const nTrain = 10;
  const Xtrain = rows(nTrain, (s) => 0.5 + (1.5 * s) / (nTrain - 1)); // norms 0.5 … 2
  const Xtest = rows(4, (s) => 2.5 + 0.25 * s); // every test point beyond the largest training norm
  const data: Dataset = { n: nTrain, d, X: Xtrain, y: rng.fillNormal(new Float64Array(nTrain)), source: 'max-train' };
  const held: Dataset = { n: 4, d, X: Xtest, y: rng.fillNormal(new Float64Array(4)), source: 'max-test' };
  let scale = 0;
  for (let s = 0; s < nTrain; s++) scale = Math.max(scale, norm(Xtrain.subarray(s * d, (s + 1) * d)));
  let testMax = 0;
  for (let s = 0; s < 4; s++) testMax = Math.max(testMax, norm(Xtest.subarray(s * d, (s + 1) * d)));
  assert.ok(Math.abs(scale - 2) < 1e-14 && testMax > scale);
  const res = train(data, { backend, normalize: 'max', eta: 0.01, maxSteps: 5, epsilon: 1e-300, model: { m: 32, seed: 1 }, test: held });
  const norms = res.model.normalization;
  assert.equal(norms.kind, 'max');
  assert.ok(norms.kind === 'max' && Math.abs(norms.scale - scale) <= 1e-15 * scale, `stored scale ${JSON.stringify(norms)} vs ${scale}`);
  const want = Xtest.map((v) => v / scale);
  assert.ok(relErr(res.test!.inputs, want) <= 1e-15, 'divided by the training scale');
  for (let s = 0; s < 4; s++) {
    const r = norm(res.test!.inputs.subarray(s * d, (s + 1) * d));
    assert.ok(r > 1.2, `test point ${s + 1}: ‖x*‖ = ${r} after normalisation (not rescaled to the unit ball)`);
  }
  // the training inputs: the largest lands on the unit sphere
  let trainMax = 0;
  for (let s = 0; s < nTrain; s++) trainMax = Math.max(trainMax, norm(res.inputs.subarray(s * d, (s + 1) * d)));
  assert.ok(Math.abs(trainMax - 1) <= 1e-15);
  assert.deepEqual(Array.from(predict(res.model, backend, Xtest, 4, d)), Array.from(res.test!.predictions));
});

test('TrainResult.test: test columns named in another order are matched to the training columns by name (as checkTestData returns them)', () => {
  const d = 3;
  const base = sphere(10, d, 31);
  const held = sphere(4, d, 32);
  const names = ['x1', 'x2', 'x3'];
  const data: Dataset = { ...base, featureNames: names };
  const same: Dataset = { ...held, featureNames: names };
  // the same points with their columns stored as x3, x1, x2
  const order = [2, 0, 1];
  const shuffled: Dataset = { ...held, X: held.X.map((_, k) => held.X[Math.floor(k / d) * d + order[k % d]]), featureNames: order.map((j) => names[j]) };
  const opts = { backend, eta: 0.05, maxSteps: 10, epsilon: 1e-300, model: { m: 32, seed: 2 } };
  const a = train(data, { ...opts, test: same });
  const b = train(data, { ...opts, test: shuffled });
  assert.deepEqual(Array.from(b.test!.inputs), Array.from(a.test!.inputs), 'the test inputs in the training order');
  assert.deepEqual(Array.from(b.test!.predictions), Array.from(a.test!.predictions));
  assert.deepEqual(b.test!.history, a.test!.history);
  // columns that are not the training columns are refused
  assert.throws(() => train(data, { ...opts, test: { ...held, featureNames: ['a', 'b', 'c'] } }), (e: unknown) => e instanceof DataError && /a, b, c/.test(e.message));
});

// ---------------------------------------------------------------------------------------------
// 4. heldOutMonitor against an explicit linearised network and the explicit kernel recursion

/**
 * The linearised network θ ∈ R^{md} trained explicitly: u(θ) = f0 + c J θ on the training points,
 * f0* + c J* θ on the test points (c = 1 for the plain network with f0 = F(W0, ·); c = α with f0 = 0
 * for the centred one), by GD on ½‖u(θ) − y‖²/c², i.e. θ ← θ − (η/c) Jᵀ r. Returns the test
 * predictions and the training residual norm at every step.
 */
function explicitLinearised(J: Float64Array, Jt: Float64Array, n: number, nTest: number, P: number, f0: Float64Array, f0Test: Float64Array, y: Float64Array, eta: number, c: number, K: number) {
  const theta = new Float64Array(P);
  const preds: Float64Array[] = [];
  const residuals: number[] = [];
  for (let k = 0; ; k++) {
    const Jth = matVec(J, n, P, theta);
    const r = Jth.map((v, i) => f0[i] + c * v - y[i]);
    const Jtth = matVec(Jt, nTest, P, theta);
    preds.push(Jtth.map((v, s) => f0Test[s] + c * v));
    residuals.push(norm(r));
    if (k === K) break;
    const g = new Float64Array(P);
    for (let i = 0; i < n; i++) for (let q = 0; q < P; q++) g[q] += J[i * P + q] * r[i];
    for (let q = 0; q < P; q++) theta[q] -= (eta / c) * g[q];
  }
  return { preds, residuals };
}

/** f ← f − η' C r, r ← r − η' H r from r = −y, f = 0 (docs/theory.md §6): the infinite-width prediction at every step. */
function explicitKernelGd(H: Float64Array, C: Float64Array, n: number, nTest: number, y: Float64Array, eta: number, K: number) {
  let r = y.map((v) => -v);
  let f = new Float64Array(nTest);
  const preds: Float64Array[] = [];
  const residuals: number[] = [];
  for (let k = 0; ; k++) {
    preds.push(Float64Array.from(f));
    residuals.push(norm(r));
    if (k === K) break;
    const Cr = matVec(C, nTest, n, r);
    const Hr = matVec(H, n, n, r);
    f = f.map((v, s) => v - eta * Cr[s]);
    r = r.map((v, i) => v - eta * Hr[i]);
  }
  return { preds, residuals };
}

test('heldOutMonitor: linearised.final = the explicitly trained linearised network, infinite.final = kernel GD on H^cts with η κ² m (≤ 1e-10), for ntk and none scaling and the centred model', (t) => {
  const { train: data, test: held } = generateSyntheticWithTest({ inputs: 'sphere', n: 10, d: 4, labels: 'teacher', seed: 5 }, 6);
  const { n, d } = data;
  const nt = held.n;
  const m = 24;
  const P = m * d;
  const steps = 150;
  const every = 25;
  const cases = [
    { scaling: 'ntk' as const, eta: 0.05, alpha: undefined },
    { scaling: 'none' as const, eta: 0.05 / m, alpha: undefined },
    { scaling: 'ntk' as const, eta: 0.05, alpha: 3 },
  ];
  for (const c of cases) {
    const res = train(data, {
      backend,
      eta: c.eta,
      maxSteps: steps,
      epsilon: 1e-300,
      model: { m, seed: 2, scaling: c.scaling },
      test: held,
      ...(c.alpha !== undefined ? { alpha: c.alpha } : {}),
      monitors: { heldout: heldOutMonitor(every) },
    });
    assert.equal(res.steps, steps, res.message);
    const h = res.monitors.heldout;
    const model = res.model;
    const label = `${c.scaling}${c.alpha !== undefined ? `, α = ${c.alpha}` : ''}`;
    // the NTK scale: η κ² m
    const etaNtk = c.eta * model.kappa ** 2 * m;
    assert.ok(Math.abs(h.etaNtk - etaNtk) <= 1e-15 * etaNtk, `${label}: etaNtk ${h.etaNtk} vs ${etaNtk}`);
    assert.ok(Math.abs(h.etaNtk - 0.05) <= 1e-15, `${label}: the same NTK-scale step under both scalings`);
    assert.equal(h.nTest, nt);
    assert.deepEqual(h.k, [0, 25, 50, 75, 100, 125, 150]);

    const X = res.inputs;
    const Xt = res.test!.inputs;
    const p = problemOf(model, X, data.y, n);
    const pt = problemOf(model, Xt, held.y, nt);
    const J = jacobianRows(backend, p, model.W0);
    const Jt = jacobianRows(backend, pt, model.W0);
    const centredRun = c.alpha !== undefined;
    const f0 = centredRun ? new Float64Array(n) : forwardExp(X, n, d, model.W0, model.a, model.kappa);
    const f0Test = centredRun ? new Float64Array(nt) : forwardExp(Xt, nt, d, model.W0, model.a, model.kappa);
    const lin = explicitLinearised(J, Jt, n, nt, P, f0, f0Test, data.y, c.eta, c.alpha ?? 1, steps);
    const eLin = relErr(h.linearised.final, lin.preds[steps]);
    let eLinCurves = 0;
    h.k.forEach((k, j) => {
      eLinCurves = Math.max(eLinCurves, Math.abs(h.linearised.test[j] - diffNorm(lin.preds[k], held.y)) / diffNorm(lin.preds[k], held.y));
      eLinCurves = Math.max(eLinCurves, Math.abs(h.linearised.train[j] - lin.residuals[k]) / lin.residuals[k]);
    });

    const H = hCtsClosedForm(X, n, X, n, d);
    const C = hCtsClosedForm(Xt, nt, X, n, d);
    const inf = explicitKernelGd(H, C, n, nt, data.y, etaNtk, steps);
    const eInf = relErr(h.infinite.final, inf.preds[steps]);
    let eInfCurves = 0;
    h.k.forEach((k, j) => {
      if (k > 0) eInfCurves = Math.max(eInfCurves, Math.abs(h.infinite.test[j] - diffNorm(inf.preds[k], held.y)) / diffNorm(inf.preds[k], held.y));
      eInfCurves = Math.max(eInfCurves, Math.abs(h.infinite.train[j] - inf.residuals[k]) / inf.residuals[k]);
    });
    t.diagnostic(`${label}: linearised final ${eLin.toExponential(2)}, curves ${eLinCurves.toExponential(2)}; infinite final ${eInf.toExponential(2)}, curves ${eInfCurves.toExponential(2)}; dropped ${h.linearised.dropped}/${h.infinite.dropped}`);
    assert.ok(eLin <= 1e-10, `${label}: linearised final ${eLin}`);
    assert.ok(eLinCurves <= 1e-10, `${label}: linearised curves ${eLinCurves}`);
    assert.ok(eInf <= 1e-10, `${label}: infinite final ${eInf}`);
    assert.ok(eInfCurves <= 1e-10, `${label}: infinite curves ${eInfCurves}`);
    assert.equal(h.infinite.test[0], norm(held.y), 'the infinite-width prediction starts at 0');
    assert.equal(h.linearised.stable, true);
    assert.equal(h.infinite.stable, true);
    // k → ∞ of the infinite-width prediction: kernel interpolation, checked on the training points (H H⁻¹ y = y)
    assert.ok(h.infinite.limit !== null && h.infinite.limit.train <= 1e-8 * norm(data.y), `${label}: ‖r_∞(∞)‖ = ${h.infinite.limit?.train}`);
    // the history carries both predictors' test residuals at the report's steps
    assert.equal(res.history.extra!.test_residual_lin[steps], h.linearised.test.at(-1));
    assert.equal(res.history.extra!.test_residual_inf[every], h.infinite.test[1]);
    assert.equal(res.history.extra!.test_residual_lin[1], null);
  }
});

test('heldOutMonitor needs test points; bad intervals are refused', () => {
  assert.throws(() => train(C_DATA, { backend, eta: 0.01, maxSteps: 2, model: { m: 8 }, monitors: { heldout: heldOutMonitor(1) } }), /needs test points/);
  for (const k of [0, -1, 1.5, NaN]) assert.throws(() => heldOutMonitor(k), RangeError, `K = ${k}`);
});

// ---------------------------------------------------------------------------------------------
// 5. runOne with test recipes

const RUN: RunSpec = {
  data: { kind: 'synthetic', inputs: 'sphere', n: 16, d: 4, labels: 'teacher', seed: 1 },
  model: { activation: 'exp', scaling: 'ntk', init: 'gaussian', m: 128, seed: 0 },
  normalize: 'unit',
  eta: 'auto',
  epsilon: 1e-3,
  maxSteps: 300,
  precision: 'f64',
  monitorEvery: 20,
};

/** A result line as JSON, without the two fields that may differ between executions. */
const deterministic = (r: ReturnType<typeof runOne>): string => JSON.stringify({ ...r, timeMs: 0, threads: 0 });

test('runOne with synthetic test points and with a test fraction: deterministic, test and monitors.heldout present', (t) => {
  for (const test_ of [{ kind: 'synthetic' as const, n: 20 }, { kind: 'fraction' as const, fraction: 0.25, seed: 1 }]) {
    const spec = validateRunSpec({ ...RUN, test: test_ });
    assert.deepEqual(spec.test, test_);
    const a = runOne(spec, backend);
    const b = runOne(spec, backend);
    assert.notEqual(a.status, 'error', a.message);
    assert.equal(deterministic(a), deterministic(b), `${test_.kind}: two runs differ`);
    // the default backend (native when built, threaded): deterministic too
    const c = runOne(spec);
    const e = runOne(spec);
    assert.notEqual(c.status, 'error', c.message);
    assert.equal(deterministic(c), deterministic(e), `${test_.kind}: two runs on ${c.conventions?.backend} differ`);
    const nTest = test_.kind === 'synthetic' ? 20 : 4;
    const nTrain = test_.kind === 'synthetic' ? 16 : 12;
    assert.ok(a.test, `${test_.kind}: result.test`);
    assert.equal(a.test.n, nTest);
    assert.equal(a.test.predictions!.length, nTest);
    assert.ok(Number.isFinite(a.test.residual) && Number.isFinite(a.test.initialResidual));
    assert.equal(a.test.history.k[0], 0);
    assert.equal(a.test.history.k.at(-1), a.steps);
    assert.equal(a.test.history.residual.at(-1), a.test.residual);
    const h = a.monitors?.heldout;
    assert.ok(h, `${test_.kind}: monitors.heldout`);
    assert.equal(h.nTest, nTest);
    assert.equal(h.linearised.final!.length, nTest);
    assert.equal(h.infinite.final!.length, nTest);
    assert.equal(h.k.at(-1), a.steps);
    assert.ok(a.monitors?.ntk, 'the kernel monitor too');
    assert.ok(Math.abs(h.etaNtk - a.eta! * a.conventions!.kappa ** 2 * 128) <= 1e-15 * h.etaNtk);
    // the JSON round trip keeps everything (a results line)
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
    // what runOne trains on is what loadRunData gives
    const data = loadRunData(spec);
    assert.equal(data.train.n, nTrain);
    assert.equal(data.test!.n, nTest);
    assert.deepEqual(a.test.labels, Array.from(data.test!.y));
    const opts = trainOptionsOf(spec, data);
    assert.equal(opts.test, data.test);
    assert.ok(opts.testEvery! >= 1);
    assert.deepEqual(Object.keys(monitorsOf(spec, data)).sort(), ['heldout', 'ntk']);
    t.diagnostic(`${test_.kind}: ${a.status} after ${a.steps} steps; test residual network ${a.test.residual.toPrecision(4)}, linearised ${h.linearised.test.at(-1)!.toPrecision(4)}, infinite ${h.infinite.test.at(-1)!.toPrecision(4)}`);
  }
  // no test recipe: no test, no heldout monitor
  const plain = runOne(RUN, backend);
  assert.equal(plain.test, undefined);
  assert.equal(plain.monitors?.heldout, undefined);
  assert.deepEqual(Object.keys(monitorsOf(RUN, loadRunData(RUN))), ['ntk']);
});

test('runOne: labelNoise 1 changes the training labels but not the test labels', () => {
  for (const test_ of [{ kind: 'synthetic' as const, n: 20 }, { kind: 'fraction' as const, fraction: 0.25, seed: 1 }]) {
    const clean = validateRunSpec({ ...RUN, maxSteps: 20, monitorEvery: 0, test: test_ });
    const noisy = validateRunSpec({ ...clean, labelNoise: 1 });
    const dc = loadRunData(clean);
    const dn = loadRunData(noisy);
    assert.deepEqual(Array.from(dn.train.X), Array.from(dc.train.X), `${test_.kind}: the same training inputs`);
    assert.notDeepEqual(Array.from(dn.train.y), Array.from(dc.train.y), `${test_.kind}: the training labels changed`);
    assert.deepEqual(Array.from(dn.test!.X), Array.from(dc.test!.X), `${test_.kind}: the same test inputs`);
    assert.deepEqual(Array.from(dn.test!.y), Array.from(dc.test!.y), `${test_.kind}: the same test labels`);
    // the noisy labels are drawn from the clean ones
    for (const v of dn.train.y) assert.ok(dc.train.y.includes(v));
    const a = runOne(clean, backend);
    const b = runOne(noisy, backend);
    assert.notEqual(b.status, 'error', b.message);
    assert.deepEqual(b.test!.labels, a.test!.labels);
    assert.notEqual(b.initialResidual, a.initialResidual);
    assert.notEqual(b.id, a.id);
  }
});

// ---------------------------------------------------------------------------------------------
// 6. Bad input

test('bad input: test data of another dimension (DataError naming both d); α = 0, −1, NaN, ∞ and testEvery 0 (OptionError)', () => {
  const data = sphere(6, 4, 1);
  const other = sphere(3, 3, 2);
  const opts = { backend, eta: 0.01, maxSteps: 2, model: { m: 8 } };
  assert.throws(
    () => train(data, { ...opts, test: other }),
    (e: unknown) => e instanceof DataError && /d = 3/.test(e.message) && /\b4\b/.test(e.message) && e.field === 'testData',
    'test data of d = 3 against training d = 4',
  );
  for (const alpha of [0, -1, NaN, Infinity, -Infinity]) {
    assert.throws(
      () => train(data, { ...opts, alpha }),
      (e: unknown) => e instanceof OptionError && e.field === 'alpha',
      `α = ${alpha}`,
    );
  }
  for (const testEvery of [0, -3, 2.5, NaN]) {
    assert.throws(
      () => train(data, { ...opts, test: sphere(3, 4, 2), testEvery }),
      (e: unknown) => e instanceof OptionError && e.field === 'testEvery',
      `testEvery = ${testEvery}`,
    );
  }
  // an empty test set
  assert.throws(() => train(data, { ...opts, test: { n: 0, d: 4, X: new Float64Array(0), y: new Float64Array(0), source: 'empty' } }), DataError);
  // run specs: the same checks
  assert.throws(() => validateRunSpec({ ...RUN, alpha: 0 }), (e: unknown) => e instanceof OptionError && e.field === 'alpha');
  assert.throws(() => validateRunSpec({ ...RUN, labelNoise: 2 }), (e: unknown) => e instanceof OptionError && e.field === 'labelNoise');
  assert.throws(() => validateRunSpec({ ...RUN, test: { kind: 'fraction', fraction: 1.5, seed: 0 } }), (e: unknown) => e instanceof OptionError && e.field === 'testFraction');
  // a fraction that leaves no test point: an error result line, not a crash
  const empty = runOne(validateRunSpec({ ...RUN, data: { ...RUN.data, n: 10 }, test: { kind: 'fraction', fraction: 0.001, seed: 0 } }), backend);
  assert.equal(empty.status, 'error');
  assert.match(empty.message, /no test points/);
  assert.equal(empty.field, 'testFraction');
});

test('centred α-model at extreme α: F_α − y is formed before dividing by α, so y is never rounded away; an α that overflows (F_α − y)/α is refused', () => {
  const { n } = C_DATA;
  for (const alpha of [1e20, 1e300]) {
    const res = train(C_DATA, { backend, alpha, eta: C_ETA, maxSteps: 0, epsilon: 1e-3, model: { m: C_M, seed: 4 } });
    // F_α(W(0), ·) = 0, so the initial residual is ‖y‖, whatever α (before the fix it read 0 at α = 1e300: F(W0) + y/α = F(W0))
    assert.ok(Math.abs(res.initialResidual - norm(C_DATA.y)) <= 1e-15 * norm(C_DATA.y), `α = ${alpha}: ‖r(0)‖ = ${res.initialResidual}`);
    assert.notEqual(res.status, 'converged');
    assert.equal(res.predictions.length, n);
    assert.ok(res.predictions.every((v) => v === 0));
  }
  assert.throws(
    () => train(C_DATA, { backend, alpha: 1e-320, eta: C_ETA, maxSteps: 1, model: { m: C_M, seed: 4 } }),
    (e: unknown) => e instanceof OptionError && e.field === 'alpha' && /too small/.test(e.message),
  );
});
