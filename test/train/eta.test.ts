/**
 * --eta auto (src/train/eta.ts): below AUTO_ETA_SWITCH_WORK the power iteration exactly as it was
 * (bit for bit); above it Jacobi–Davidson with the infinite-width kernel, or Lanczos, each to λ_max
 * within 1e-6 of the dense eigenvalue of the explicit kernel. The switch is lowered through the
 * options so that the problems stay small.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../../src/backend/index.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { Backend, Problem } from '../../src/backend/types.js';
import { eigvalsh } from '../../src/linalg/eigh.js';
import { lanczosTopSteps } from '../../src/linalg/lanczos.js';
import { davidsonTopSteps } from '../../src/linalg/davidson.js';
import { symMatVec } from '../../src/linalg/dense.js';
import { powerIterationSteps } from '../../src/linalg/power.js';
import { Rng } from '../../src/random/xoshiro.js';
import { AUTO_ETA_SWITCH_WORK, autoEta, autoEtaSteps, ntkTimes, type AutoEtaOptions } from '../../src/train/eta.js';
import { randomProblem } from '../helpers.js';

const backend: Backend = createBackend();

function denseLambdaMax(b: Backend, p: Problem, W: Float64Array): number {
  const H = new Float64Array(p.n * p.n);
  b.gram(p, W, H);
  return eigvalsh(H, p.n)[p.n - 1];
}

/** The power iteration of --eta auto as it was before the switch (tol 1e-7, ≤ 500 products, start from the "power" stream). */
function oldPower(b: Backend, p: Problem, W: Float64Array, seed: number) {
  const it = powerIterationSteps(ntkTimes(b, p, W), new Rng(seed, 'power').fillNormal(new Float64Array(p.n)), { tol: 1e-7, maxIter: 500 });
  for (;;) {
    const next = it.next();
    if (next.done) return next.value;
  }
}

test('below the switch: the power iteration, the same bits as before', () => {
  for (const [n, d, m, act, kappa, seed] of [
    [64, 8, 4096, 'exp', 1 / 64, 0], // the default run's size
    [30, 5, 700, 'relu', 1 / Math.sqrt(700), 3],
    [20, 4, 300, 'softmax', 1 / Math.sqrt(300), 1],
    [25, 6, 400, 'exp', 1, 2], // κ = 1
  ] as const) {
    const { p, W } = randomProblem(n, d, m, act, kappa, seed + 10);
    assert.ok(n * m * d < AUTO_ETA_SWITCH_WORK);
    const r = autoEta(backend, p, W, seed);
    const old = oldPower(backend, p, W, seed);
    assert.equal(r.method, 'power');
    assert.ok(Object.is(r.lambdaMax, old.value), `${act}: ${r.lambdaMax} vs ${old.value}`);
    assert.ok(Object.is(r.eta, 1 / old.value));
    assert.equal(r.iterations, old.iterations);
    assert.equal(r.converged, old.converged);
  }
  // just below a lowered switch it is still the power iteration
  const { p, W } = randomProblem(40, 6, 1000, 'exp', 1 / Math.sqrt(1000), 4);
  const r = autoEta(backend, p, W, 5, { switchWork: p.n * p.m * p.d + 1 });
  assert.equal(r.method, 'power');
  assert.ok(Object.is(r.lambdaMax, oldPower(backend, p, W, 5).value));
});

test('above the switch: λ_max within 1e-6 of the dense eigenvalue of the explicit kernel, in a few products', () => {
  for (const [n, d, m, act, kappa] of [
    [120, 8, 4000, 'exp', 1 / Math.sqrt(4000)],
    [100, 6, 3000, 'relu', 1 / Math.sqrt(3000)],
    [80, 6, 2000, 'softmax', 1 / Math.sqrt(2000)],
    [90, 5, 1500, 'sinh', 1 / Math.sqrt(1500)],
    [100, 8, 2500, 'exp', 1], // κ = 1: H and H^lim differ by the factor m
    [150, 10, 100, 'exp', 0.1], // m < n: Lanczos without the limit kernel
  ] as const) {
    const { p, W } = randomProblem(n, d, m, act, kappa, n + m);
    const work = n * m * d;
    const exact = denseLambdaMax(backend, p, W);
    const power = oldPower(backend, p, W, 0);
    for (const [want, options] of [
      [m >= n ? 'davidson' : 'lanczos', { switchWork: work }],
      ['lanczos', { switchWork: work, limitMaxN: 0 }],
    ] as const satisfies readonly (readonly [string, AutoEtaOptions])[]) {
      const r = autoEta(backend, p, W, 0, options);
      const rel = Math.abs(r.lambdaMax - exact) / exact;
      assert.equal(r.method, want);
      assert.ok(r.converged, `${act} ${want}: not converged after ${r.iterations}`);
      assert.ok(rel <= 1e-6, `${act} ${want}: relative error ${rel}`);
      assert.ok(Object.is(r.eta, 1 / r.lambdaMax));
      // far fewer products than the power iteration needs
      assert.ok(r.iterations < power.iterations, `${act} ${want}: ${r.iterations} products, power ${power.iterations}`);
      if (want === 'davidson') assert.ok(r.iterations <= 8, `${act}: ${r.iterations} products`);
      // same inputs, same bits
      assert.ok(Object.is(autoEta(backend, p, W, 0, options).lambdaMax, r.lambdaMax));
    }
  }
});

test('above the switch, the reference backend and the native one agree to 1e-9 (each to its own products)', () => {
  const { p, W } = randomProblem(40, 5, 600, 'exp', 1 / Math.sqrt(600), 9);
  const ref = new ReferenceBackend();
  const o = { switchWork: 0 };
  const a = autoEta(ref, p, W, 0, o);
  const b = autoEta(backend, p, W, 0, o);
  assert.equal(a.method, 'davidson');
  assert.ok(Math.abs(a.lambdaMax - b.lambdaMax) <= 1e-9 * a.lambdaMax, `${a.lambdaMax} vs ${b.lambdaMax}`);
  assert.ok(Math.abs(a.lambdaMax - denseLambdaMax(ref, p, W)) <= 1e-6 * a.lambdaMax);
});

test('autoEtaSteps pauses after every product with H (Ctrl-C is heard within one product)', () => {
  for (const options of [{}, { switchWork: 0 }, { switchWork: 0, limitMaxN: 0 }] as const) {
    const { p, W } = randomProblem(60, 6, 2000, 'exp', 1 / Math.sqrt(2000), 7);
    let products = 0;
    const counting: Backend = Object.create(backend, {
      gradient: { value: (...args: Parameters<Backend['gradient']>) => (products++, backend.gradient(...args)) },
    });
    const it = autoEtaSteps(counting, p, W, 0, options);
    let most = 0;
    let next;
    do {
      const before = products;
      next = it.next();
      most = Math.max(most, products - before);
    } while (!next.done);
    assert.equal(most, 1, `${JSON.stringify(options)}: ${most} products between pauses`);
    assert.equal(products, next.value.iterations);
  }
});

test('lanczosTopSteps and davidsonTopSteps on a known spectrum: the top eigenvalue to 1e-12, a cluster below it', () => {
  const n = 200;
  // A = Q diag(λ) Qᵀ with λ₁ = 10, a cluster at 9.5 … 9.6 and the rest in [0, 5]
  const rng = new Rng(1, 'test');
  const lam = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 10 : i <= 10 ? 9.5 + i / 100 : (5 * i) / n));
  const Qm = rng.fillNormal(new Float64Array(n * n));
  // Gram–Schmidt on the rows
  for (let i = 0; i < n; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        let c = 0;
        for (let t = 0; t < n; t++) c += Qm[i * n + t] * Qm[j * n + t];
        for (let t = 0; t < n; t++) Qm[i * n + t] -= c * Qm[j * n + t];
      }
    }
    let s = 0;
    for (let t = 0; t < n; t++) s += Qm[i * n + t] ** 2;
    for (let t = 0; t < n; t++) Qm[i * n + t] /= Math.sqrt(s);
  }
  const A = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] += lam[k] * Qm[k * n + i] * Qm[k * n + j];
  const apply = (v: Float64Array, out: Float64Array) => symMatVec(A, n, v, out);
  const run = <T>(g: Generator<void, T, void>): T => {
    for (;;) {
      const x = g.next();
      if (x.done) return x.value;
    }
  };
  const start = rng.fillNormal(new Float64Array(n));
  const lz = run(lanczosTopSteps(apply, start, { tol: 1e-12, vector: true }));
  assert.ok(lz.converged && Math.abs(lz.value - 10) < 1e-10, `${lz.value} after ${lz.iterations}`);
  assert.ok(lz.value <= 10 + 1e-12, 'a Ritz value never exceeds λ_max');
  // the Ritz vector is the top eigenvector
  let align = 0;
  for (let t = 0; t < n; t++) align += lz.vector![t] * Qm[t];
  assert.ok(Math.abs(Math.abs(align) - 1) < 1e-8, `|⟨y, q₁⟩| = ${Math.abs(align)}`);
  // Jacobi–Davidson with a perturbed operator Ã = A + 1e-3·(symmetric noise) as the approximation
  const E = rng.fillNormal(new Float64Array(n * n));
  const At = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) At[i * n + j] = A[i * n + j] + 1e-4 * (E[i * n + j] + E[j * n + i]);
  const applyT = (v: Float64Array, out: Float64Array) => symMatVec(At, n, v, out);
  const top = run(lanczosTopSteps(applyT, start, { tol: 1e-12, vector: true }));
  const jd = run(davidsonTopSteps(apply, { start: top.vector!, approx: { apply: applyT, second: top.second } }));
  assert.ok(jd.converged && Math.abs(jd.value - 10) < 1e-10, `${jd.value} after ${jd.iterations}`);
  assert.ok(jd.iterations <= 4, `${jd.iterations} products`);
  assert.ok(jd.iterations < lz.iterations);
  // with a useless approximation (Ã = 0) it still converges: the correction falls back to the residual (Lanczos)
  const zero = run(davidsonTopSteps(apply, { start, approx: { apply: (_v, out) => out.fill(0), second: 0 }, tol: 1e-12, maxIter: 200 }));
  assert.ok(Math.abs(zero.value - 10) < 1e-9, `${zero.value} after ${zero.iterations}`);
});
