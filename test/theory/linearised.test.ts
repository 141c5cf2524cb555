import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contractionEnvelope, contractionEnvelopes, linearisedFromKernel } from '../../src/theory/linearised.js';
import { hCts } from '../../src/kernel/infinite.js';
import { eigvalsh } from '../../src/linalg/eigh.js';
import { Rng } from '../../src/random/xoshiro.js';

function setup(n: number, d: number) {
  const rng = new Rng(21, 'test-lin');
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (X[i * d + t] = rng.normal()) ** 2;
    for (let t = 0; t < d; t++) X[i * d + t] /= Math.sqrt(s);
  }
  const r0 = rng.fillNormal(new Float64Array(n));
  return { H: hCts(X, n, d), r0 };
}

function iterate(H: Float64Array, n: number, r0: Float64Array, eta: number, K: number): Float64Array[] {
  const out = [Float64Array.from(r0)];
  let r = Float64Array.from(r0);
  for (let k = 1; k <= K; k++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += H[i * n + j] * r[j];
      next[i] = r[i] - eta * s; // r ← r − η H0 r
    }
    r = next;
    out.push(r);
  }
  return out;
}

const norm = (v: Float64Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

test('linearised prediction equals the direct iteration r ← r − ηH0 r', () => {
  const n = 12;
  const { H, r0 } = setup(n, 4);
  const lmax = eigvalsh(H, n)[n - 1];
  for (const eta of [0.5 / lmax, 1.9 / lmax]) {
    // 1.9/λ_max: the top factor 1 − ηλ is negative, so the sign of odd powers matters
    const pred = linearisedFromKernel(H, n, r0, eta);
    const direct = iterate(H, n, r0, eta, 60);
    for (const k of [0, 1, 2, 3, 7, 20, 60]) {
      const ref = norm(direct[k]);
      assert.ok(Math.abs(pred.residualNorm(k) - ref) <= 1e-10 * norm(r0), `η=${eta} k=${k}: ${pred.residualNorm(k)} vs ${ref}`);
      const v = pred.residual(k);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(v[i] - direct[k][i]) <= 1e-10 * norm(r0));
    }
  }
});

test('with η ≤ 1/λ_max and λ = λ_min(H0), the prediction stays under the envelope of §4D', () => {
  const n = 10;
  const { H, r0 } = setup(n, 3);
  const ev = eigvalsh(H, n);
  const eta = 1 / ev[n - 1];
  const pred = linearisedFromKernel(H, n, r0, eta);
  for (const k of [0, 1, 5, 50, 500]) {
    assert.ok(pred.residualNorm(k) <= contractionEnvelope(k, eta, ev[0], norm(r0)) * (1 + 1e-12));
  }
  assert.ok(Number.isNaN(contractionEnvelope(3, 10, 1, 1)));
  assert.ok(Math.abs(contractionEnvelope(4, 0.5, 1, 2) - 2 * 0.75 ** 2) < 1e-15);
});

test('the whole curves (residualNorms, contractionEnvelopes) are the per-step values, bit for bit', () => {
  const { H, r0 } = setup(24, 5);
  const top = eigvalsh(H, 24)[23];
  // η from stable to past the stability edge (|1 − ηλ| > 1 for the top modes), and ηλ = 1 exactly killing a mode
  for (const eta of [0.1 / top, 1 / top, 2.5 / top]) {
    const lin = linearisedFromKernel(H, 24, r0, eta);
    const curve = lin.residualNorms(300);
    assert.equal(curve.length, 301);
    for (let k = 0; k <= 300; k++) assert.ok(Object.is(curve[k], lin.residualNorm(k)), `η = ${eta}, k = ${k}: ${curve[k]} vs ${lin.residualNorm(k)}`);
    const env = contractionEnvelopes(300, eta, 0.3 * top, 2);
    for (let k = 0; k <= 300; k++) assert.ok(Object.is(env[k], contractionEnvelope(k, eta, 0.3 * top, 2)), `envelope k = ${k}`);
  }
  assert.throws(() => linearisedFromKernel(H, 24, r0, 0.1 / top).residualNorms(-1), RangeError);
});
