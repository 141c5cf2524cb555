import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOGISTIC_SLOPE_MAX, logisticThreshold, type RatePoint } from '../../src/experiments/logistic.js';
import { Rng } from '../../src/random/xoshiro.js';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Design of the coverage tests: p(m) = σ(b0 ln(m/m0)), widths 2^{j/2} from 8 to 1448 (m0/12.5 … m0·14.5). */
const M0 = 100;
const B0 = 2;
const WIDTHS = Array.from({ length: 16 }, (_, i) => 2 ** ((i + 6) / 2));

function simulate(rng: Rng, trials: number): RatePoint[] {
  return WIDTHS.map((m) => {
    const p = sigmoid(B0 * Math.log(m / M0));
    let successes = 0;
    for (let i = 0; i < trials; i++) if (rng.nextDouble() < p) successes++;
    return { m, successes, trials };
  });
}

function coverage(q: number, replicates: number, seed: number): { covered: number; notEstimated: number; truth: number } {
  const truth = M0 * Math.exp(Math.log(q / (1 - q)) / B0); // σ(b0 ln(m/m0)) = q
  const rng = new Rng(seed, `logistic-coverage-${q}`);
  let covered = 0;
  let notEstimated = 0;
  for (let r = 0; r < replicates; r++) {
    const est = logisticThreshold(simulate(rng, 10), q);
    if (est.status !== 'estimated') notEstimated++;
    const [lo, hi] = est.ci ?? [null, null];
    // an open side counts as covering only if the estimate exists; censored replicates never cover
    if (est.ci !== null && (lo ?? 0) <= truth && truth <= (hi ?? Infinity)) covered++;
  }
  return { covered, notEstimated, truth };
}

test('the profile-likelihood interval of m_½ covers the true threshold about 95% of the time', () => {
  const n = 400;
  const { covered, notEstimated } = coverage(0.5, n, 2024);
  // measured 0.943 over 4000 replicates (another seed); the band allows ~±3 binomial standard errors at n = 400
  assert.ok(covered / n >= 0.91 && covered / n <= 0.985, `coverage ${covered}/${n}`);
  assert.ok(notEstimated / n < 0.05, `${notEstimated}/${n} censored or open`);
});

test('the interval of m_0.9 = m0 · e^{logit(0.9)/b0} covers about 95% of the time too', () => {
  const n = 400;
  const { covered, notEstimated, truth } = coverage(0.9, n, 2025);
  assert.ok(Math.abs(truth - 300) < 1e-9);
  // measured 0.944 over 4000 replicates (another seed)
  assert.ok(covered / n >= 0.91 && covered / n <= 0.985, `coverage ${covered}/${n}`);
  assert.ok(notEstimated / n < 0.05, `${notEstimated}/${n} censored or open`);
});

test('with 1000 trials per width the estimate is within 5% of m0 and the slope near b0', () => {
  const rng = new Rng(7, 'logistic-accuracy');
  for (let r = 0; r < 5; r++) {
    const est = logisticThreshold(simulate(rng, 1000), 0.5);
    assert.equal(est.status, 'estimated');
    assert.ok(Math.abs(est.m! / M0 - 1) < 0.05, `m = ${est.m}`);
    assert.ok(est.ci![0]! < est.m! && est.m! < est.ci![1]!);
    assert.ok(est.ci![1]! / est.ci![0]! < 1.2, `interval ${est.ci}`);
    assert.ok(Math.abs(est.slope! - B0) < 0.3, `slope ${est.slope}`);
    assert.equal(est.note, '');
  }
});

test('a curve that never reaches q is censored above; one already at q at the smallest width is censored below', () => {
  const low = [4, 8, 16, 32].map((m, i) => ({ m, successes: [0, 1, 3, 4][i], trials: 10 }));
  const above = logisticThreshold(low, 0.5);
  assert.equal(above.status, 'censored-above');
  assert.equal(above.m, null);
  assert.equal(above.ci, null);
  assert.equal(above.slope, null);
  assert.match(above.note, /largest width 32/);
  const high = [4, 8, 16].map((m, i) => ({ m, successes: [9, 10, 10][i], trials: 10 }));
  const below = logisticThreshold(high, 0.5);
  assert.equal(below.status, 'censored-below');
  assert.equal(below.m, null);
  assert.equal(below.ci, null);
  assert.equal(below.note, 'rate 0.9 ≥ 0.5 already at the smallest width 4: the threshold lies below the probed range');
  // q = 0.95 is not reached by 9/10 at the top, though ½ is
  assert.equal(logisticThreshold([{ m: 4, successes: 2, trials: 10 }, { m: 8, successes: 9, trials: 10 }], 0.95).status, 'censored-above');
  // a rate exactly q at the smallest width counts as reached there
  assert.equal(logisticThreshold([{ m: 4, successes: 5, trials: 10 }, { m: 8, successes: 9, trials: 10 }], 0.5).status, 'censored-below');
});

test('perfectly separated data give a finite estimate inside the gap and an interval spanning most of it', () => {
  const pts = [8, 16, 32, 64, 128].map((m, i) => ({ m, successes: i < 3 ? 0 : 10, trials: 10 }));
  const est = logisticThreshold(pts, 0.5);
  assert.equal(est.status, 'estimated');
  assert.equal(est.slope, LOGISTIC_SLOPE_MAX);
  assert.ok(est.m! > 32 && est.m! < 64, `m = ${est.m}`);
  const [lo, hi] = est.ci!;
  // p(32) = ½ would make 0 of 10 a 1-in-1024 event (2Δℓ = 20 ln 2 > χ²₁): the interval stops just inside the gap,
  // where 10 ln(1 + e^{−bMax·d}) = χ²₁/2, d ≈ 0.031 in ln m
  assert.ok(lo! > 32 && lo! < 32 * 1.05 && hi! < 64 && hi! > 64 / 1.05, `interval ${lo}–${hi}`);
  assert.ok(Math.log(hi! / lo!) > 0.85 * Math.LN2);
  assert.match(est.note, /cap/);
  // at q = 0.9, 10 of 10 at p = 0.9 is unremarkable (0.9¹⁰ ≈ 0.35): the interval reaches past the first all-success width
  const high = logisticThreshold(pts, 0.9);
  assert.equal(high.status, 'estimated');
  assert.ok(high.m! > 32 && high.m! < 64);
  assert.ok(high.ci![0]! > 32 && high.ci![1]! > 64 && high.ci![1]! < 128, `interval ${high.ci}`);
});

test('points are merged by width, unsorted input is accepted, and empty points are ignored', () => {
  const rng = new Rng(3, 'logistic-merge');
  const pts = simulate(rng, 20);
  const ref = logisticThreshold(pts, 0.5);
  // the same counts split in two halves per width, shuffled, with some zero-trial points
  const split: RatePoint[] = [];
  for (const p of pts) {
    const k1 = Math.floor(p.successes / 2);
    split.push({ m: p.m, successes: k1, trials: 10 }, { m: p.m, successes: p.successes - k1, trials: 10 }, { m: p.m * 3, successes: 0, trials: 0 });
  }
  split.reverse();
  const merged = logisticThreshold(split, 0.5);
  assert.equal(merged.status, ref.status);
  assert.ok(Math.abs(merged.m! / ref.m! - 1) < 1e-9);
  assert.ok(Math.abs(merged.ci![0]! / ref.ci![0]! - 1) < 1e-9 && Math.abs(merged.ci![1]! / ref.ci![1]! - 1) < 1e-9);
});

test('an interval that does not close inside the probed widths is reported open on that side', () => {
  const pts = [4, 8].map((m, i) => ({ m, successes: [1, 6][i], trials: 10 }));
  const est = logisticThreshold(pts, 0.5);
  assert.equal(est.status, 'open-interval');
  assert.ok(est.m! > 4 && est.m! <= 8);
  assert.ok(est.ci![0]! > 4 && est.ci![0]! < est.m!);
  assert.equal(est.ci![1], null);
  assert.match(est.note, /above/);
});

test('too few widths are insufficient and bad input is refused', () => {
  assert.equal(logisticThreshold([], 0.5).status, 'insufficient');
  const one = logisticThreshold([{ m: 8, successes: 3, trials: 10 }, { m: 8, successes: 7, trials: 10 }, { m: 16, successes: 0, trials: 0 }], 0.5);
  assert.equal(one.status, 'insufficient');
  assert.equal(one.m, null);
  assert.equal(one.ci, null);
  assert.throws(() => logisticThreshold([{ m: 8, successes: 11, trials: 10 }], 0.5), RangeError);
  assert.throws(() => logisticThreshold([{ m: 0, successes: 1, trials: 10 }], 0.5), RangeError);
  assert.throws(() => logisticThreshold([{ m: 8, successes: 1.5, trials: 10 }], 0.5), RangeError);
  assert.throws(() => logisticThreshold([{ m: 8, successes: 1, trials: 10 }], 1), RangeError);
  assert.throws(() => logisticThreshold([{ m: 8, successes: 1, trials: 10 }], 0.5, 1), RangeError);
});
