/**
 * The QL iteration's second pass (src/linalg/ql.ts): a rank-deficient kernel whose zero-to-rounding
 * eigenvalues the relative deflation test alone never separated (`train --n 450 --d 4 -m 256` once
 * ended in "internal error: tridiagonal QL did not converge"). Checked against a different route
 * (Sturm bisection on the same tridiagonal form) and by the residual of the decomposition.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eigh, eigvalsh, eigvalshByIndex } from '../../src/linalg/eigh.js';
import { rankDeficientKernel } from './helpers.js';

test('QL: the kernel H(W(0)) of m·d = 1024 < n = 450 (rank ≤ 1024, many eigenvalues zero to rounding) decomposes; eigenvalues agree with bisection, H V = V Λ', () => {
  const { H, n } = rankDeficientKernel();
  const values = eigvalsh(H, n);
  const { values: v2, vectors } = eigh(H, n);
  const top = values[n - 1];
  const picks = [0, 1, 10, 200, n - 2, n - 1];
  const sturm = eigvalshByIndex(H, n, picks);
  picks.forEach((k, j) => assert.ok(Math.abs(values[k] - sturm[j]) <= 1e-12 * top, `λ_${k}: QL ${values[k]} vs bisection ${sturm[j]}`));
  for (let k = 0; k < n; k++) assert.ok(Math.abs(values[k] - v2[k]) <= 1e-12 * top);
  // ‖H v_k − λ_k v_k‖ ≤ n ε ‖H‖ for a sample of k
  for (const k of [0, 5, 100, 300, n - 1]) {
    let r = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += H[i * n + t] * vectors[k * n + t];
      r = Math.max(r, Math.abs(s - v2[k] * vectors[k * n + i]));
    }
    assert.ok(r <= n * 2.2e-16 * top * 10, `residual of pair ${k}: ${r}`);
  }
});
