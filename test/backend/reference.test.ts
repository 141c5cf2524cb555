import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReferenceBackend } from '../../src/backend/reference.js';
import { customActivation, type ActivationInput } from '../../src/activations/index.js';
import { initialWeights } from '../../src/model/init.js';
import { matrixForm, randomProblem, relErr, toDm } from '../helpers.js';

const ref = new ReferenceBackend();
const loss = (p: Parameters<typeof ref.forward>[0], W: Float64Array): number => {
  const u = new Float64Array(p.n);
  ref.forward(p, W, u);
  let s = 0;
  for (let i = 0; i < p.n; i++) s += (u[i] - p.y[i]) ** 2;
  return s / 2;
};

/** A user-defined activation (reference backend, kernel by quadrature): the same code paths as the built-ins. */
const tanh = customActivation({ name: 'tanh', sigma: Math.tanh, dsigma: (z) => 1 - Math.tanh(z) ** 2 });
const MODELS: [string, ActivationInput][] = [['exp', 'exp'], ['relu', 'relu'], ['cosh', 'cosh'], ['sinh', 'sinh'], ['softmax', 'softmax'], ['tanh (user-defined)', tanh]];

for (const [label, activation] of MODELS) {
  for (const scaling of ['ntk', 'none'] as const) {
    test(`gradient = central finite differences of L (${label}, ${scaling}), several seeds`, () => {
      for (const seed of [1, 2, 3]) {
        const m = 24;
        const { p, W } = randomProblem(7, 4, m, activation, scaling === 'ntk' ? 1 / Math.sqrt(m) : 1, seed);
        const u = new Float64Array(p.n);
        ref.forward(p, W, u);
        const r = u.map((v, i) => v - p.y[i]);
        const G = new Float64Array(W.length);
        ref.gradient(p, W, r, G);
        const fd = new Float64Array(W.length);
        const h = 1e-5;
        for (let k = 0; k < W.length; k++) {
          const Wp = Float64Array.from(W);
          const Wm = Float64Array.from(W);
          Wp[k] += h;
          Wm[k] -= h;
          fd[k] = (loss(p, Wp) - loss(p, Wm)) / (2 * h);
        }
        const err = relErr(G, fd);
        assert.ok(err <= 1e-6, `seed ${seed}: relative error ${err}`);
      }
    });
  }

  test(`loop form (reference) = matrix form of docs/theory.md §2, §5 (${label})`, () => {
    const m = 30;
    const { p, W } = randomProblem(9, 5, m, activation, 1 / Math.sqrt(m), 11);
    const mf = matrixForm(p, toDm(W, m, p.d));
    const u = new Float64Array(p.n);
    ref.forward(p, W, u);
    assert.ok(relErr(u, mf.u) < 1e-14, 'u');
    const G = new Float64Array(W.length);
    ref.gradient(p, W, Float64Array.from(mf.res), G);
    const Gdm = toDm(G, m, p.d).flat();
    assert.ok(relErr(Gdm, mf.grad.flat()) < 1e-14, 'gradient');
  });

  test(`jvp = directional finite difference of u, and H = J Jᵀ from the explicit Jacobian (${label})`, () => {
    const m = 16;
    const { p, W } = randomProblem(6, 3, m, activation, 1 / Math.sqrt(m), 5);
    const V = Float64Array.from({ length: W.length }, (_, k) => Math.sin(k + 1));
    const jv = new Float64Array(p.n);
    ref.jvp(p, W, V, jv);
    const h = 1e-6;
    const up = new Float64Array(p.n);
    const um = new Float64Array(p.n);
    ref.forward(p, W.map((w, k) => w + h * V[k]), up);
    ref.forward(p, W.map((w, k) => w - h * V[k]), um);
    const fd = up.map((v, i) => (v - um[i]) / (2 * h));
    assert.ok(relErr(jv, fd) < 1e-6, `jvp vs FD ${relErr(jv, fd)}`);
    // explicit Jacobian column by column via jvp on unit directions, H = J Jᵀ
    const J: Float64Array[] = [];
    for (let k = 0; k < W.length; k++) {
      const e = new Float64Array(W.length);
      e[k] = 1;
      const col = new Float64Array(p.n);
      ref.jvp(p, W, e, col);
      J.push(col);
    }
    const H = new Float64Array(p.n * p.n);
    ref.gram(p, W, H);
    const JJt = new Float64Array(p.n * p.n);
    for (let i = 0; i < p.n; i++) for (let j = 0; j < p.n; j++) for (const col of J) JJt[i * p.n + j] += col[i] * col[j];
    assert.ok(relErr(H, JJt) < 1e-13, `gram vs J Jᵀ ${relErr(H, JJt)}`);
  });
}

test('one step = W − η ∇L followed by the forward pass', () => {
  const m = 20;
  const { p, W } = randomProblem(8, 4, m, 'exp', 1 / Math.sqrt(m), 9);
  const mf = matrixForm(p, toDm(W, m, p.d));
  const eta = 0.05;
  const W1 = Float64Array.from(W);
  const u1 = new Float64Array(p.n);
  ref.step(p, W1, Float64Array.from(mf.res), eta, u1);
  const expectDm = toDm(W, m, p.d).map((row, j) => row.map((w, r) => w - eta * mf.grad[j][r]));
  assert.ok(relErr(toDm(W1, m, p.d).flat(), expectDm.flat()) < 1e-15);
  assert.ok(relErr(u1, matrixForm(p, expectDm).u) < 1e-14);
});

test('coupled initialisation gives F(W(0), x) = 0 exactly for every x', () => {
  for (const activation of ['exp', 'relu', 'cosh', 'sinh', 'softmax'] as const) {
    for (const m of [2, 64, 130, 1000, 4096]) {
      const d = 5;
      const { W0, a } = initialWeights({ activation, scaling: 'ntk', init: 'coupled', m, seed: m }, d);
      const { p } = randomProblem(50, d, m, activation, 1 / Math.sqrt(m), m + 1);
      const u = new Float64Array(p.n);
      ref.forward({ ...p, a }, W0, u);
      assert.ok(u.every((v) => v === 0), `${activation} m=${m}: max |u| = ${Math.max(...u.map(Math.abs))}`);
    }
  }
});

test('patternFlips counts sign changes of ⟨w_r, x_i⟩', () => {
  const m = 40;
  const { p, W } = randomProblem(10, 3, m, 'relu', 1, 2);
  const W2 = W.map((w, k) => (k % 7 === 0 ? -w : w));
  let expected = 0;
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < p.n; i++) {
      let z0 = 0;
      let z1 = 0;
      for (let j = 0; j < p.d; j++) {
        z0 += W[r * p.d + j] * p.X[i * p.d + j];
        z1 += W2[r * p.d + j] * p.X[i * p.d + j];
      }
      if ((z0 >= 0) !== (z1 >= 0)) expected++;
    }
  }
  assert.ok(expected > 0);
  assert.equal(ref.patternFlips(p, W, W2), expected);
  assert.equal(ref.patternFlips(p, W, W), 0);
});
