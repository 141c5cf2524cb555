/**
 * Held-out points (docs/theory.md §6): the seeded split (src/data/split.ts), label noise
 * (src/data/noise.ts) and the prefix property of the synthetic generator (src/data/synthetic.ts)
 * that makes generateSyntheticWithTest's test points come from the same distribution and teacher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../../src/data/dataset.js';
import { checkTestData, seededPermutation, splitDataset } from '../../src/data/split.js';
import { withLabelNoise } from '../../src/data/noise.js';
import { generateSynthetic, generateSyntheticWithTest, type SyntheticSpec } from '../../src/data/synthetic.js';
import { DataError, OptionError } from '../../src/errors.js';

/** The bytes of a Float64Array (bit-for-bit comparisons: −0, NaN payloads and all). */
const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const sameBits = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && bytes(a).equals(bytes(b));

/** n rows whose label is the row index and whose inputs encode it too (row i = (i, −i, i/7)). */
function indexed(n: number, d = 3): Dataset {
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = j === 0 ? i : j === 1 ? -i : i / 7;
  return { n, d, X, y: Float64Array.from({ length: n }, (_, i) => i), source: `indexed(${n})` };
}

// ---------------------------------------------------------------------------------------------
// seededPermutation

test('seededPermutation is a permutation, fixed by (seed, stream), different for other seeds and streams', () => {
  for (const n of [1, 2, 5, 100, 1000]) {
    const p = seededPermutation(n, 7);
    assert.equal(p.length, n);
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    assert.deepEqual(Array.from(seededPermutation(n, 7)), Array.from(p));
  }
  const base = Array.from(seededPermutation(100, 7));
  assert.notDeepEqual(Array.from(seededPermutation(100, 8)), base);
  assert.notDeepEqual(Array.from(seededPermutation(100, 7, 'other')), base);
  assert.deepEqual(Array.from(seededPermutation(100, 7, 'split')), base); // "split" is the default stream
  assert.deepEqual(Array.from(seededPermutation(0, 7)), []);
});

test('seededPermutation is uniform: all 24 orders of 4 items appear about equally often over 4800 seeds', () => {
  const counts = new Map<string, number>();
  const seeds = 4800;
  for (let s = 0; s < seeds; s++) {
    const key = Array.from(seededPermutation(4, s)).join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 24, `only ${counts.size} of 24 orders appear`);
  // each count is Binomial(4800, 1/24): mean 200, sd ≈ 14; 6 sd either side
  for (const [key, c] of counts) assert.ok(c > 200 - 84 && c < 200 + 84, `order ${key} appears ${c} times`);
  // and a chi-square with 23 degrees of freedom, far below its 0.9999 quantile (≈ 57)
  let chi2 = 0;
  for (const c of counts.values()) chi2 += (c - 200) ** 2 / 200;
  assert.ok(chi2 < 57, `χ² = ${chi2}`);
});

// ---------------------------------------------------------------------------------------------
// splitDataset

test('splitDataset: round(p·n) test rows, disjoint and covering, each side in row order with its own inputs', () => {
  for (const [n, p] of [
    [10, 0.2],
    [10, 0.25], // 2.5 rounds to 3 (Math.round: half up)
    [10, 0.5],
    [7, 0.3], // 2.1 → 2
    [7, 0.9], // 6.3 → 6: one training point left
    [100, 0.1],
    [101, 0.37],
    [2, 0.5],
    [3, 0.5], // 1.5 → 2
  ] as const) {
    const ds = indexed(n);
    const { train, test: held } = splitDataset(ds, p, 11);
    const nTest = Math.round(p * n);
    assert.equal(held.n, nTest, `n=${n} p=${p}`);
    assert.equal(train.n, n - nTest);
    assert.equal(held.y.length, held.n);
    assert.equal(train.X.length, train.n * ds.d);
    assert.equal(held.X.length, held.n * ds.d);
    assert.equal(train.d, ds.d);
    assert.equal(held.d, ds.d);
    const tr = Array.from(train.y);
    const te = Array.from(held.y);
    // disjoint and covering: together exactly the rows 0 … n−1
    assert.deepEqual([...tr, ...te].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    assert.equal(new Set([...tr, ...te]).size, n);
    // each side keeps the data's row order
    for (let k = 1; k < tr.length; k++) assert.ok(tr[k] > tr[k - 1]);
    for (let k = 1; k < te.length; k++) assert.ok(te[k] > te[k - 1]);
    // every row's inputs travel with its label
    for (const side of [train, held]) {
      for (let k = 0; k < side.n; k++) {
        const i = side.y[k];
        assert.deepEqual(Array.from(side.X.subarray(k * 3, k * 3 + 3)), [i, -i, i / 7]);
      }
    }
  }
});

test('splitDataset: the same seed gives the same bits, another seed another split', () => {
  const ds = generateSynthetic({ inputs: 'gaussian', n: 60, d: 4, labels: 'normal', seed: 3 });
  const a = splitDataset(ds, 0.3, 5);
  const b = splitDataset(ds, 0.3, 5);
  for (const side of ['train', 'test'] as const) {
    assert.ok(sameBits(a[side].X, b[side].X));
    assert.ok(sameBits(a[side].y, b[side].y));
    assert.equal(a[side].source, b[side].source);
  }
  const c = splitDataset(ds, 0.3, 6);
  assert.equal(c.test.n, a.test.n);
  assert.ok(!sameBits(c.test.y, a.test.y), 'seeds 5 and 6 chose the same test rows');
  // the input data set is left as it was
  assert.ok(sameBits(ds.X, generateSynthetic({ inputs: 'gaussian', n: 60, d: 4, labels: 'normal', seed: 3 }).X));
});

test('splitDataset: a fraction outside (0, 1) is an OptionError, a split leaving a side empty a DataError', () => {
  const ds = indexed(10);
  for (const p of [0, 1, -0.1, 1.5, NaN, Infinity, -Infinity]) {
    assert.throws(() => splitDataset(ds, p, 1), (e: unknown) => e instanceof OptionError && e.field === 'testFraction', `p = ${p}`);
  }
  // round(0.04 · 10) = 0 test points; round(0.96 · 10) = 10 leaves no training points
  for (const p of [0.04, 0.001, 0.96, 0.999]) {
    assert.throws(() => splitDataset(ds, p, 1), (e: unknown) => e instanceof DataError && !(e instanceof OptionError), `p = ${p}`);
  }
  // one row cannot be split at all
  for (const p of [0.1, 0.5, 0.9]) assert.throws(() => splitDataset(indexed(1), p, 1), DataError);
  // the edges that still work: 1 test point, 1 training point
  assert.equal(splitDataset(ds, 0.05, 1).test.n, 1); // round(0.5) = 1
  assert.equal(splitDataset(ds, 0.94, 1).train.n, 1); // round(9.4) = 9
});

test('splitDataset keeps the column names', () => {
  const ds: Dataset = { ...indexed(8), featureNames: ['a', 'b', 'c'] };
  const { train, test: held } = splitDataset(ds, 0.25, 2);
  assert.deepEqual(train.featureNames, ['a', 'b', 'c']);
  assert.deepEqual(held.featureNames, ['a', 'b', 'c']);
});

// ---------------------------------------------------------------------------------------------
// checkTestData

test('checkTestData: the same d passes; another d, or no rows, is a DataError', () => {
  const train = indexed(10, 3);
  assert.doesNotThrow(() => checkTestData(train, indexed(4, 3)));
  assert.throws(() => checkTestData(train, indexed(4, 2)), DataError);
  assert.throws(() => checkTestData(train, indexed(4, 5)), DataError);
  assert.throws(() => checkTestData(train, { n: 0, d: 3, X: new Float64Array(0), y: new Float64Array(0), source: 'empty' }), DataError);
});

// ---------------------------------------------------------------------------------------------
// withLabelNoise

test('withLabelNoise: round(p·n) labels replaced by labels of the data set, the rest and the inputs untouched', () => {
  const n = 1000;
  const ds = indexed(n); // labels 0 … n−1, all distinct: a replaced label differs unless it drew itself
  for (const p of [0.1, 0.3, 0.55, 0.999]) {
    const count = Math.round(p * n);
    const noisy = withLabelNoise(ds, p, 9);
    assert.equal(noisy.n, n);
    assert.ok(sameBits(noisy.X, ds.X), 'inputs changed');
    let changed = 0;
    for (let i = 0; i < n; i++) {
      assert.ok(Number.isInteger(noisy.y[i]) && noisy.y[i] >= 0 && noisy.y[i] < n, `row ${i}: ${noisy.y[i]} is not one of the labels`);
      if (noisy.y[i] !== ds.y[i]) changed++;
    }
    // a replaced row keeps its label only when the draw hits its own label (probability 1/n each):
    // fewer than 6 such coincidences among ≤ 1000 rows (expected ≤ 1)
    assert.ok(changed <= count, `p=${p}: ${changed} labels changed, more than round(p·n) = ${count}`);
    assert.ok(changed >= count - 6, `p=${p}: only ${changed} labels changed, round(p·n) = ${count}`);
    assert.ok(noisy.source.includes(`${count} of ${n}`), noisy.source);
  }
  assert.ok(sameBits(ds.y, Float64Array.from({ length: n }, (_, i) => i)), 'the input data set was modified');
});

test('withLabelNoise replaces exactly round(p·n) labels: over 40 seeds the most labels changed is that number', () => {
  // a replaced label survives only when its draw hits its own row (probability 1/n): some seeds have no
  // such coincidence, and there the number of changed labels is the number replaced
  const n = 1000;
  const ds = indexed(n);
  for (const p of [0.3337, 0.3332, 0.0125]) {
    const count = Math.round(p * n); // 334 (not floor), 333 (not ceil), 13 (12.5 rounds up)
    let most = 0;
    for (let seed = 0; seed < 40; seed++) {
      const noisy = withLabelNoise(ds, p, seed);
      let changed = 0;
      for (let i = 0; i < n; i++) if (noisy.y[i] !== ds.y[i]) changed++;
      most = Math.max(most, changed);
    }
    assert.equal(most, count, `p = ${p}`);
  }
});

test('withLabelNoise: p = 1 draws every label from the original multiset, p = 0 is the identity', () => {
  const ds = generateSynthetic({ inputs: 'sphere', n: 300, d: 5, labels: 'teacher', seed: 4 });
  const original = new Set(Array.from(ds.y));
  const noisy = withLabelNoise(ds, 1, 3);
  let changed = 0;
  for (let i = 0; i < ds.n; i++) {
    assert.ok(original.has(noisy.y[i]), `row ${i}: ${noisy.y[i]} is not an original label`);
    if (noisy.y[i] !== ds.y[i]) changed++;
  }
  assert.ok(changed >= ds.n - 6, `p = 1 changed only ${changed} of ${ds.n} labels`);
  assert.ok(sameBits(noisy.X, ds.X));

  const same = withLabelNoise(ds, 0, 3);
  assert.ok(sameBits(same.y, ds.y));
  assert.ok(sameBits(same.X, ds.X));
  assert.equal(same.n, ds.n);
});

test('withLabelNoise: seeded, and p outside [0, 1] is an OptionError', () => {
  const ds = indexed(200);
  const a = withLabelNoise(ds, 0.4, 1);
  assert.ok(sameBits(a.y, withLabelNoise(ds, 0.4, 1).y));
  assert.ok(!sameBits(a.y, withLabelNoise(ds, 0.4, 2).y));
  for (const p of [-0.01, 1.01, NaN, Infinity]) {
    assert.throws(() => withLabelNoise(ds, p, 1), (e: unknown) => e instanceof OptionError && e.field === 'labelNoise', `p = ${p}`);
  }
});

// ---------------------------------------------------------------------------------------------
// generateSynthetic's prefix property and generateSyntheticWithTest

const KINDS: SyntheticSpec[] = [];
for (const inputs of ['sphere', 'gaussian'] as const) for (const labels of ['normal', 'teacher'] as const) KINDS.push({ inputs, n: 200, d: 7, labels, seed: 12 });

test('generateSynthetic: the first n points are the same for n = 200 and n = 300 (inputs and labels, bit for bit)', () => {
  for (const spec of KINDS) {
    const small = generateSynthetic(spec);
    const large = generateSynthetic({ ...spec, n: 300 });
    const d = spec.d;
    assert.ok(sameBits(small.X, large.X.subarray(0, 200 * d)), `${spec.inputs}/${spec.labels}: inputs differ`);
    assert.ok(sameBits(small.y, large.y.subarray(0, 200)), `${spec.inputs}/${spec.labels}: labels differ`);
    // and the extra points are new points, not repeats
    assert.ok(!sameBits(large.X.subarray(200 * d, 300 * d), large.X.subarray(0, 100 * d)));
    // the seed still matters
    const other = generateSynthetic({ ...spec, seed: 13 });
    assert.ok(!sameBits(other.X, small.X) && !sameBits(other.y, small.y));
  }
});

test('generateSyntheticWithTest: train = generateSynthetic(spec) bit for bit, test = rows n … n+n*−1 of the larger set', () => {
  for (const spec of KINDS) {
    const nTest = 37;
    const { train, test: held } = generateSyntheticWithTest(spec, nTest);
    const direct = generateSynthetic(spec);
    const large = generateSynthetic({ ...spec, n: spec.n + nTest });
    const d = spec.d;
    assert.equal(train.n, spec.n);
    assert.equal(train.d, d);
    assert.ok(sameBits(train.X, direct.X), `${spec.inputs}/${spec.labels}: training inputs`);
    assert.ok(sameBits(train.y, direct.y), `${spec.inputs}/${spec.labels}: training labels`);
    assert.equal(held.n, nTest);
    assert.equal(held.d, d);
    assert.equal(held.X.length, nTest * d);
    assert.equal(held.y.length, nTest);
    assert.ok(sameBits(held.X, large.X.subarray(spec.n * d)), `${spec.inputs}/${spec.labels}: test inputs`);
    assert.ok(sameBits(held.y, large.y.subarray(spec.n)), `${spec.inputs}/${spec.labels}: test labels`);
    assert.doesNotThrow(() => checkTestData(train, held));
    assert.notEqual(held.source, train.source);
  }
});

test('generateSyntheticWithTest: the number of test points must be a positive integer', () => {
  const spec = KINDS[0];
  for (const nTest of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => generateSyntheticWithTest(spec, nTest), (e: unknown) => e instanceof OptionError && e.field === 'testN', `n* = ${nTest}`);
  }
  assert.equal(generateSyntheticWithTest(spec, 1).test.n, 1);
});
