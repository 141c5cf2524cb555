/**
 * A data set: n inputs x_i ∈ R^d (rows of X, row-major) with labels y_i ∈ R (docs/theory.md §1).
 */
import { DataError } from '../errors.js';

export interface Dataset {
  readonly n: number;
  readonly d: number;
  /** n×d row-major. */
  readonly X: Float64Array;
  /** n labels. */
  readonly y: Float64Array;
  /** Where it came from, e.g. "sphere(n=64,d=8,labels=normal,seed=0)" or a file path. */
  readonly source: string;
  /** Names of the d input columns, when the source had them (CSV header). */
  readonly featureNames?: readonly string[];
  /** What a reader decided that the user should hear about (e.g. which column became the label). */
  readonly notes?: readonly string[];
}

/**
 * Checks shapes and that every value is finite; throws a DataError naming the first problem.
 * @param where how to name the source in messages (a path or "data")
 */
export function validateDataset(ds: Dataset, where = ds.source): Dataset {
  const { n, d, X, y } = ds;
  if (n < 1) throw new DataError(`${where}: no rows`);
  if (d < 1) throw new DataError(`${where}: no input columns`);
  if (X.length !== n * d) throw new DataError(`${where}: X has ${X.length} values, expected n·d = ${n}·${d}`);
  if (y.length !== n) throw new DataError(`${where}: ${y.length} labels for ${n} rows`);
  for (let k = 0; k < X.length; k++) {
    if (!Number.isFinite(X[k])) {
      const i = Math.floor(k / d);
      throw new DataError(`${where}: row ${i + 1}, column ${(k % d) + 1} is ${X[k]} (inputs must be finite)`);
    }
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) throw new DataError(`${where}: label of row ${i + 1} is ${y[i]} (labels must be finite)`);
  }
  return ds;
}

/**
 * ‖x_i‖₂, scaled by the row's largest entry before squaring (as hypot does), so that rows like
 * (1e200, 0) or (1e-200, 0) neither overflow nor underflow.
 */
export function rowNorm(X: Float64Array, i: number, d: number): number {
  let sq = 0;
  for (let j = 0; j < d; j++) sq += X[i * d + j] ** 2;
  // the plain sum where it can neither overflow nor lose digits to underflow (the same bits as before)
  if (sq > 1e-280 && sq < 1e280) return Math.sqrt(sq);
  let big = 0;
  for (let j = 0; j < d; j++) big = Math.max(big, Math.abs(X[i * d + j]));
  if (!(big > 0) || !Number.isFinite(big)) return big;
  let s = 0;
  for (let j = 0; j < d; j++) s += (X[i * d + j] / big) ** 2;
  return big * Math.sqrt(s);
}

/** Largest row norm max_i ‖x_i‖₂. */
export function maxRowNorm(X: Float64Array, n: number, d: number): number {
  let best = 0;
  for (let i = 0; i < n; i++) best = Math.max(best, rowNorm(X, i, d));
  return best;
}
