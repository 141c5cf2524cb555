import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hCts, hInf, infiniteKernel } from '../../src/kernel/infinite.js';
import { ACTIVATIONS } from '../../src/activations/index.js';
import { Rng } from '../../src/random/xoshiro.js';

/** Inputs with norms in (0, 1], one repeated direction and one antipodal pair. */
function inputs(): { X: Float64Array; n: number; d: number } {
  const n = 5;
  const d = 3;
  const rng = new Rng(3, 'test-x');
  const X = new Float64Array(n * d);
  const norms = [1, 0.6, 1, 0.8, 0.35];
  for (let i = 0; i < 3; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (X[i * d + t] = rng.normal()) ** 2;
    for (let t = 0; t < d; t++) X[i * d + t] *= norms[i] / Math.sqrt(s);
  }
  for (let t = 0; t < d; t++) {
    X[3 * d + t] = -0.8 * X[0 * d + t]; // antipodal to x_0
    X[4 * d + t] = 0.35 * X[1 * d + t] / 0.6; // same direction as x_1
  }
  return { X, n, d };
}

/**
 * E over w ~ N(0, I_d) of f(⟨w,x_i⟩, ⟨w,x_j⟩), by 2-D composite Simpson over the coordinates of w
 * in an orthonormal basis (e1, e2) of span{x_i, x_j}: ⟨w,x_i⟩ = |x_i| g1,
 * ⟨w,x_j⟩ = |x_j| (c g1 + s g2), with c the cosine of the angle and s = √(1 − c²).
 */
function gaussian2d(xi: number[], xj: number[], f: (zi: number, zj: number) => number): number {
  const ni = Math.hypot(...xi);
  const nj = Math.hypot(...xj);
  const c = Math.max(-1, Math.min(1, xi.reduce((acc, v, t) => acc + v * xj[t], 0) / (ni * nj)));
  const s = Math.sqrt(1 - c * c);
  const L = 14;
  const N = 700; // even
  const h = (2 * L) / N;
  const wgt = (k: number): number => (k === 0 || k === N ? 1 : k % 2 === 1 ? 4 : 2);
  let total = 0;
  for (let a = 0; a <= N; a++) {
    const g1 = -L + a * h;
    const p1 = Math.exp(-0.5 * g1 * g1);
    let inner = 0;
    for (let b = 0; b <= N; b++) {
      const g2 = -L + b * h;
      inner += wgt(b) * Math.exp(-0.5 * g2 * g2) * f(ni * g1, nj * (c * g1 + s * g2));
    }
    total += wgt(a) * p1 * inner;
  }
  return (total * (h / 3) * (h / 3)) / (2 * Math.PI);
}

test('H^cts matches 2-D numerical integration of E[⟨x_i,x_j⟩ e^{⟨w,x_i⟩} e^{⟨w,x_j⟩}]', () => {
  const { X, n, d } = inputs();
  const H = hCts(X, n, d);
  const row = (i: number): number[] => Array.from(X.subarray(i * d, i * d + d));
  for (const [i, j] of [[0, 0], [0, 1], [1, 2], [0, 3], [1, 4], [2, 4], [3, 3]]) {
    const xi = row(i);
    const xj = row(j);
    const dot = xi.reduce((acc, v, t) => acc + v * xj[t], 0);
    const integral = dot * gaussian2d(xi, xj, (zi, zj) => Math.exp(zi + zj));
    assert.ok(Math.abs(H[i * n + j] - integral) < 1e-9 * Math.max(1, Math.abs(integral)), `(${i},${j}): ${H[i * n + j]} vs ${integral}`);
  }
  // unit inputs: diagonal e², and ρ e^{1+ρ} off the diagonal (docs/theory.md §3)
  assert.ok(Math.abs(H[0] - Math.exp(2)) < 1e-13);
});

/** Monte-Carlo mean and standard error of ⟨x_i,x_j⟩ σ'(⟨w,x_i⟩) σ'(⟨w,x_j⟩) for every pair. */
function monteCarlo(X: Float64Array, n: number, d: number, dsigma: (z: number) => number, samples: number, seed: number) {
  const rng = new Rng(seed, 'test-mc');
  const sum = new Float64Array(n * n);
  const sum2 = new Float64Array(n * n);
  const w = new Float64Array(d);
  const s = new Float64Array(n);
  for (let k = 0; k < samples; k++) {
    rng.fillNormal(w);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let t = 0; t < d; t++) z += w[t] * X[i * d + t];
      s[i] = dsigma(z);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = s[i] * s[j];
        sum[i * n + j] += v;
        sum2[i * n + j] += v * v;
      }
    }
  }
  return (i: number, j: number): { mean: number; se: number } => {
    const [a, b] = i >= j ? [i, j] : [j, i];
    let dot = 0;
    for (let t = 0; t < d; t++) dot += X[a * d + t] * X[b * d + t];
    const mu = sum[a * n + b] / samples;
    const v = sum2[a * n + b] / samples - mu * mu;
    return { mean: dot * mu, se: Math.abs(dot) * Math.sqrt(v / samples) };
  };
}

test('H^cts matches Monte Carlo over Gaussian w (5 standard errors)', () => {
  const { X, n, d } = inputs();
  const H = infiniteKernel(ACTIVATIONS.exp, X, n, d);
  const mc = monteCarlo(X, n, d, Math.exp, 400_000, 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const { mean, se } = mc(i, j);
      assert.ok(Math.abs(H[i * n + j] - mean) <= 5 * se + 1e-15, `(${i},${j}): ${H[i * n + j]} vs ${mean} ± ${se}`);
    }
  }
});

test('H^∞ (ReLU) matches Monte Carlo, and the angle formula handles parallel and antipodal inputs', () => {
  const { X, n, d } = inputs();
  const H = hInf(X, n, d);
  const mc = monteCarlo(X, n, d, (z) => (z >= 0 ? 1 : 0), 200_000, 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const { mean, se } = mc(i, j);
      assert.ok(Math.abs(H[i * n + j] - mean) <= 5 * se + 1e-15, `(${i},${j}): ${H[i * n + j]} vs ${mean} ± ${se}`);
      assert.equal(H[i * n + j], H[j * n + i]);
    }
  }
  // parallel (θ = 0): ⟨x_1,x_4⟩/2; antipodal (θ = π): 0; diagonal ‖x‖²/2
  assert.ok(Math.abs(H[1 * n + 4] - (0.6 * 0.35) / 2) < 1e-12);
  assert.ok(Math.abs(H[0 * n + 3]) < 1e-12);
  assert.ok(Math.abs(H[1 * n + 1] - 0.18) < 1e-12);
  // a zero input gives a zero row, not NaN
  const Z = Float64Array.of(0, 0, 1, 0);
  assert.deepEqual(Array.from(hInf(Z, 2, 2)), [0, 0, 0, 0.5]);
});

/** ⟨x_i,x_j⟩ E[f(⟨w,x_i⟩, ⟨w,x_j⟩)] by the Simpson rule above: an integration independent of the closed forms. */
function integrated(X: Float64Array, d: number, i: number, j: number, f: (zi: number, zj: number) => number): number {
  const xi = Array.from(X.subarray(i * d, i * d + d));
  const xj = Array.from(X.subarray(j * d, j * d + d));
  return xi.reduce((acc, v, t) => acc + v * xj[t], 0) * gaussian2d(xi, xj, f);
}

const PAIRS = [[0, 0], [0, 1], [1, 2], [0, 3], [1, 4], [2, 4], [3, 3]] as const;

test('the cosh, sinh and softmax kernels of docs/theory.md §5 match 2-D numerical integration of their expectations', () => {
  const { X, n, d } = inputs();
  const sq = (i: number): number => X.subarray(i * d, i * d + d).reduce((acc, v) => acc + v * v, 0);
  const cases: [string, Float64Array, (i: number, j: number) => (zi: number, zj: number) => number][] = [
    ['cosh', infiniteKernel(ACTIVATIONS.cosh, X, n, d), () => (zi, zj) => Math.sinh(zi) * Math.sinh(zj)],
    ['sinh', infiniteKernel(ACTIVATIONS.sinh, X, n, d), () => (zi, zj) => Math.cosh(zi) * Math.cosh(zj)],
    // the softmax network's neuron factor m s_r(x) → e^{⟨w,x⟩ − ‖x‖²/2} as m → ∞ (§5)
    ['softmax', infiniteKernel(ACTIVATIONS.softmax, X, n, d), (i, j) => (zi, zj) => Math.exp(zi - sq(i) / 2) * Math.exp(zj - sq(j) / 2)],
  ];
  for (const [name, H, f] of cases) {
    for (const [i, j] of PAIRS) {
      const v = integrated(X, d, i, j, f(i, j));
      assert.ok(Math.abs(H[i * n + j] - v) < 1e-9 * Math.max(1, Math.abs(v)), `${name} (${i},${j}): ${H[i * n + j]} vs ${v}`);
      assert.equal(H[i * n + j], H[j * n + i]);
    }
  }
  // unit inputs (§5): cosh ρ e sinh ρ, sinh ρ e cosh ρ, and exp's ρ e^{1+ρ} is their sum; softmax ρ e^ρ = H^cts / e
  const U = Float64Array.of(1, 0, 0, 0.6, 0.8, 0);
  const [c, s, e, sm] = (['cosh', 'sinh', 'exp', 'softmax'] as const).map((a) => infiniteKernel(ACTIVATIONS[a], U, 2, 3));
  for (let k = 0; k < 4; k++) {
    assert.ok(Math.abs(c[k] + s[k] - e[k]) <= 1e-14 * e[k], `exp = cosh + sinh at ${k}`);
    assert.ok(Math.abs(sm[k] * Math.E - e[k]) <= 1e-14 * e[k], `softmax = exp / e at ${k}`);
  }
  assert.ok(Math.abs(c[1] - 0.6 * Math.E * Math.sinh(0.6)) < 1e-15 && Math.abs(s[1] - 0.6 * Math.E * Math.cosh(0.6)) < 1e-15);
});

test('the cosh and sinh kernels match Monte Carlo over Gaussian w (5 standard errors)', () => {
  const { X, n, d } = inputs();
  for (const [name, dsigma] of [['cosh', Math.sinh], ['sinh', Math.cosh]] as const) {
    const H = infiniteKernel(ACTIVATIONS[name], X, n, d);
    const mc = monteCarlo(X, n, d, dsigma, 200_000, name === 'cosh' ? 3 : 4);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const { mean, se } = mc(i, j);
        assert.ok(Math.abs(H[i * n + j] - mean) <= 5 * se + 1e-15, `${name} (${i},${j}): ${H[i * n + j]} vs ${mean} ± ${se}`);
      }
    }
  }
});

test('Gauss–Hermite quadrature at its default degree reproduces the closed forms to ≤ 1e-10, for norms up to 2', async () => {
  const { customActivation, DEFAULT_QUADRATURE_DEGREE, gaussHermite } = await import('../../src/activations/index.js');
  // the rule itself: weights sum to 1, E[g²] = 1, E[g⁴] = 3 (exact for degree ≤ 2K − 1)
  const { nodes, weights } = gaussHermite(DEFAULT_QUADRATURE_DEGREE);
  const moment = (p: number): number => nodes.reduce((acc, g, k) => acc + weights[k] * g ** p, 0);
  assert.ok(Math.abs(moment(0) - 1) < 1e-14 && Math.abs(moment(2) - 1) < 1e-13 && Math.abs(moment(4) - 3) < 1e-12);
  const { X: X1, n, d } = inputs();
  for (const scale of [1, 2]) {
    const X = X1.map((v) => v * scale);
    for (const name of ['exp', 'cosh', 'sinh'] as const) {
      const a = ACTIVATIONS[name];
      const H = infiniteKernel(a, X, n, d);
      const Q = infiniteKernel(customActivation({ name: `q-${name}`, sigma: a.sigma!, dsigma: a.dsigma! }), X, n, d);
      for (let k = 0; k < n * n; k++) assert.ok(Math.abs(H[k] - Q[k]) <= 1e-10 * Math.max(1, Math.abs(H[k])), `${name} ×${scale} at ${k}: ${H[k]} vs ${Q[k]}`);
    }
  }
  // the softmax kernel is the exp kernel of the rescaled factor e^{z − ‖x‖²/2}: H^sm = H^cts e^{−(‖x‖² + ‖x'‖²)/2}
  const Hsm = infiniteKernel(ACTIVATIONS.softmax, X1, n, d);
  const Qexp = infiniteKernel(customActivation({ name: 'q-exp', sigma: Math.exp, dsigma: Math.exp }), X1, n, d);
  const sq = (i: number): number => X1.subarray(i * d, i * d + d).reduce((acc, v) => acc + v * v, 0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.ok(Math.abs(Hsm[i * n + j] - Qexp[i * n + j] * Math.exp(-(sq(i) + sq(j)) / 2)) <= 1e-12);
  // too few points are visibly wrong: the test can fail
  const coarse = infiniteKernel(customActivation({ name: 'coarse', sigma: Math.exp, dsigma: Math.exp, quadratureDegree: 4 }), X1.map((v) => 2 * v), n, d);
  const exact = infiniteKernel(ACTIVATIONS.exp, X1.map((v) => 2 * v), n, d);
  assert.ok(Math.abs(coarse[0] - exact[0]) > 1e-3 * exact[0]);
});

test('the softmax network’s H(W(0)) tends to H^sm as m grows (the limit of §5, derived with c → 0 and μ(x) → e^{‖x‖²/2})', async () => {
  const { ReferenceBackend } = await import('../../src/backend/reference.js');
  const { initDistanceStats } = await import('../../src/kernel/montecarlo.js');
  const { X, n, d } = inputs();
  const limit = infiniteKernel(ACTIVATIONS.softmax, X, n, d);
  let scale = 0;
  for (let k = 0; k < n * n; k++) scale = Math.max(scale, Math.abs(limit[k]));
  const widths = [250, 2500, 25000];
  const means = widths.map((m) => initDistanceStats({ activation: ACTIVATIONS.softmax, X, n, d, m, seeds: [0, 1, 2, 3, 4, 5], limit, backend: new ReferenceBackend() }).mean / scale);
  console.log(`# softmax: ‖H(W(0)) − H^sm‖₂ / max|H^sm| = ${means.map((v) => v.toExponential(2)).join(', ')} at m = ${widths.join(', ')}`);
  assert.ok(means[1] < means[0] && means[2] < means[1], 'decreasing in m');
  assert.ok(means[2] < 0.05, `at m = 25000 within 5% (${means[2]})`);
  // m^{−1/2}: a factor 10 in m is about 3.2 in the distance
  const ratio = means[0] / means[2];
  assert.ok(ratio > 4 && ratio < 25, `two decades of m shrink the distance ${ratio.toFixed(1)}× (m^(−1/2): 10×)`);
});
