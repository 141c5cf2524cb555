/** Reading results for reports: m*(n) from the runs themselves, and small monitored result lines. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { thresholdsFromResults } from '../../src/experiments/analysis.js';
import { HISTORY_POINTS, runOne, thinNtkReport, type RunResult } from '../../src/experiments/run.js';
import type { RunSpec } from '../../src/experiments/spec.js';
import { ntkOf, resultsPage } from '../../src/report/results-page.js';

const spec = (n: number, m: number, seed: number, monitorEvery = 0, maxSteps = 2000): RunSpec => ({
  data: { kind: 'synthetic', inputs: 'sphere', n, d: 3, labels: 'normal', seed: 0 },
  model: { activation: 'exp', scaling: 'ntk', init: 'gaussian', m, seed },
  normalize: 'unit',
  eta: 'auto',
  epsilon: 0.01,
  maxSteps,
  precision: 'f64',
  monitorEvery,
});

const fake = (n: number, m: number, seed: number, ok: boolean): RunResult => ({
  kind: 'overparam-run',
  id: `${n}-${m}-${seed}`,
  spec: spec(n, m, seed),
  status: ok ? 'converged' : 'max-steps',
  message: '',
  steps: 10,
  initialResidual: 1,
  residual: ok ? 0.001 : 0.5,
  movement: 0.1,
  eta: 0.1,
  lambdaMax: 10,
  conventions: null,
  history: { k: [0, 10], residual: [1, 0.5], movement: [0, 0.1] },
  timeMs: 1,
});

test('m*(n) is the smallest width whose success rate over seeds is ≥ 1 − δ; the fit is over the n with an m*', () => {
  const rs: RunResult[] = [];
  // n = 4: m = 8 fails for one seed of two, 16 succeeds; n = 8: 16 fails, 64 succeeds; n = 16: nothing succeeds
  for (const seed of [0, 1]) {
    rs.push(fake(4, 8, seed, seed === 0), fake(4, 16, seed, true));
    rs.push(fake(8, 16, seed, false), fake(8, 32, seed, seed === 1), fake(8, 64, seed, true));
    rs.push(fake(16, 64, seed, false));
  }
  rs.push({ ...fake(16, 128, 0, true), status: 'error' }); // errors say nothing about convergence
  const [c] = thresholdsFromResults(rs, 0);
  assert.deepEqual(c.points.map((p) => [p.n, p.mStar, p.mBelow]), [[4, 16, 8], [8, 64, 32], [16, null, 64]]);
  assert.ok(c.fit && Math.abs(c.fit.exponent - 2) < 1e-12);
  assert.equal(c.fit.ci, null); // two points
  // δ = 0.5 accepts one seed of two
  const [h] = thresholdsFromResults(rs, 0.5);
  assert.deepEqual(h.points.map((p) => p.mStar), [8, 32, null]);
  // the page: a threshold figure for exp (fit through two points, no CI), and tables
  const page = resultsPage(rs, [c]);
  const names = page.page.sections.flatMap((s) => s.figures.map((f) => f.name));
  assert.ok(names.includes('threshold-exp-gaussian'));
  assert.ok(names.includes('movement-width'));
  assert.ok(page.skipped.some((s) => s.name === 'loss'));
});

test('runOne passes monitorEvery to train and thins the monitor report to the history steps', () => {
  const r = runOne(spec(6, 64, 0, 5, 3000));
  assert.notEqual(r.status, 'error', r.message);
  const mon = ntkOf(r);
  assert.ok(mon, 'no kernel monitor report');
  const k = r.history!.k;
  assert.equal(mon.envelope.length, k.length);
  assert.equal(mon.linearised!.length, k.length);
  assert.equal(mon.perStep.lambda_min.length, k.length);
  assert.ok(mon.observations.length > 1);
  assert.ok(mon.certificate.length > 0);
  // a long report is cut to HISTORY_POINTS entries at the given steps, the certificate kept
  const steps = 5000;
  const long = { ...mon, linearised: Array.from({ length: steps + 1 }, (_, i) => i), envelope: Array.from({ length: steps + 1 }, (_, i) => -i), perStep: { linearised: new Array(steps + 1).fill(1), envelope: new Array(steps + 1).fill(2), lambda_min: new Array(steps + 1).fill(null), kernel_drift: new Array(steps + 1).fill(null), lambda_max: Array.from({ length: steps + 1 }, (_, i) => i / 2), relative_drift: new Array(steps + 1).fill(null), movement_median: new Array(steps + 1).fill(3), movement_frobenius: new Array(steps + 1).fill(null) }, observations: Array.from({ length: 3000 }, (_, i) => ({ ...mon.observations[0], k: i })) };
  const ks = [0, 7, 4999, 5000];
  const thin = thinNtkReport(long, ks);
  assert.deepEqual(thin.linearised, ks);
  assert.deepEqual(thin.envelope, ks.map((i) => -i));
  assert.equal(thin.perStep.lambda_min.length, 4);
  // every per-step series is cut to the same steps (the ones added for docs/theory.md §6 too)
  assert.deepEqual(thin.perStep.lambda_max, ks.map((i) => i / 2));
  assert.deepEqual(Object.keys(thin.perStep).sort(), Object.keys(long.perStep).sort());
  for (const xs of Object.values(thin.perStep)) assert.equal(xs.length, 4);
  assert.equal(thin.observations.length, HISTORY_POINTS);
  assert.equal(thin.observations.at(-1)!.k, 2999);
  assert.deepEqual(thin.certificate, mon.certificate);
});
