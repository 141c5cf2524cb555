import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eigh, eigvalsh, eigvalshByIndex, kernelLambdaMin, lambdaMinMax, lambdaMin } from '../../src/linalg/eigh.js';
import { frobeniusNorm, spectralNormSym, trace } from '../../src/linalg/dense.js';
import { maxAbsDiff, orthogonalSimilarity, randomSymmetric } from './helpers.js';

const EPS = 2.220446049250313e-16;

function checkIdentities(A: Float64Array, n: number, tolScale: number): void {
  const { values, vectors } = eigh(A, n);
  const normA = frobeniusNorm(A, n);
  const tol = tolScale * n * EPS * Math.max(normA, 1);
  for (let k = 1; k < n; k++) assert.ok(values[k] >= values[k - 1], 'ascending');
  // ‖A v − λ v‖ small
  for (let k = 0; k < n; k++) {
    let r = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * vectors[k * n + j];
      r = Math.max(r, Math.abs(s - values[k] * vectors[k * n + i]));
    }
    assert.ok(r < tol, `residual ${r} for eigenpair ${k} (tol ${tol})`);
  }
  // VᵀV = I
  for (let k = 0; k < n; k++) {
    for (let l = 0; l <= k; l++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += vectors[k * n + j] * vectors[l * n + j];
      assert.ok(Math.abs(s - (k === l ? 1 : 0)) < tolScale * n * EPS * 10, `orthonormality (${k},${l}) = ${s}`);
    }
  }
  // trace = Σλ, ‖A‖_F² = Σλ²
  let sum = 0;
  let sum2 = 0;
  for (const v of values) {
    sum += v;
    sum2 += v * v;
  }
  assert.ok(Math.abs(sum - trace(A, n)) < tol * Math.sqrt(n), 'trace');
  assert.ok(Math.abs(sum2 - normA * normA) < tol * normA * Math.sqrt(n), 'Frobenius');
  // the values-only route agrees
  assert.ok(maxAbsDiff(eigvalsh(A, n), values) < tol, 'eigvalsh agrees with eigh');
}

test('diagonal matrix: eigenvalues are the sorted diagonal, eigenvectors unit vectors', () => {
  const diag = [3, -1, 7, 0, 2.5, -4];
  const n = diag.length;
  const A = new Float64Array(n * n);
  diag.forEach((v, i) => (A[i * n + i] = v));
  const { values, vectors } = eigh(A, n);
  assert.deepEqual(Array.from(values), [...diag].sort((a, b) => a - b));
  for (let k = 0; k < n; k++) {
    const i = diag.indexOf(values[k]);
    assert.equal(Math.abs(vectors[k * n + i]), 1);
  }
});

test('tridiagonal Toeplitz: λ_k = a + 2b cos(kπ/(n+1))', () => {
  for (const n of [1, 2, 3, 17, 120]) {
    const a = 1.5;
    const b = -0.7;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      A[i * n + i] = a;
      if (i > 0) A[i * n + i - 1] = A[(i - 1) * n + i] = b;
    }
    const exact = Array.from({ length: n }, (_, k) => a + 2 * b * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort((x, y) => x - y);
    assert.ok(maxAbsDiff(eigvalsh(A, n), exact) < 20 * n * EPS, `n=${n}`);
    checkIdentities(A, n, 20);
  }
});

test('random orthogonal similarity Q D Qᵀ recovers D', () => {
  for (const [n, seed] of [[2, 1], [5, 2], [40, 3], [150, 4]] as const) {
    const D = Array.from({ length: n }, (_, i) => Math.sin(3 * i + 1) * 10 + i * 0.01);
    const A = orthogonalSimilarity(D, seed);
    const sorted = [...D].sort((x, y) => x - y);
    assert.ok(maxAbsDiff(eigvalsh(A, n), sorted) < 100 * n * EPS * 10, `n=${n}`);
    checkIdentities(A, n, 50);
  }
});

test('degenerate and clustered eigenvalues', () => {
  const n = 30;
  // a triple eigenvalue, a double one, a cluster 1e-12 apart, and a zero
  const D = Array.from({ length: n }, (_, i) => i);
  D[3] = D[4] = D[5] = 2;
  D[10] = D[11] = -5;
  D[20] = 7;
  D[21] = 7 + 1e-12;
  D[22] = 7 - 1e-12;
  D[0] = 0;
  const A = orthogonalSimilarity(D, 9);
  const sorted = [...D].sort((x, y) => x - y);
  assert.ok(maxAbsDiff(eigvalsh(A, n), sorted) < 1e-12 * n);
  checkIdentities(A, n, 50);
  // identity: all equal
  const I = new Float64Array(16);
  for (let i = 0; i < 4; i++) I[i * 4 + i] = 2;
  assert.deepEqual(Array.from(eigvalsh(I, 4)), [2, 2, 2, 2]);
  checkIdentities(I, 4, 10);
});

test('n = 1 and n = 2 (closed form)', () => {
  assert.deepEqual(Array.from(eigvalsh(Float64Array.of(-3.25), 1)), [-3.25]);
  const { values, vectors } = eigh(Float64Array.of(-3.25), 1);
  assert.equal(values[0], -3.25);
  assert.equal(Math.abs(vectors[0]), 1);
  // [[p, q], [q, r]]: λ = (p+r)/2 ± √(((p−r)/2)² + q²)
  const [p, q, r] = [2, 1e-3, 2 + 1e-9];
  const mid = (p + r) / 2;
  const rad = Math.hypot((p - r) / 2, q);
  assert.ok(maxAbsDiff(eigvalsh(Float64Array.of(p, q, q, r), 2), [mid - rad, mid + rad]) < 4 * EPS * 2);
  checkIdentities(Float64Array.of(p, q, q, r), 2, 10);
});

test('random dense matrices satisfy the identities', () => {
  for (const n of [7, 64, 200]) checkIdentities(randomSymmetric(n, n), n, 30);
});

test('bisection (Sturm) agrees with the QL eigenvalues', () => {
  for (const n of [1, 2, 9, 80]) {
    const A = randomSymmetric(n, 100 + n);
    const all = eigvalsh(A, n);
    const idx = [0, Math.floor(n / 2), n - 1];
    const sel = eigvalshByIndex(A, n, idx);
    const tol = 20 * n * EPS * frobeniusNorm(A, n);
    idx.forEach((k, t) => assert.ok(Math.abs(sel[t] - all[k]) < tol, `n=${n} k=${k}`));
    const mm = lambdaMinMax(A, n);
    assert.ok(Math.abs(mm.lambdaMin - all[0]) < tol && Math.abs(mm.lambdaMax - all[n - 1]) < tol);
    assert.ok(Math.abs(lambdaMin(A, n) - all[0]) < tol);
    assert.ok(Math.abs(spectralNormSym(A, n) - Math.max(-all[0], all[n - 1])) < tol);
  }
  // a cluster resolved by bisection: eigenvalues 1, 1+1e-10, …
  const D = [1, 1 + 1e-10, 1 + 2e-10, 5, -3];
  const A = orthogonalSimilarity(D, 4);
  const sel = eigvalshByIndex(A, 5, [0, 1, 2, 3, 4]);
  assert.ok(maxAbsDiff(sel, [...D].sort((x, y) => x - y)) < 1e-13);
});

test('rejects bad shapes and non-finite entries', () => {
  assert.throws(() => eigvalsh(new Float64Array(3), 2), RangeError);
  assert.throws(() => eigvalsh(Float64Array.of(1, NaN, NaN, 1), 2), RangeError);
  assert.throws(() => eigvalsh(new Float64Array(0), 0), RangeError);
});

test('kernelLambdaMin: a singular PSD matrix reads 0 whatever the sign of its rounding, a small true λ stays', () => {
  // Q diag(0, 1, …) Qᵀ: in floating point λ_min comes out as ±(a few ulps of λ_max)
  let positive = 0;
  let negative = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const n = 3 + (seed % 30);
    const D = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : 1 + 10 * i));
    const A = orthogonalSimilarity(D, seed);
    const raw = lambdaMin(A, n);
    if (raw > 0) positive++;
    if (raw < 0) negative++;
    assert.equal(kernelLambdaMin(A, n), 0, `n=${n} seed=${seed}: raw λ_min ${raw}`);
    // the same spectrum lifted by 1e-9·λ_max, far above n·ε·λ_max: kept, to rounding
    const lifted = orthogonalSimilarity(D.map((v) => v + 1e-9 * D[n - 1]), seed);
    const l = kernelLambdaMin(lifted, n);
    assert.ok(Math.abs(l - 1e-9 * D[n - 1]) < 100 * n * EPS * D[n - 1], `n=${n} seed=${seed}: ${l}`);
  }
  assert.ok(positive > 0 && negative > 0, `rounding of both signs was exercised (${positive} positive, ${negative} negative)`);
});
