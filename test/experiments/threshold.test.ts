import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitPowerLaw, studentTQuantile } from '../../src/experiments/stats.js';
import { gridWidth, searchThreshold } from '../../src/experiments/threshold.js';
import { Rng } from '../../src/random/xoshiro.js';

test('threshold search finds the known threshold of a monotone success function with logarithmically many probes', async () => {
  const g = 4;
  const m0 = 64;
  for (const jStar of [-9, -3, 0, 1, 5, 17, 31, 40]) {
    const truth = gridWidth(m0, g, jStar);
    let calls = 0;
    const res = await searchThreshold(
      (m) => {
        calls++;
        return m >= truth ? 1 : 0.4;
      },
      { m0, gridPerDoubling: g, mMax: 2 ** 22, mMin: 2 },
    );
    assert.equal(res.mStar, truth, `j* = ${jStar}`);
    assert.equal(calls, res.probes.length);
    // doubling phase ⌈|j*|/g⌉ + 1 probes, bisection ≤ log2(g) + 1
    const bound = Math.ceil(Math.abs(jStar) / g) + 1 + Math.log2(g) + 1;
    assert.ok(calls <= bound, `j* = ${jStar}: ${calls} probes > ${bound}`);
    if (res.mBelow !== null) assert.ok(res.mBelow < truth && res.probes.some((p) => p.m === res.mBelow && !p.success));
  }
  // probes grow like log(range): a threshold 2^20 times the start costs ~20/… probes, not 2^20/…
  const far = await searchThreshold((m) => (m >= 2 ** 26 ? 1 : 0), { m0: 64, gridPerDoubling: 1, mMax: 2 ** 30 });
  assert.equal(far.mStar, 2 ** 26);
  assert.ok(far.probes.length <= 21);
});

test('threshold search reports no threshold below mMax, and uses the success target 1 − δ', async () => {
  const none = await searchThreshold(() => 0.5, { m0: 64, mMax: 4096 });
  assert.equal(none.mStar, null);
  assert.ok(none.probes.every((p) => !p.success));
  const half = await searchThreshold((m) => (m >= 1000 ? 0.8 : 0.5), { m0: 64, target: 0.8, gridPerDoubling: 8 });
  assert.ok(half.mStar! >= 1000 && half.mStar! < 1000 * 2 ** (1 / 8) + 2);
});

test('Student t quantiles match printed tables', () => {
  // two-sided 95% critical values (e.g. Abramowitz & Stegun table 26.10)
  const table: [number, number][] = [
    [1, 12.706],
    [2, 4.303],
    [5, 2.571],
    [10, 2.228],
    [30, 2.042],
    [120, 1.98],
  ];
  for (const [nu, t] of table) assert.ok(Math.abs(studentTQuantile(0.975, nu) - t) < 1e-3, `ν = ${nu}: ${studentTQuantile(0.975, nu)}`);
  assert.ok(Math.abs(studentTQuantile(0.5, 7)) < 1e-9);
});

test('the power-law fit recovers a known exponent from noisy data, and its 95% interval covers it at about the nominal rate', () => {
  const rng = new Rng(11, 'fit');
  const ns = [8, 16, 32, 64, 128, 256];
  let covered = 0;
  const trials = 400;
  let sum = 0;
  for (let t = 0; t < trials; t++) {
    const b = 2.3;
    const ms = ns.map((n) => 5 * n ** b * Math.exp(0.15 * rng.normal()));
    const fit = fitPowerLaw(ns, ms);
    sum += fit.exponent;
    if (fit.ci![0] <= b && b <= fit.ci![1]) covered++;
  }
  assert.ok(Math.abs(sum / trials - 2.3) < 0.01, `mean exponent ${sum / trials}`);
  // binomial(400, 0.95): sd ≈ 0.011; accept 0.92–0.98
  assert.ok(covered / trials > 0.92 && covered / trials < 0.98, `coverage ${covered / trials}`);
  const exact = fitPowerLaw([2, 4, 8], [12, 48, 192]);
  assert.ok(Math.abs(exact.exponent - 2) < 1e-12 && Math.abs(exact.constant - 3) < 1e-12);
});
