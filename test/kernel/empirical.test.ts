import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { Problem } from '../../src/backend/types.js';
import { empiricalKernel, normalisedKernel, ntkNormalisation } from '../../src/kernel/empirical.js';
import { ACTIVATIONS, type ActivationName } from '../../src/activations/index.js';
import { initDistanceStats } from '../../src/kernel/montecarlo.js';
import { spectralDistance } from '../../src/kernel/distance.js';
import { drawGaussianW, drawSigns } from '../../src/kernel/init.js';
import { Rng } from '../../src/random/xoshiro.js';
import { createModel, problemOf } from '../../src/model/model.js';
import { DEFAULT_MODEL_SPEC } from '../../src/model/spec.js';
import { resolveActivation } from '../../src/activations/index.js';

function unitInputs(n: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed, 'test-data');
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (X[i * d + t] = rng.normal()) ** 2;
    for (let t = 0; t < d; t++) X[i * d + t] /= Math.sqrt(s);
  }
  return X;
}

function problem(activation: ActivationName, X: Float64Array, n: number, d: number, m: number, kappa: number, a: Float64Array): Problem {
  return { n, d, m, X, y: new Float64Array(n), a, kappa, activation: ACTIVATIONS[activation] };
}

/** (1/m) ⟨x_i,x_j⟩ Σ_r σ'(⟨w_r,x_i⟩) σ'(⟨w_r,x_j⟩) written out neuron by neuron (docs/theory.md §3, κ² = 1/m). */
function directNtk(dsigma: (z: number) => number, X: Float64Array, n: number, d: number, W: Float64Array, m: number): Float64Array {
  const H = new Float64Array(n * n);
  for (let r = 0; r < m; r++) {
    const s = Array.from({ length: n }, (_, i) => dsigma(Array.from({ length: d }, (_, t) => W[r * d + t] * X[i * d + t]).reduce((p, q) => p + q, 0)));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] += s[i] * s[j];
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let xx = 0;
      for (let t = 0; t < d; t++) xx += X[i * d + t] * X[j * d + t];
      H[i * n + j] *= xx / m;
    }
  }
  return H;
}

test('the reference Gram matrix agrees with the formula written out; "none" scaling is m times "ntk", normalised away', () => {
  const n = 6;
  const d = 3;
  const m = 50;
  const X = unitInputs(n, d, 1);
  const rng = new Rng(4, 'init');
  const W = drawGaussianW(m, d, rng);
  const a = drawSigns(m, rng);
  const be = new ReferenceBackend();
  for (const act of ['exp', 'relu'] as const) {
    const ntk = problem(act, X, n, d, m, 1 / Math.sqrt(m), a);
    const none = problem(act, X, n, d, m, 1, a);
    const Hn = empiricalKernel(be, ntk, W);
    const direct = directNtk(ACTIVATIONS[act].dsigma!, X, n, d, W, m);
    for (let k = 0; k < n * n; k++) assert.ok(Math.abs(Hn[k] - direct[k]) < 1e-12 * Math.max(1, Math.abs(Hn[k])));
    const Hnone = empiricalKernel(be, none, W);
    assert.equal(ntkNormalisation(none), 1 / m);
    assert.ok(Math.abs(ntkNormalisation(ntk) - 1) < 1e-15);
    for (let k = 0; k < n * n; k++) assert.ok(Math.abs(Hnone[k] - m * Hn[k]) < 1e-11 * Math.max(1, Math.abs(Hnone[k])));
    const Hnorm = normalisedKernel(be, none, W);
    for (let k = 0; k < n * n; k++) assert.ok(Math.abs(Hnorm[k] - Hn[k]) < 1e-12 * Math.max(1, Math.abs(Hn[k])));
  }
});

test('drawGaussianW follows the model order: W row-major by neuron, then the signs', () => {
  const rng = new Rng(9, 'init');
  const W = drawGaussianW(3, 2, rng);
  const a = drawSigns(3, rng);
  const ref = new Rng(9, 'init');
  const seq = Array.from({ length: 6 }, () => ref.normal());
  assert.deepEqual(Array.from(W), seq);
  assert.deepEqual(Array.from(a), [ref.sign(), ref.sign(), ref.sign()]);
});

/** Least-squares slope of log(mean distance) against log(m). */
function slope(widths: number[], means: number[]): number {
  const xs = widths.map(Math.log);
  const ys = means.map(Math.log);
  const mx = xs.reduce((s, v) => s + v) / xs.length;
  const my = ys.reduce((s, v) => s + v) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) * (x - mx);
  });
  return sxy / sxx;
}

test('‖H(W(0)) − H^lim‖₂ shrinks like m^{−1/2} for exp (heavy-tailed) and ReLU (control)', () => {
  const n = 8;
  const d = 4;
  const X = unitInputs(n, d, 12345);
  // two decades of width; more seeds where the lognormal spread is widest (sd/mean ≈ 1 at m = 200)
  const widths = [200, 600, 2000, 6000, 20000];
  const seedCounts = [400, 400, 300, 150, 80];
  for (const act of ['exp', 'relu'] as const) {
    const means = widths.map((m, k) => initDistanceStats({ activation: ACTIVATIONS[act], X, n, d, m, seeds: Array.from({ length: seedCounts[k] }, (_, s) => s) }).mean);
    for (let k = 1; k < means.length; k++) assert.ok(means[k] < means[k - 1], `${act}: decreasing in m`);
    const b = slope(widths, means);
    assert.ok(Math.abs(b + 0.5) <= 0.1, `${act}: fitted slope ${b.toFixed(3)} (means ${means.map((v) => v.toPrecision(3)).join(', ')})`);
  }
});

test('initDistanceStats: statistics of the per-seed distances, each reproducible from its seed', () => {
  const n = 5;
  const d = 3;
  const X = unitInputs(n, d, 7);
  const st = initDistanceStats({ activation: ACTIVATIONS.exp, X, n, d, m: 100, seeds: [3, 1, 4, 1, 5] });
  assert.equal(st.count, 5);
  assert.equal(st.values[1], st.values[3]); // the same seed gives the same W(0)
  assert.ok(st.min <= st.mean && st.mean <= st.max && st.sd > 0);
  // seed 4 recomputed through the reference backend
  const rng = new Rng(4, 'init');
  const W = drawGaussianW(100, d, rng);
  const a = drawSigns(100, rng);
  const H = empiricalKernel(new ReferenceBackend(), problem('exp', X, n, d, 100, 0.1, a), W);
  // H^cts written out for unit inputs: ρ e^{1+ρ}
  const Hc = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let rho = 0;
      for (let t = 0; t < d; t++) rho += X[i * d + t] * X[j * d + t];
      Hc[i * n + j] = rho * Math.exp(1 + rho);
    }
  }
  assert.ok(Math.abs(spectralDistance(H, Hc, n) - st.values[2]) < 1e-10 * st.values[2]);
});

// docs/width-study.md, "m_B doubles, as it must": the pairs share w_r and a_r² = 1, so the kernel of a
// coupled network of width m is that of the Gaussian network of width m/2 drawn from the same seed.
// Not for softmax: its gradient carries a_r − c_i, c_i = Σ_s a_s p_s(x_i), which the pairs make 0.
test('the coupled kernel at width m is the Gaussian kernel of the same seed at width m/2 (pointwise σ)', () => {
  const n = 12, d = 5, m = 64;
  const X = unitInputs(n, d, 4);
  const y = new Float64Array(n);
  for (const act of ['exp', 'relu', 'cosh', 'sinh'] as const) {
    const kernelOf = (init: 'gaussian' | 'coupled', width: number): Float64Array => {
      const model = createModel({ ...DEFAULT_MODEL_SPEC, activation: act, init, m: width, seed: 7 }, resolveActivation(act), d, { kind: 'none' });
      return normalisedKernel(new ReferenceBackend(), problemOf(model, X, y, n), model.W0);
    };
    const Hc = kernelOf('coupled', m);
    const Hg = kernelOf('gaussian', m / 2);
    const Hg2 = kernelOf('gaussian', m);
    let err = 0, scale = 0, other = 0;
    for (let k = 0; k < n * n; k++) {
      err = Math.max(err, Math.abs(Hc[k] - Hg[k]));
      other = Math.max(other, Math.abs(Hc[k] - Hg2[k]));
      scale = Math.max(scale, Math.abs(Hg[k]));
    }
    assert.ok(err <= 1e-13 * scale, `${act}: coupled(m) − gaussian(m/2) = ${err}`);
    assert.ok(other > 1e-3 * scale, `${act}: the Gaussian kernel at width m is another matrix`);
  }
});
