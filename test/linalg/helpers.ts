/** Test matrices with known spectra, built without the solver under test. */
import { ReferenceBackend } from '../../src/backend/reference.js';
import { resolveActivation } from '../../src/activations/index.js';
import { applyNormalization, fitNormalization } from '../../src/data/normalize.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { normalisedKernel } from '../../src/kernel/empirical.js';
import { createModel, problemOf } from '../../src/model/model.js';
import { DEFAULT_MODEL_SPEC } from '../../src/model/spec.js';
import { Rng } from '../../src/random/xoshiro.js';

/** Q D Qᵀ with Q a product of n Householder reflections of random vectors (exactly orthogonal). */
export function orthogonalSimilarity(values: readonly number[], seed: number): Float64Array {
  const n = values.length;
  const rng = new Rng(seed, 'test-orth');
  // start from D, apply A ← P A P for several random reflectors P = I − 2 v vᵀ / vᵀv
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) A[i * n + i] = values[i];
  const v = new Float64Array(n);
  const tmp = new Float64Array(n);
  for (let rep = 0; rep < Math.min(n, 6); rep++) {
    rng.fillNormal(v);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += v[i] * v[i];
    // A ← (I − 2vvᵀ/vv) A (I − 2vvᵀ/vv) = A − v wᵀ − w vᵀ with w = 2Av/vv − 2(vᵀAv)v/vv²
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * v[j];
      tmp[i] = s;
    }
    let vAv = 0;
    for (let i = 0; i < n; i++) vAv += v[i] * tmp[i];
    for (let i = 0; i < n; i++) tmp[i] = (2 * tmp[i]) / vv - (2 * vAv * v[i]) / (vv * vv);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] -= v[i] * tmp[j] + tmp[i] * v[j];
  }
  // symmetrise away rounding
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i] = 0.5 * (A[i * n + j] + A[j * n + i]);
  return A;
}

export function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed, 'test-sym');
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = rng.normal();
  return A;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * H(W(0)) of an exp network with m·d = 1024 < n = 450 (rank deficient: many eigenvalues zero to
 * rounding): the kernel whose QL iteration needs the second, absolute deflation test
 * (`train --n 450 --d 4 -m 256` once ended in "tridiagonal QL did not converge").
 */
export function rankDeficientKernel(): { H: Float64Array; n: number } {
  const n = 450;
  const d = 4;
  const data = generateSynthetic({ inputs: 'sphere', n, d, labels: 'normal', seed: 0 });
  const norm = fitNormalization('unit', data.X, n, d, 'x');
  const X = applyNormalization(norm, data.X, n, d, 'x');
  const model = createModel({ ...DEFAULT_MODEL_SPEC, m: 256 }, resolveActivation('exp'), d, norm);
  return { H: normalisedKernel(new ReferenceBackend(), problemOf(model, X, data.y, n), model.W0), n };
}
