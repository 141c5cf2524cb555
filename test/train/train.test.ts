import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReferenceBackend } from '../../src/backend/reference.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { loadModel, saveModel } from '../../src/model/file.js';
import { predict, problemOf } from '../../src/model/model.js';
import { autoEta } from '../../src/train/eta.js';
import { train } from '../../src/train/train.js';
import { matrixForm, relErr, toDm } from '../helpers.js';

const small = generateSynthetic({ inputs: 'sphere', n: 20, d: 5, labels: 'normal', seed: 3 });

for (const activation of ['exp', 'relu'] as const) {
  test(`GD reaches ε = 1e-3 on n = 20, d = 5, m = 2000 from several seeds (${activation})`, () => {
    for (const seed of [0, 1, 2]) {
      const res = train(small, { model: { activation, m: 2000, seed }, epsilon: 1e-3, maxSteps: 20_000 });
      assert.equal(res.status, 'converged', `seed ${seed}: ${res.message}`);
      assert.ok(res.residual <= 1e-3);
      assert.equal(res.history.residual.length, res.steps + 1);
      // the recorded residual is the norm of the returned predictions minus the labels
      const direct = Math.hypot(...Array.from(res.predictions, (u, i) => u - small.y[i]));
      assert.ok(Math.abs(direct - res.residual) <= 1e-12 * res.residual);
      if (activation === 'relu') assert.ok(res.history.flipFraction!.at(-1)! > 0);
    }
  });
}

test('coupled initialisation starts from residual = ‖y‖ and converges', () => {
  const res = train(small, { model: { init: 'coupled', m: 1000 }, epsilon: 1e-2 });
  const ynorm = Math.sqrt(small.y.reduce((s, v) => s + v * v, 0));
  assert.equal(res.initialResidual, ynorm);
  assert.equal(res.status, 'converged');
});

test('same seed gives identical bits; a different seed gives different weights', () => {
  const opts = { model: { m: 300, seed: 5 }, maxSteps: 25, epsilon: 1e-9 };
  const a = train(small, opts);
  const b = train(small, opts);
  assert.deepEqual(a.model.W, b.model.W);
  assert.deepEqual(a.history.residual, b.history.residual);
  const c = train(small, { ...opts, model: { m: 300, seed: 6 } });
  assert.notDeepEqual(a.model.W, c.model.W);
});

test('trained weights match an independent matrix-form GD started from the exported W(0)', () => {
  for (const activation of ['exp', 'relu'] as const) {
    const m = 40;
    const steps = 15;
    const eta = 0.02;
    const res = train(small, { model: { activation, m, seed: 9 }, eta, maxSteps: steps, epsilon: 1e-12 });
    assert.equal(res.steps, steps);
    const p = problemOf(res.model, res.inputs, small.y, small.n);
    let Wdm = toDm(res.model.W0, m, small.d);
    for (let k = 0; k < steps; k++) {
      const { grad } = matrixForm(p, Wdm);
      Wdm = Wdm.map((row, j) => row.map((w, r) => w - eta * grad[j][r]));
    }
    const err = relErr(toDm(res.model.W, m, small.d).flat(), Wdm.flat());
    assert.ok(err < 1e-12, `${activation}: relative difference ${err}`);
  }
});

test('a too-large step diverges with a message naming the step, keeping finite weights', () => {
  const res = train(small, { model: { m: 200 }, eta: 50, maxSteps: 1000 });
  assert.equal(res.status, 'diverged');
  assert.match(res.message, /diverged at step \d+.*smaller step size/);
  assert.ok(res.model.W.every(Number.isFinite));
  assert.ok(Number.isFinite(res.residual));
});

test('--eta auto: η = 1/λ with (λ, v) an eigenpair of H(W(0)) and λ the largest Rayleigh quotient', () => {
  const backend = new ReferenceBackend();
  const res = train(small, { model: { m: 500 }, maxSteps: 0, backend });
  assert.equal(res.eta.mode, 'auto');
  const p = problemOf(res.model, res.inputs, small.y, small.n);
  const H = new Float64Array(p.n * p.n);
  backend.gram(p, res.model.W0, H);
  const { lambdaMax } = autoEta(backend, p, res.model.W0, 0);
  assert.equal(res.eta.eta, 1 / lambdaMax);
  // many random directions never exceed λ_max (Rayleigh quotients are ≤ λ_max) …
  for (let t = 0; t < 200; t++) {
    const v = Float64Array.from({ length: p.n }, (_, i) => Math.sin(1 + i * (t + 1) * 0.7) + (t % 3) * 0.1);
    let num = 0;
    let den = 0;
    for (let i = 0; i < p.n; i++) {
      let hv = 0;
      for (let j = 0; j < p.n; j++) hv += H[i * p.n + j] * v[j];
      num += v[i] * hv;
      den += v[i] * v[i];
    }
    assert.ok(num / den <= lambdaMax * (1 + 1e-9));
  }
  // … and λ_max is attained: the trace bounds it from above, the diagonal from below
  let trace = 0;
  let diagMax = 0;
  for (let i = 0; i < p.n; i++) {
    trace += H[i * p.n + i];
    diagMax = Math.max(diagMax, H[i * p.n + i]);
  }
  assert.ok(lambdaMax >= diagMax && lambdaMax <= trace);
});

test('save → load → predict reproduces the training predictions bit for bit', () => {
  const res = train(small, { model: { m: 64, scaling: 'none' }, normalize: 'max', maxSteps: 10, epsilon: 1e-12, backend: new ReferenceBackend() });
  const path = join(mkdtempSync(join(tmpdir(), 'overparam-model-')), 'model.json');
  saveModel(res.model, path);
  const back = loadModel(path);
  assert.deepEqual(back.W, res.model.W);
  assert.deepEqual(back.W0, res.model.W0);
  assert.deepEqual(back.a, res.model.a);
  assert.deepEqual(back.normalization, res.model.normalization);
  const u = predict(back, new ReferenceBackend(), small.X, small.n, small.d);
  assert.deepEqual(u, res.predictions);
});
