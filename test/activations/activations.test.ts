/**
 * The network forms of docs/theory.md §5 beyond their gradients and kernels (tested in
 * backend/reference.test.ts and kernel/infinite.test.ts): softmax's shift invariance, stability and
 * coupled zero, cosh/sinh parity, and a user-defined activation run as the built-in it copies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBackend } from '../../src/backend/index.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { Problem } from '../../src/backend/types.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { OptionError } from '../../src/errors.js';
import { ACTIVATIONS, customActivation, resolveActivation } from '../../src/activations/index.js';
import { initialWeights } from '../../src/model/init.js';
import { Rng } from '../../src/random/xoshiro.js';
import { train } from '../../src/train/train.js';
import { relErr } from '../helpers.js';

const ref = new ReferenceBackend();

test('softmax: a common shift of all pre-activations changes neither F nor its factors φ', () => {
  const m = 37;
  const rng = new Rng(1, 'shift');
  const z = rng.fillNormal(new Float64Array(m)).map((v) => 3 * v);
  const a = Float64Array.from({ length: m }, () => rng.sign());
  const phi0 = new Float64Array(m);
  const phi1 = new Float64Array(m);
  const scratch = new Float64Array(2 * m);
  const f0 = ACTIVATIONS.softmax.sample(z, a, phi0, scratch);
  for (const c of [-500, -7.25, 1e-3, 300, 900]) {
    const f1 = ACTIVATIONS.softmax.sample(z.map((v) => v + c), a, phi1, scratch);
    assert.ok(Math.abs(f1 - f0) <= 1e-13 * Math.max(1, Math.abs(f0)), `shift ${c}: F ${f1} vs ${f0}`);
    assert.ok(relErr(phi1, phi0) <= 1e-13, `shift ${c}: φ ${relErr(phi1, phi0)}`);
  }
  // … and is the formula of §5 written out: m Σ a_r e^{z_r}/Σ e^{z_q}, φ_r = m s_r (a_r − c)
  const e = z.map(Math.exp);
  const D = e.reduce((s, v) => s + v, 0);
  const c = e.reduce((s, v, r) => s + (a[r] * v) / D, 0);
  assert.ok(Math.abs(f0 - m * c) <= 1e-13 * Math.abs(m * c));
  assert.ok(relErr(phi0, e.map((v, r) => ((m * v) / D) * (a[r] - c))) <= 1e-13);
});

/** Inputs of norm 30, and weights whose ⟨w_r, x_i⟩ reach about 750: e^750 overflows a double. */
function hugeInputs(): { p: (activation: 'exp' | 'softmax') => Problem; W: Float64Array } {
  const n = 4;
  const d = 3;
  const m = 6;
  const rng = new Rng(2, 'huge');
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (X[i * d + j] = rng.normal()) ** 2;
    for (let j = 0; j < d; j++) X[i * d + j] *= 30 / Math.sqrt(s);
  }
  // w_r = 25 x̂_r for the first rows, so that ⟨w_r, x_r⟩ = 750; the rest Gaussian
  const W = rng.fillNormal(new Float64Array(m * d));
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) W[r * d + j] = (25 / 30) * X[r * d + j];
  const a = Float64Array.from({ length: m }, (_, r) => (r % 2 === 0 ? 1 : -1));
  const y = new Float64Array(n);
  return { p: (activation) => ({ n, d, m, X, y, a, kappa: 1 / Math.sqrt(m), activation: ACTIVATIONS[activation] }), W };
}

test('softmax: no overflow on inputs of norm 30 where the exp network overflows, and the value is right', () => {
  const { p, W } = hugeInputs();
  const uExp = new Float64Array(4);
  ref.forward(p('exp'), W, uExp);
  assert.ok(uExp.some((v) => !Number.isFinite(v)), 'the plain exp network overflows here');
  const ps = p('softmax');
  const u = new Float64Array(4);
  ref.forward(ps, W, u);
  assert.ok(u.every(Number.isFinite), `softmax: ${u}`);
  // the same value by another route: log-sum-exp against the second-largest z, in two sums
  for (let i = 0; i < ps.n; i++) {
    const z = Array.from({ length: ps.m }, (_, r) => [0, 1, 2].reduce((s, j) => s + W[r * 3 + j] * ps.X[i * 3 + j], 0));
    const shift = [...z].sort((x, y) => y - x)[1];
    const num = z.reduce((s, v, r) => s + ps.a[r] * Math.exp(Math.min(v - shift, 700)), 0);
    const den = z.reduce((s, v) => s + Math.exp(Math.min(v - shift, 700)), 0);
    const expect = (ps.kappa * ps.m * num) / den;
    assert.ok(Math.abs(u[i] - expect) <= 1e-12 * Math.max(1, Math.abs(expect)), `row ${i}: ${u[i]} vs ${expect}`);
  }
  const G = new Float64Array(W.length);
  ref.gradient(ps, W, Float64Array.from(u, (v) => v - 0.5), G);
  assert.ok(G.every(Number.isFinite), 'the gradient is finite too');
});

test('softmax with coupled initialisation: F(W(0), x) = 0 exactly; training starts from r(0) = −y', () => {
  const data = generateSynthetic({ inputs: 'sphere', n: 12, d: 5, labels: 'normal', seed: 3 });
  for (const m of [2, 10, 128, 1000]) {
    const { W0, a } = initialWeights({ activation: 'softmax', scaling: 'ntk', init: 'coupled', m, seed: 7 }, 5);
    const u = new Float64Array(12);
    ref.forward({ n: 12, d: 5, m, X: data.X, y: data.y, a, kappa: 1 / Math.sqrt(m), activation: ACTIVATIONS.softmax }, W0, u);
    assert.ok(u.every((v) => v === 0), `m = ${m}: ${Math.max(...u.map(Math.abs))}`);
  }
  const res = train(data, { model: { activation: 'softmax', init: 'coupled', m: 64 }, maxSteps: 0, backend: ref });
  const norm = Math.sqrt(data.y.reduce((s, v) => s + v * v, 0));
  assert.equal(res.initialResidual, norm);
});

test('cosh is even and sinh is odd: F(W, −x) = F(W, x) and −F(W, x)', () => {
  const rng = new Rng(5, 'parity');
  const n = 6;
  const d = 4;
  const m = 20;
  const X = rng.fillNormal(new Float64Array(n * d)).map((v) => v / 2);
  const W = rng.fillNormal(new Float64Array(m * d));
  const a = Float64Array.from({ length: m }, () => rng.sign());
  const u = (act: 'cosh' | 'sinh', x: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    ref.forward({ n, d, m, X: x, y: new Float64Array(n), a, kappa: 1, activation: ACTIVATIONS[act] }, W, out);
    return out;
  };
  const neg = X.map((v) => -v);
  assert.deepEqual(Array.from(u('cosh', neg)), Array.from(u('cosh', X)));
  assert.deepEqual(Array.from(u('sinh', neg)), Array.from(u('sinh', X), (v) => -v));
});

test('a user-defined activation equal to the built-in exp gives the built-in’s trajectory (≤ 1e-12)', () => {
  const data = generateSynthetic({ inputs: 'sphere', n: 16, d: 4, labels: 'teacher', seed: 4 });
  const opts = { eta: 0.05, epsilon: 1e-6, maxSteps: 300 } as const;
  const mine = train(data, { ...opts, model: { activation: { name: 'my-exp', sigma: Math.exp, dsigma: Math.exp }, m: 256, seed: 1 } });
  assert.equal(mine.conventions.activation, 'my-exp');
  assert.equal(mine.conventions.backend, 'reference', 'a user-defined activation runs on the reference backend');
  for (const backend of [ref, createBackend({ activation: ACTIVATIONS.exp })]) {
    const builtin = train(data, { ...opts, model: { activation: 'exp', m: 256, seed: 1 }, backend });
    assert.equal(mine.steps, builtin.steps);
    const err = Math.max(...mine.history.residual.map((r, k) => Math.abs(r - builtin.history.residual[k]) / builtin.history.residual[0]));
    assert.ok(err <= 1e-12, `${backend.name}: residual trajectories differ by ${err}`);
    assert.ok(relErr(mine.model.W, builtin.model.W) <= 1e-12, `${backend.name}: W differs by ${relErr(mine.model.W, builtin.model.W)}`);
  }
});

test('user-defined activations: refused by the native backend and checked on definition', () => {
  const tanh = customActivation({ name: 'tanh', sigma: Math.tanh, dsigma: (z) => 1 - Math.tanh(z) ** 2 });
  assert.equal(tanh.native, null);
  assert.equal(createBackend({ activation: tanh }).name, 'reference');
  assert.throws(() => createBackend({ name: 'native', activation: tanh }), (e: unknown) => e instanceof OptionError && /no kernel for the activation 'tanh'/.test(e.message));
  assert.throws(() => resolveActivation({ name: 'exp', sigma: Math.exp, dsigma: Math.exp }), /built-in activation/);
  assert.throws(() => resolveActivation({ name: 'bad name!', sigma: Math.exp, dsigma: Math.exp }), /needs a name/);
  assert.throws(() => resolveActivation({ name: 'half', sigma: Math.exp } as never), /must be functions/);
  assert.throws(() => resolveActivation('tanh'), (e: unknown) => e instanceof OptionError && e.field === 'activation');
  // a model of a user-defined activation trains, and its limit kernel comes by quadrature
  const data = generateSynthetic({ inputs: 'sphere', n: 8, d: 3, labels: 'normal', seed: 1 });
  const res = train(data, { model: { activation: tanh, m: 512 }, epsilon: 1e-3, maxSteps: 20_000 });
  assert.equal(res.status, 'converged', res.message);
  assert.match(tanh.limit.method, /Gauss–Hermite/);
});
