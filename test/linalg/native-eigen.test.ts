/**
 * The addon's dense eigen-routines (native/src/eigen.cc, src/backend/routines.ts) against the
 * TypeScript they port (the `…Reference` functions): the same bits for the tridiagonal form, the
 * reflectors, the QL eigenvalues and eigenvectors (including its second, absolute-test pass), the
 * back-transformation and the Sturm bisection (one at a time and interleaved), on random, kernel-like, sparse, scaled, signed-zero
 * and rank-deficient matrices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nativeRoutines } from '../../src/backend/routines.js';
import { tridiagonalQL, tridiagonalQLReference } from '../../src/linalg/ql.js';
import { bisectEigenvalue, bisectEigenvalueReference, bisectEigenvalues } from '../../src/linalg/sturm.js';
import { applyQ, applyQReference, tridiagonalize, tridiagonalizeReference, type TridiagonalForm } from '../../src/linalg/tridiagonal.js';
import { Rng } from '../../src/random/xoshiro.js';
import { rankDeficientKernel } from './helpers.js';

const skip = nativeRoutines() === null ? 'native addon not built' : false;

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) assert.fail(`${what}: entry ${k}: ${a[k]} (native) vs ${b[k]} (TypeScript)`);
}

function symmetric(n: number, rng: Rng, kind: number): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let v: number;
      if (kind === 0) v = rng.normal();
      else if (kind === 1) v = Math.exp(-Math.abs(i - j) / 7) * (1 + 0.01 * rng.normal()); // kernel-like, positive definite
      else if (kind === 2) v = (i + j) % 3 === 0 ? 0 : rng.normal(); // rows already reduced: skipped reflections
      else if (kind === 3) v = rng.normal() * 1e-300; // subnormal range after scaling
      else if (kind === 4) v = rng.normal() * 1e150; // products near overflow
      else if (kind === 5) v = i === j ? 1 : j === i - 1 ? -0 : 0; // already tridiagonal, signed zeros
      else v = Math.floor(3 * rng.nextDouble()) - 1; // integers: exact ties in comparisons
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  return A;
}

function checkAll(A: Float64Array, n: number, what: string): void {
  const t = tridiagonalize(A, n);
  const r = tridiagonalizeReference(A, n);
  sameBits(t.d, r.d, `${what} d`);
  sameBits(t.e, r.e, `${what} e`);
  sameBits(t.h, r.h, `${what} h`);
  sameBits(t.reflectors, r.reflectors, `${what} reflectors`);
  // eigenvalues alone, then with eigenvectors (rows of Zt), then back to A's eigenvectors
  for (const vectors of [false, true]) {
    const d1 = Float64Array.from(r.d);
    const e1 = Float64Array.from(r.e);
    const d2 = Float64Array.from(r.d);
    const e2 = Float64Array.from(r.e);
    const Z1 = vectors ? identity(n) : null;
    const Z2 = vectors ? identity(n) : null;
    tridiagonalQL(d1, e1, n, Z1);
    tridiagonalQLReference(d2, e2, n, Z2);
    sameBits(d1, d2, `${what} QL values${vectors ? ' (with vectors)' : ''}`);
    sameBits(e1, e2, `${what} QL e`);
    if (Z1 && Z2) {
      sameBits(Z1, Z2, `${what} QL vectors`);
      for (const count of [n, Math.max(0, n - 1), Math.min(n, 3)]) {
        const V1 = Z1.slice(0, count * n);
        const V2 = Z2.slice(0, count * n);
        applyQ(t, V1, count);
        applyQReference(r as TridiagonalForm, V2, count);
        sameBits(V1, V2, `${what} applyQ (${count} vectors)`);
      }
    }
  }
  const ks = [...new Set([0, 1, n >> 1, n - 2, n - 1].filter((k) => k >= 0 && k < n))];
  for (const k of ks) {
    assert.ok(Object.is(bisectEigenvalue(t, n, k), bisectEigenvalueReference(r, n, k)), `${what} bisection λ_${k}: ${bisectEigenvalue(t, n, k)} vs ${bisectEigenvalueReference(r, n, k)}`);
  }
  // interleaved: pairs, an odd count, a repeated index, every one as alone
  for (const set of [[0, n - 1], ks, [n - 1, n - 1, 0]]) {
    sameBits(bisectEigenvalues(t, n, set), Float64Array.from(set, (k) => bisectEigenvalueReference(r, n, k)), `${what} bisection of [${set.join(', ')}]`);
  }
}

function identity(n: number): Float64Array {
  const Z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Z[i * n + i] = 1;
  return Z;
}

test('native eigen-routines: the bits of the TypeScript on random, kernel-like, sparse, scaled and signed-zero matrices, n = 1 … 140', { skip }, () => {
  const rng = new Rng(11, 'test');
  for (const n of [1, 2, 3, 4, 5, 7, 8, 17, 33, 64, 100, 129, 140]) {
    for (let kind = 0; kind < 7; kind++) checkAll(symmetric(n, rng, kind), n, `n=${n} kind=${kind}`);
  }
});

test('native eigen-routines: the bits of the TypeScript on a rank-deficient kernel that needs the QL second pass (n = 450, m·d = 1024)', { skip }, () => {
  const { H, n } = rankDeficientKernel();
  checkAll(H, n, 'rank-deficient kernel');
});

test('native eigen-routines: bad shapes and indices are errors, not reads past the arrays', { skip }, () => {
  const A = new Float64Array(9);
  assert.throws(() => tridiagonalize(A, 4), RangeError);
  assert.throws(() => tridiagonalize(Float64Array.of(1, Number.NaN, Number.NaN, 1), 2), /not finite/);
  const t = tridiagonalize(Float64Array.of(2, 1, 1, 2), 2);
  assert.throws(() => bisectEigenvalue(t, 2, 2), RangeError);
  assert.throws(() => bisectEigenvalues(t, 2, [0, -1]), RangeError);
  assert.throws(() => applyQ(t, new Float64Array(3), 2), RangeError);
  assert.throws(() => tridiagonalQL(new Float64Array(1), new Float64Array(1), 2, null), RangeError);
});

/** λ_min, λ_max of A by the TypeScript specification (tridiagonalizeReference, bisectEigenvalueReference). */
function referenceExtremes(A: Float64Array, n: number): [number, number] {
  const t = tridiagonalizeReference(A, n);
  return [bisectEigenvalueReference(t, n, 0), bisectEigenvalueReference(t, n, n - 1)];
}

test('native extremesPair: λ_min, λ_max of A and of B − C, the bits of the TypeScript on every thread count; a non-finite entry is status 1', { skip }, () => {
  const native = nativeRoutines()!;
  const rng = new Rng(12, 'test');
  for (const n of [1, 2, 3, 8, 33, 64, 100]) {
    for (let kind = 0; kind < 7; kind++) {
      const A = symmetric(n, rng, kind);
      const B = symmetric(n, rng, (kind + 3) % 7);
      const C = symmetric(n, rng, (kind + 5) % 7);
      const D = B.map((v, k) => v - C[k]);
      const want = [...referenceExtremes(A, n), ...referenceExtremes(D, n)];
      for (const threads of [1, 2, 3]) {
        const out = new Float64Array(4);
        assert.equal(native.extremesPair(n, A, B, C, threads, out), 0);
        sameBits(out, want, `n=${n} kind=${kind} threads=${threads}`);
      }
    }
  }
  const out = Float64Array.of(7, 7, 7, 7);
  const finite = Float64Array.of(1, 0, 0, 1);
  assert.equal(native.extremesPair(2, Float64Array.of(1, Number.NaN, Number.NaN, 1), finite, finite, 2, out), 1, 'A not finite');
  assert.equal(native.extremesPair(2, finite, Float64Array.of(1e308, 0, 0, 1), Float64Array.of(-1e308, 0, 0, 1), 2, out), 1, 'B, C finite, B − C overflows');
  sameBits(out, [7, 7, 7, 7], 'out untouched on status 1');
  assert.throws(() => native.extremesPair(4, new Float64Array(9), new Float64Array(16), new Float64Array(16), 2, out), RangeError);
});
