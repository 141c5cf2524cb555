import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lanczosExtremes } from '../../src/linalg/lanczos.js';
import { eigvalsh } from '../../src/linalg/eigh.js';
import { spectralNormSym, symMatVec } from '../../src/linalg/dense.js';
import { orthogonalSimilarity, randomSymmetric } from './helpers.js';

test('Lanczos extremes agree with the dense solver on a random matrix', () => {
  const n = 300;
  const A = randomSymmetric(n, 5);
  const all = eigvalsh(A, n);
  const res = lanczosExtremes((v, out) => symMatVec(A, n, v, out), n, { tol: 1e-10 });
  assert.ok(res.converged, `converged after ${res.iterations}`);
  assert.ok(Math.abs(res.min - all[0]) < 1e-8 * Math.abs(all[0]), `${res.min} vs ${all[0]}`);
  assert.ok(Math.abs(res.max - all[n - 1]) < 1e-8 * Math.abs(all[n - 1]));
  // interlacing: Ritz values never leave [λ_min, λ_max]
  assert.ok(res.min >= all[0] - 1e-9 && res.max <= all[n - 1] + 1e-9);
});

test('Lanczos on a known spectrum with a gap, and with a low-rank operator (breakdown/restart)', () => {
  const n = 120;
  const D = Array.from({ length: n }, (_, i) => 1 + i / n);
  D[7] = 10;
  D[50] = -2;
  const A = orthogonalSimilarity(D, 11);
  const res = lanczosExtremes((v, out) => symMatVec(A, n, v, out), n, { tol: 1e-12 });
  assert.ok(Math.abs(res.max - 10) < 1e-9 && Math.abs(res.min + 2) < 1e-9, `${res.min} ${res.max}`);
  // rank-2 operator u uᵀ·3 − w wᵀ: the Krylov space of any start is ≤ 3-dimensional, so Lanczos
  // breaks down and must restart to see all of the spectrum (here {−1, 0, 3})
  const u = new Float64Array(n).map((_, i) => Math.cos(i) / Math.sqrt(n / 2));
  const w = new Float64Array(n).map((_, i) => (i % 2 === 0 ? 1 : 0));
  let un = 0;
  let wn = 0;
  for (let i = 0; i < n; i++) {
    un += u[i] * u[i];
    wn += w[i] * w[i];
  }
  const apply = (v: Float64Array, out: Float64Array): void => {
    let su = 0;
    let sw = 0;
    for (let i = 0; i < n; i++) {
      su += u[i] * v[i];
      sw += w[i] * v[i];
    }
    for (let i = 0; i < n; i++) out[i] = (3 * su * u[i]) / un - (sw * w[i]) / wn;
  };
  const r2 = lanczosExtremes(apply, n, { tol: 1e-10, maxIter: 40 });
  // u and w are not orthogonal, so compare with the dense spectrum of the same operator
  const M = new Float64Array(n * n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    apply(e, col);
    for (let i = 0; i < n; i++) M[i * n + j] = col[i];
  }
  const all = eigvalsh(M, n);
  assert.ok(Math.abs(r2.max - all[n - 1]) < 1e-9 && Math.abs(r2.min - all[0]) < 1e-9, `${r2.min} ${r2.max} vs ${all[0]} ${all[n - 1]}`);
});

test('spectralNormSym: dense and Lanczos routes agree', () => {
  const n = 450;
  const A = randomSymmetric(n, 8);
  const dense = spectralNormSym(A, n, { method: 'dense' });
  const lz = spectralNormSym(A, n, { method: 'lanczos' });
  const all = eigvalsh(A, n);
  assert.ok(Math.abs(dense - Math.max(-all[0], all[n - 1])) < 1e-10 * dense);
  assert.ok(Math.abs(lz - dense) < 1e-8 * dense, `${lz} vs ${dense}`);
});
