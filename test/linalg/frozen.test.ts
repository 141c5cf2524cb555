/**
 * The dense routes split for the JIT (issue 15, item 5) give the bits of their former selves
 * (test/linalg/frozen-routes.ts): tridiagonal forms, eigenvalues and eigenvectors, λ_min/λ_max, and
 * the shared-reduction entry points (eighOfForm, lambdaMinMaxOfForm) those of eigh and lambdaMinMax.
 * With the addon built, the routes tested here are the native ports (src/backend/routines.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eigh, eighOfForm, lambdaMinMax, lambdaMinMaxOfForm } from '../../src/linalg/eigh.js';
import { tridiagonalize } from '../../src/linalg/tridiagonal.js';
import { movementStats, movementStatsReference } from '../../src/model/movement.js';
import { Rng } from '../../src/random/xoshiro.js';
import { oldEigh, oldLambdaMinMax, oldMovementStats, oldTridiagonalize } from './frozen-routes.js';

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) assert.fail(`${what}: entry ${k}: ${a[k]} vs ${b[k]}`);
}

function symmetric(n: number, rng: Rng, kind: number): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      // random, a kernel-like positive matrix, and one with exact zeros (reflections skipped)
      const v = kind === 0 ? rng.normal() : kind === 1 ? Math.exp(-Math.abs(i - j) / 7) * (1 + 0.01 * rng.normal()) : (i + j) % 3 === 0 ? 0 : rng.normal();
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  return A;
}

test('tridiagonalize, eigh and lambdaMinMax: the same bits as before the split (n = 1 … 140, across the 128-column chunk)', () => {
  const rng = new Rng(2, 'test');
  for (const n of [1, 2, 3, 5, 8, 17, 64, 100, 129, 140]) {
    for (let kind = 0; kind < 3; kind++) {
      const A = symmetric(n, rng, kind);
      const t = tridiagonalize(A, n);
      const o = oldTridiagonalize(A, n);
      sameBits(t.d, o.d, `n=${n} d`);
      sameBits(t.e, o.e, `n=${n} e`);
      sameBits(t.h, o.h, `n=${n} h`);
      sameBits(t.reflectors, o.reflectors, `n=${n} reflectors`);
      const e = eigh(A, n);
      const oe = oldEigh(A, n);
      sameBits(e.values, oe.values, `n=${n} values`);
      sameBits(e.vectors, oe.vectors, `n=${n} vectors`);
      const mm = lambdaMinMax(A, n);
      const om = oldLambdaMinMax(A, n);
      assert.ok(Object.is(mm.lambdaMin, om.lambdaMin) && Object.is(mm.lambdaMax, om.lambdaMax), `n=${n}`);
      // one reduction for both: the same bits as the two separate routes
      const shared = eighOfForm(t);
      sameBits(shared.values, e.values, `n=${n} eighOfForm`);
      sameBits(shared.vectors, e.vectors, `n=${n} eighOfForm vectors`);
      const sm = lambdaMinMaxOfForm(t);
      assert.ok(Object.is(sm.lambdaMin, mm.lambdaMin) && Object.is(sm.lambdaMax, mm.lambdaMax));
    }
  }
});

test('movementStats by selection (native where built, and the TypeScript reference): the bits of the sorted route (odd/even m, ties, zeros, NaN, ∞)', () => {
  const rng = new Rng(4, 'test');
  for (let trial = 0; trial < 600; trial++) {
    const m = 1 + (trial % 41) + (trial % 7 === 0 ? 3000 : 0);
    const d = 1 + (trial % 5);
    const W0 = rng.fillNormal(new Float64Array(m * d));
    const W = Float64Array.from(W0);
    const kind = trial % 6;
    for (let k = 0; k < W.length; k++) {
      if (kind === 0) W[k] += 0.01 * rng.normal();
      else if (kind === 1) W[k] += (k % 3) * 0.5; // many equal movements
      else if (kind === 2 && k % 5 === 0) W[k] += 1; // many unmoved neurons
      else if (kind === 3 && k % 97 === 0) W[k] = Number.NaN;
      else if (kind === 4 && k % 89 === 0) W[k] = Number.POSITIVE_INFINITY;
    }
    const a = movementStats(W, W0, m, d);
    const b = oldMovementStats(W, W0, m, d);
    const c = movementStatsReference(W, W0, m, d);
    for (const f of ['max', 'median', 'frobenius'] as const) {
      assert.ok(Object.is(a[f], b[f]), `trial ${trial} (m = ${m}, kind ${kind}) ${f}: ${a[f]} vs ${b[f]}`);
      assert.ok(Object.is(c[f], b[f]), `trial ${trial} (m = ${m}, kind ${kind}) ${f}, reference: ${c[f]} vs ${b[f]}`);
    }
  }
});
