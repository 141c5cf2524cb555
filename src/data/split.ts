/**
 * Held-out points (docs/theory.md §6): a seeded split of one data set into training and test
 * points, and the checks that a separate test set fits the training set.
 */
import { DataError, OptionError } from '../errors.js';
import { Rng } from '../random/xoshiro.js';
import type { Dataset } from './dataset.js';

/** A random permutation of 0 … n−1 (Fisher–Yates on the stream "split"): the same seed, the same order. */
export function seededPermutation(n: number, seed: number, stream = 'split'): Uint32Array {
  const rng = new Rng(seed, stream);
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.nextDouble() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** The rows `rows` of a data set, in that order. */
export function selectRows(ds: Dataset, rows: ArrayLike<number>, source: string): Dataset {
  const { d } = ds;
  const n = rows.length;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    X.set(ds.X.subarray(rows[k] * d, rows[k] * d + d), k * d);
    y[k] = ds.y[rows[k]];
  }
  return { n, d, X, y, source, ...(ds.featureNames ? { featureNames: ds.featureNames } : {}) };
}

/**
 * Splits `ds` into round(fraction · n) test points and the rest for training, by a seeded
 * permutation; each side keeps the data's row order. Both sides must be non-empty.
 */
export function splitDataset(ds: Dataset, fraction: number, seed: number): { train: Dataset; test: Dataset } {
  if (!(fraction > 0 && fraction < 1)) throw new OptionError(`the test fraction must lie in (0, 1), got ${fraction}`, { field: 'testFraction' });
  const nTest = Math.round(fraction * ds.n);
  if (nTest < 1 || nTest > ds.n - 1) {
    throw new DataError(`${ds.source}: a test fraction of ${fraction} of n = ${ds.n} rows leaves ${nTest < 1 ? 'no test points' : 'no training points'}; use a fraction between ${(1 / ds.n).toPrecision(2)} and ${(1 - 1 / ds.n).toPrecision(2)}`, {
      field: 'testFraction',
    });
  }
  const perm = seededPermutation(ds.n, seed);
  const isTest = new Uint8Array(ds.n);
  for (let k = 0; k < nTest; k++) isTest[perm[k]] = 1;
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let i = 0; i < ds.n; i++) (isTest[i] ? testRows : trainRows).push(i);
  const tag = `split ${fraction}, seed ${seed}`;
  return {
    train: selectRows(ds, trainRows, `${ds.source} [train: ${trainRows.length} rows, ${tag}]`),
    test: selectRows(ds, testRows, `${ds.source} [test: ${testRows.length} rows, ${tag}]`),
  };
}

/**
 * A test set must have the training set's input dimension (and at least one row); when both name
 * their columns (CSV headers), the test columns are matched to the training columns by name and
 * put in the training order. Returns the test set as the network must see it.
 */
export function checkTestData(train: Dataset, test: Dataset): Dataset {
  if (test.n < 1) throw new DataError(`${test.source}: the test set has no rows`, { field: 'testData' });
  if (test.d !== train.d) {
    throw new DataError(`${test.source}: the test points have d = ${test.d} inputs, the training points ${train.d} (${train.source}); both must have the same columns`, { field: 'testData' });
  }
  const a = train.featureNames;
  const b = test.featureNames;
  if (!a || !b || a.every((name, j) => b[j] === name)) return test;
  const missing = a.filter((name) => !b.includes(name));
  if (missing.length > 0 || new Set(b).size !== b.length) {
    const extra = b.filter((name) => !a.includes(name));
    throw new DataError(`${test.source}: its input columns (${b.join(', ')}) are not those of the training data (${a.join(', ')})${missing.length ? `: missing ${missing.join(', ')}` : ''}${extra.length ? `; not in the training data: ${extra.join(', ')}` : ''}`, { field: 'testData' });
  }
  // the same columns in another order: reorder them to the training order
  const { n, d } = test;
  const from = a.map((name) => b.indexOf(name));
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = test.X[i * d + from[j]];
  return { ...test, X, featureNames: a, notes: [...(test.notes ?? []), `${test.source}: columns matched to the training data's by name (${a.join(', ')})`] };
}
