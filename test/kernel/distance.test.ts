/**
 * extremesAndDistance (the kernel monitor's two reductions of an observation in one call) gives the
 * values of lambdaMinMax(A) and spectralDistance(B, C), bit for bit, on every route: dense (the
 * addon's side-by-side reductions where it is built), Lanczos, and the error of a difference that
 * overflows. inputGramFast (the addon's X Xᵀ) gives inputGram's bits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extremesAndDistance, spectralDistance } from '../../src/kernel/distance.js';
import { inputGram, inputGramFast } from '../../src/kernel/infinite.js';
import { lambdaMinMax } from '../../src/linalg/eigh.js';
import { Rng } from '../../src/random/xoshiro.js';

function kernelLike(n: number, rng: Rng, scale: number): Float64Array {
  const F = rng.fillNormal(new Float64Array(n * 3));
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < 3; t++) s += F[i * 3 + t] * F[j * 3 + t];
      K[i * n + j] = K[j * n + i] = scale * (Math.exp(-((i - j) ** 2) / 50) + 0.1 * s);
    }
  return K;
}

test('extremesAndDistance: the bits of lambdaMinMax(A) and spectralDistance(B, C) (dense and Lanczos, 1–3 threads)', () => {
  const rng = new Rng(21, 'test');
  for (const n of [1, 2, 5, 24, 64, 130]) {
    const A = kernelLike(n, rng, 1);
    const B = kernelLike(n, rng, 0.9);
    const C = kernelLike(n, rng, 1.1);
    for (const opts of [{}, { method: 'dense' as const }, { method: 'lanczos' as const }]) {
      const e = lambdaMinMax(A, n);
      const want = { lambdaMin: e.lambdaMin, lambdaMax: e.lambdaMax, distance: spectralDistance(B, C, n, opts) };
      for (const threads of [1, 2, 3]) {
        const got = extremesAndDistance(A, B, C, n, opts, threads);
        for (const k of ['lambdaMin', 'lambdaMax', 'distance'] as const) {
          assert.ok(Object.is(got[k], want[k]), `n=${n} ${JSON.stringify(opts)} threads=${threads} ${k}: ${got[k]} vs ${want[k]}`);
        }
      }
    }
  }
});

test('extremesAndDistance: a difference that overflows is the error spectralDistance gives, not a number', () => {
  const A = Float64Array.of(1e308, 0, 0, 1);
  const B = Float64Array.of(-1e308, 0, 0, 1);
  assert.throws(() => spectralDistance(A, B, 2), /not finite/);
  assert.throws(() => extremesAndDistance(A, A, B, 2, {}, 2), /not finite/);
});

test('inputGramFast: the bits of inputGram (random, huge, tiny, signed-zero, non-finite inputs)', () => {
  const rng = new Rng(22, 'test');
  for (const [n, d] of [[1, 1], [2, 3], [17, 5], [64, 8], [33, 40]]) {
    for (let kind = 0; kind < 5; kind++) {
      const X = rng.fillNormal(new Float64Array(n * d));
      if (kind === 1) for (let k = 0; k < X.length; k++) X[k] *= 1e160; // products overflow
      if (kind === 2) for (let k = 0; k < X.length; k++) X[k] *= 1e-160; // products underflow to subnormals and 0
      if (kind === 3) for (let k = 0; k < X.length; k += 2) X[k] = -0;
      if (kind === 4) X[(n * d) >> 1] = Number.NaN;
      const want = inputGram(X, n, d);
      const got = inputGramFast(X, n, d);
      for (let k = 0; k < want.length; k++) assert.ok(Object.is(got[k], want[k]), `n=${n} d=${d} kind=${kind} entry ${k}: ${got[k]} vs ${want[k]}`);
    }
  }
});
