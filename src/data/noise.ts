/**
 * Label noise (Arora et al. 2019's random labels, docs/theory.md §6): a seeded fraction of the
 * labels replaced by random ones, drawn uniformly from the data set's own labels, so that the
 * replaced labels keep the labels' distribution but lose every dependence on x.
 */
import { OptionError } from '../errors.js';
import { Rng } from '../random/xoshiro.js';
import type { Dataset } from './dataset.js';
import { seededPermutation } from './split.js';

/** The labels of `ds` with round(p · n) of them (chosen by a seeded permutation) replaced. */
export function withLabelNoise(ds: Dataset, p: number, seed: number): Dataset {
  if (!(p >= 0 && p <= 1)) throw new OptionError(`the label-noise fraction must lie in [0, 1], got ${p}`, { field: 'labelNoise' });
  if (p === 0) return ds;
  const count = Math.round(p * ds.n);
  const rows = seededPermutation(ds.n, seed, 'label-noise');
  const rng = new Rng(seed, 'label-noise-values');
  const y = Float64Array.from(ds.y);
  for (let k = 0; k < count; k++) y[rows[k]] = ds.y[Math.floor(rng.nextDouble() * ds.n)];
  return { ...ds, y, source: `${ds.source} [labels: ${count} of ${ds.n} random, seed ${seed}]` };
}
