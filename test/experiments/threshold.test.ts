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

test('a threshold study whose first probe already succeeds and cannot probe lower reports m* ≤ m0, censored, and fits only bracketed n', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { thresholdStudy } = await import('../../src/experiments/study.js');
  const { DEFAULT_GRID } = await import('../../src/experiments/grid.js');
  const { curveLines } = await import('../../src/cli/threshold.js');
  const dir = mkdtempSync(join(tmpdir(), 'overparam-threshold-'));
  try {
    // tiny exp networks: n = 4 converges at m = 8 with both seeds, n = 8 with one seed of two
    const grid = { ...DEFAULT_GRID, data: [{ inputs: 'sphere' as const, d: 3, labels: 'normal' as const, seed: 0 }], n: [4, 8], seeds: [0, 1], maxSteps: 2000 };
    const pinned = await thresholdStudy(grid, { delta: 0, m0: 8, mMin: 8, mMax: 8, gridPerDoubling: 1, resultsPath: join(dir, 'pinned.jsonl'), workers: 1 });
    const [c] = pinned.curves;
    assert.deepEqual(c.points.map((p) => [p.n, p.mStar, p.mBelow, p.censored]), [[4, 8, null, 'below'], [8, null, 8, 'above']]);
    assert.equal(c.fit, null);
    assert.deepEqual(c.censored, { below: 1, above: 1 });
    const text = curveLines(c, 8).join('\n');
    assert.match(text, /n = +4 +m\* ≤ 8 \(censored: the smallest width probed already succeeded\)/);
    assert.doesNotMatch(text, /m\* = +8/);
    assert.match(text, /n = +8 +m\* > 8 \(censored: no width up to 8 succeeded\)/);
    assert.match(text, /fit: needs uncensored m\* at two or more n; left out: 1 censored below .*, 1 censored above/);
    // δ = 0.5: both n succeed at m0 = 8 and neither could probe lower; two bounds of 8 are no fit (they would "fit" b = 0)
    const both = await thresholdStudy(grid, { delta: 0.5, m0: 8, mMin: 8, mMax: 8, gridPerDoubling: 1, resultsPath: join(dir, 'pinned.jsonl'), workers: 1 });
    assert.equal(both.runs, 4, 'the same runs, read back from the file');
    assert.deepEqual(both.curves[0].points.map((p) => [p.mStar, p.censored]), [[8, 'below'], [8, 'below']]);
    assert.equal(both.curves[0].fit, null);
    assert.match(curveLines(both.curves[0], 8).join('\n'), /fit: needs uncensored m\* at two or more n; left out: 2 censored below/);
    // free to probe lower: failing widths bracket m* at both n, which are fitted (same runs, resumed from the file)
    const free = await thresholdStudy(grid, { delta: 0, m0: 8, mMin: 2, mMax: 64, gridPerDoubling: 1, resultsPath: join(dir, 'pinned.jsonl'), workers: 1 });
    const [f] = free.curves;
    assert.deepEqual(f.points.map((p) => p.censored), [null, null]);
    assert.ok(f.points.every((p) => p.mBelow !== null && p.mStar !== null && p.mBelow < p.mStar));
    assert.ok(f.fit !== null && f.fit.points === 2);
    assert.match(curveLines(f, 64).join('\n'), /fit: m\* ≈ .* over 2 uncensored n$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a threshold study searches every (activation, n) at once, sharing sweeps, with the points of each search run alone; a stop ends every search', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { thresholdStudy } = await import('../../src/experiments/study.js');
  const { DEFAULT_GRID, expandGrid } = await import('../../src/experiments/grid.js');
  const { runSweep } = await import('../../src/experiments/sweep.js');
  const dir = mkdtempSync(join(tmpdir(), 'overparam-threshold-'));
  try {
    const grid = {
      ...DEFAULT_GRID, data: [{ inputs: 'sphere' as const, d: 3, labels: 'normal' as const, seed: 0 }],
      activation: ['exp' as const, 'relu' as const], n: [4, 6, 8], seeds: [0, 1, 2], maxSteps: 1500,
    };
    const opts = { delta: 1 / 3, m0: 8, mMin: 2, mMax: 64, gridPerDoubling: 2 };
    let largestSweep = 0;
    const study = await thresholdStudy(grid, { ...opts, resultsPath: join(dir, 'together.jsonl'), workers: 2, onProgress: (p) => (largestSweep = Math.max(largestSweep, p.total)) });
    // the first sweep holds the first probe of all six searches
    assert.equal(largestSweep, 6 * 3);
    // each search alone, one sweep per probe on a file of its own, written out here
    let k = 0;
    for (const c of study.curves) {
      for (const p of c.points) {
        const path = join(dir, `alone-${k++}.jsonl`);
        const alone = await searchThreshold(
          async (m) => {
            const specs = expandGrid({ ...grid, n: [p.n], width: [m], activation: [c.activation], init: [c.init] });
            const out = await runSweep(specs, path, { workers: 1 });
            return out.results.filter((r) => r?.status === 'converged').length / specs.length;
          },
          { ...opts, target: 1 - opts.delta },
        );
        assert.deepEqual([p.mStar, p.mBelow, p.probes], [alone.mStar, alone.mBelow, alone.probes], `${c.activation} n = ${p.n}`);
      }
    }
    assert.ok(study.curves.some((c) => c.points.some((p) => p.probes.length >= 3)), 'searches of several probes');
    // stopped after the first results: every search ends undetermined, none hangs
    let seen = false;
    const stopped = await thresholdStudy({ ...grid, seeds: [3, 4] }, { ...opts, resultsPath: join(dir, 'stopped.jsonl'), workers: 2, shouldStop: () => seen, onProgress: (p) => (seen ||= p.last !== undefined) });
    for (const c of stopped.curves) for (const p of c.points) assert.match(p.undetermined ?? '', /interrupted at m = /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
