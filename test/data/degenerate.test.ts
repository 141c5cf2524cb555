import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDegeneracies, findDegeneracies, residualFloor } from '../../src/data/degenerate.js';
import { Rng } from '../../src/random/xoshiro.js';

test('findDegeneracies finds every planted duplicate (and antipode, when asked) among many distinct rows, and nothing else', () => {
  const n = 3000;
  const d = 6;
  const rng = new Rng(8, 'degenerate');
  const X = rng.fillNormal(new Float64Array(n * d));
  const y = rng.fillNormal(new Float64Array(n));
  const copy = (from: number, to: number, sign: number, jitter: number): void => {
    for (let j = 0; j < d; j++) X[to * d + j] = sign * X[from * d + j] * (1 + jitter * (j % 2 ? 1 : -1));
  };
  copy(10, 2000, 1, 0); // exact duplicate
  copy(11, 2500, 1, 1e-12); // within the tolerance
  copy(12, 2999, -1, 0); // antipode
  copy(13, 1500, 1, 1e-6); // distinct at the default tolerance
  const plain = findDegeneracies(X, n, d, y);
  assert.deepEqual(plain.map((g) => g.rows).sort(), [[11, 2001], [12, 2501]]);
  assert.ok(plain.every((g) => g.kind === 'duplicate'));
  assert.ok(Math.abs(plain.find((g) => g.rows[0] === 11)!.floor - Math.abs(y[10] - y[2000]) / Math.SQRT2) < 1e-15);
  const odd = findDegeneracies(X, n, d, y, { parity: 'odd' });
  const anti = odd.find((g) => g.kind === 'antipodal')!;
  assert.deepEqual(anti.rows, [13, 3000]);
  assert.ok(Math.abs(anti.floor - Math.abs(y[12] + y[2999]) / Math.SQRT2) < 1e-15, 'odd: F(−x) = −F(x), so the labels must be opposite');
  const even = findDegeneracies(X, n, d, y, { parity: 'even' }).find((g) => g.kind === 'antipodal')!;
  assert.ok(Math.abs(even.floor - Math.abs(y[12] - y[2999]) / Math.SQRT2) < 1e-15, 'even: F(−x) = F(x)');
  assert.equal(findDegeneracies(X, n, d, y, { tol: 1e-5 }).length, 3, 'a looser tolerance takes the 1e-6 pair too');
});

/** min over f of Σ_k (s_k f − y_k)², by golden-section search (a convex function of one variable). */
function clusterMinimum(s: readonly number[], y: readonly number[]): number {
  const g = (f: number): number => s.reduce((acc, sk, k) => acc + (sk * f - y[k]) ** 2, 0);
  let lo = -100;
  let hi = 100;
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 200; it++) {
    const a = hi - phi * (hi - lo);
    const b = lo + phi * (hi - lo);
    if (g(a) < g(b)) hi = b;
    else lo = a;
  }
  return g((lo + hi) / 2);
}

test('residualFloor joins pairs that share rows into clusters, with signs under an odd network', () => {
  // rows 1, 2, 3 coincide (labels 0, 0, 1), rows 4 and 5 are x and −x under sinh (labels 2, −1), row 6 is free
  const d = 2;
  const X = Float64Array.from([1, 0, 1, 0, 1, 0, 0, 1, 0, -1, 0.6, 0.8]);
  const y = Float64Array.from([0, 0, 1, 2, -1, 5]);
  const found = findDegeneracies(X, 6, d, y, { parity: 'odd' });
  assert.deepEqual(found.map((g) => [...g.rows, g.sign]).sort(), [[1, 2, 1], [1, 3, 1], [2, 3, 1], [4, 5, -1]]);
  const expected = Math.sqrt(clusterMinimum([1, 1, 1], [0, 0, 1]) + clusterMinimum([1, -1], [2, -1]));
  assert.ok(Math.abs(residualFloor(found) - expected) < 1e-9, `${residualFloor(found)} vs ${expected}`);
  // the old pairwise sum overstated it: √(½ + ½ + 0 + ½) > √(2/3 + ½)
  assert.ok(residualFloor(found) < Math.hypot(...found.map((g) => g.floor)));
  // consistent labels leave no floor, even along a chain x, −x, x under an odd network
  const chain = Float64Array.from([1, 0, -1, 0, 1, 0]);
  assert.equal(residualFloor(findDegeneracies(chain, 3, d, Float64Array.from([3, -3, 3]), { parity: 'odd' })), 0);
  assert.doesNotMatch(describeDegeneracies(findDegeneracies(chain, 3, d, Float64Array.from([3, -3, 3]), { parity: 'odd' }), 'chain', 0.01)!, /cannot be reached|≥/);
});
