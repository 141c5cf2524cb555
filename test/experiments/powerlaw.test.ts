import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalQuantile } from '../../src/experiments/binomial.js';
import { fitPowerLaw, fitPowerLawWeighted } from '../../src/experiments/stats.js';
import { Rng } from '../../src/random/xoshiro.js';

const X = [1, 2, 4, 8, 16, 32];
const SIGMA = [0.05, 0.1, 0.2, 0.1, 0.3, 0.15]; // known standard errors of ln y

function replicate(rng: Rng, scale: number): number[] {
  return X.map((x, i) => 3 * x ** 1.5 * Math.exp(scale * SIGMA[i] * rng.normal()));
}

test('weighted power-law fit: the 95% interval covers the exponent and the estimate is unbiased', () => {
  const rng = new Rng(11, 'powerlaw-weighted');
  const n = 500;
  let covered = 0;
  let sum = 0;
  for (let r = 0; r < n; r++) {
    const fit = fitPowerLawWeighted(X, replicate(rng, 1), SIGMA);
    assert.equal(fit.weighted, true);
    assert.equal(fit.points, 6);
    sum += fit.exponent;
    if (fit.ci![0] <= 1.5 && 1.5 <= fit.ci![1]) covered++;
  }
  // max(1, σ̂²) with a t₄ quantile is conservative when the errors are as stated: 0.996 over 20000 replicates
  assert.ok(covered / n >= 0.93, `coverage ${covered}/${n}`);
  assert.ok(Math.abs(sum / n - 1.5) < 0.02, `mean ${sum / n}`);
});

test('errors three times the stated ones are caught by the dispersion, and coverage holds', () => {
  const rng = new Rng(12, 'powerlaw-overdispersed');
  const n = 500;
  let covered = 0;
  let dispersion = 0;
  for (let r = 0; r < n; r++) {
    const fit = fitPowerLawWeighted(X, replicate(rng, 3), SIGMA);
    dispersion += fit.dispersion;
    if (fit.ci![0] <= 1.5 && 1.5 <= fit.ci![1]) covered++;
  }
  assert.ok(Math.abs(dispersion / n - 9) < 1, `mean dispersion ${dispersion / n}`); // E σ̂² = 3²
  assert.ok(covered / n >= 0.93 && covered / n <= 0.98, `coverage ${covered}/${n}`); // 0.950 over 20000 replicates
});

test('an exact power law with tiny errors returns its exponent and constant', () => {
  const y = X.map((x) => 3 * x ** 1.5);
  const fit = fitPowerLawWeighted(X, y, [1e-6, 2e-6, 1e-6, 5e-7, 3e-6, 1e-6]);
  assert.ok(Math.abs(fit.exponent - 1.5) < 1e-9, `${fit.exponent}`);
  assert.ok(Math.abs(fit.constant - 3) < 1e-8);
  assert.ok(fit.r2 > 1 - 1e-12);
  assert.ok(fit.dispersion < 1e-6);
  // the floor max(1, σ̂²): as wide as the stated errors imply, not narrower
  assert.ok(fit.stderr > 1e-8 && fit.stderr < 1e-5);
});

test('equal weights reproduce ordinary least squares when the scatter exceeds the stated error', () => {
  const rng = new Rng(13, 'powerlaw-ols');
  const y = replicate(rng, 1);
  const ols = fitPowerLaw(X, y);
  const wls = fitPowerLawWeighted(X, y, X.map(() => 1e-3));
  assert.ok(wls.dispersion > 1);
  assert.ok(Math.abs(wls.exponent - ols.exponent) < 1e-12);
  assert.ok(Math.abs(wls.constant / ols.constant - 1) < 1e-12);
  assert.ok(Math.abs(wls.stderr / ols.stderr - 1) < 1e-10);
  assert.ok(Math.abs(wls.ci![0] - ols.ci![0]) < 1e-10 && Math.abs(wls.ci![1] - ols.ci![1]) < 1e-10);
  assert.ok(Math.abs(wls.r2 - ols.r2) < 1e-12);
});

test('two points: slope through them, stderr from the weights alone, normal-quantile interval', () => {
  const fit = fitPowerLawWeighted([2, 8], [5, 5 * 4 ** 0.75], [0.1, 0.2], 0.9);
  assert.ok(Math.abs(fit.exponent - 0.75) < 1e-12);
  const sxx = (1 / 0.01) * (1 / 0.04) / (1 / 0.01 + 1 / 0.04) * Math.log(4) ** 2; // w₁w₂/(w₁+w₂) · Δ²
  assert.ok(Math.abs(fit.stderr - Math.sqrt(1 / sxx)) < 1e-12);
  const z = normalQuantile(0.95);
  assert.ok(Math.abs(fit.ci![1] - fit.exponent - z * fit.stderr) < 1e-12);
  assert.ok(Number.isNaN(fit.dispersion));
});

test('points without a finite positive error or value are refused, not dropped', () => {
  assert.throws(() => fitPowerLawWeighted([1, 2, 4], [1, 2, 3], [0.1, 0, 0.1]), RangeError);
  assert.throws(() => fitPowerLawWeighted([1, 2, 4], [1, 2, 3], [0.1, Infinity, 0.1]), RangeError);
  assert.throws(() => fitPowerLawWeighted([1, 2, 4], [1, 2, 3], [0.1, NaN, 0.1]), RangeError);
  assert.throws(() => fitPowerLawWeighted([1, 2, 4], [1, -2, 3], [0.1, 0.1, 0.1]), RangeError);
  assert.throws(() => fitPowerLawWeighted([1, 2, 4], [1, 2, 3], [0.1, 0.1]), RangeError);
  assert.throws(() => fitPowerLawWeighted([1], [1], [0.1]), RangeError);
  assert.throws(() => fitPowerLawWeighted([2, 2], [1, 3], [0.1, 0.1]), RangeError);
});
