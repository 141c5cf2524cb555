import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hCts, hInf, infiniteKernel } from '../../src/kernel/infinite.js';
import { ACTIVATIONS } from '../../src/model/activations/index.js';
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
  // unit inputs: diagonal e², and ρ e^{1+ρ} off the diagonal (theory.md §3)
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
