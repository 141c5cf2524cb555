import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findDegeneracies } from '../../src/data/degenerate.js';
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
