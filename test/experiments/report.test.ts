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
  assert.deepEqual(c.points.map((p) => [p.n, p.mStar, p.mBelow, p.censored]), [[4, 16, 8, null], [8, 64, 32, null], [16, null, 64, 'above']]);
  assert.ok(c.fit && Math.abs(c.fit.exponent - 2) < 1e-12);
  assert.equal(c.fit.ci, null); // two points
  assert.equal(c.fit.points, 2);
  assert.deepEqual(c.censored, { below: 0, above: 1 });
  // δ = 0.5 accepts one seed of two: at n = 4 the smallest width run (8) now succeeds, so m* ≤ 8 is a bound, and one bracketed n is no fit
  const [h] = thresholdsFromResults(rs, 0.5);
  assert.deepEqual(h.points.map((p) => p.mStar), [8, 32, null]);
  assert.deepEqual(h.points.map((p) => p.censored), ['below', null, 'above']);
  assert.equal(h.fit, null);
  assert.deepEqual(h.censored, { below: 1, above: 1 });
  // the page: a threshold figure for exp (fit through two points, no CI), and tables
  const page = resultsPage(rs, [c]);
  const names = page.page.sections.flatMap((s) => s.figures.map((f) => f.name));
  assert.ok(names.includes('threshold-exp-gaussian'));
  assert.ok(names.includes('movement-width'));
  assert.ok(page.skipped.some((s) => s.name === 'loss'));
});

/** The threshold table's m*(n) column of a page, as text. */
const mStarColumn = (page: ReturnType<typeof resultsPage>) => {
  const table = page.page.sections.flatMap((s) => s.tables ?? []).find((tb) => /m\*\(n\) read off the runs/.test(tb.caption))!;
  return table.rows.map((r) => (typeof r[1] === 'object' && r[1] !== null ? r[1].text : String(r[1])));
};

test('a plain sweep whose smallest width already converged everywhere has no m*: every point is censored below and nothing is fitted', () => {
  // the bug: m*(n) = 256 at every n, "fitted exponent 0.00" — the smallest width run, presented as a threshold
  const rs: RunResult[] = [];
  for (const n of [8, 16, 32]) for (const m of [256, 1024, 4096]) for (const seed of [0, 1]) rs.push(fake(n, m, seed, true));
  const [c] = thresholdsFromResults(rs, 0);
  assert.deepEqual(c.points.map((p) => p.censored), ['below', 'below', 'below']);
  assert.deepEqual(c.points.map((p) => [p.mStar, p.mBelow]), [[256, null], [256, null], [256, null]], 'm* ≤ 256: a bound, not a value');
  assert.equal(c.points.filter((p) => p.mStar !== null && p.censored === null).length, 0, 'no m* values');
  assert.equal(c.fit, null);
  assert.deepEqual(c.censored, { below: 3, above: 0 });
  // the report draws no figure and says why; its table shows bounds, not values
  const page = resultsPage(rs, [c]);
  assert.ok(!page.page.sections.flatMap((s) => s.figures.map((f) => f.name)).includes('threshold-exp-gaussian'));
  const why = page.skipped.find((s) => s.name === 'threshold-exp-gaussian');
  assert.ok(why, 'the threshold figure is reported as skipped');
  assert.match(why.reason, /bracketed .* at 0 value\(s\) of n/);
  assert.match(why.reason, /at n = 8, 16, 32 the smallest width run \(256\) already converged, so m\*\(n\) ≤ that width is an upper bound/);
  assert.deepEqual(mStarColumn(page), ['≤ 256 (smallest width run converged)', '≤ 256 (smallest width run converged)', '≤ 256 (smallest width run converged)']);
  assert.ok(!page.page.sections.flatMap((s) => s.tables ?? []).some((tb) => /power-law fit/.test(tb.caption)), 'no fit table');
  // none converged anywhere: censored above, m* > the largest width run
  const none = thresholdsFromResults(rs.map((r) => ({ ...r, status: 'max-steps' as const })), 0)[0];
  assert.deepEqual(none.points.map((p) => [p.mStar, p.mBelow, p.censored]), [[null, 4096, 'above'], [null, 4096, 'above'], [null, 4096, 'above']]);
  assert.equal(none.fit, null);
  assert.deepEqual(mStarColumn(resultsPage(rs, [none])).slice(0, 1), ['> 4096 (none converged)']);
});

test('a sweep with a transition at every n but one: m* and the fit over the bracketed n, the bound drawn apart and not fitted', () => {
  // m* = 2n² at n = 4, 8, 16 (the width below fails), and at n = 2 the smallest width run (16) already converged
  const rs: RunResult[] = [];
  for (const seed of [0, 1]) {
    for (const n of [4, 8, 16]) for (const m of [n * n, 2 * n * n, 4 * n * n]) rs.push(fake(n, m, seed, m >= 2 * n * n));
    rs.push(fake(2, 16, seed, true), fake(2, 64, seed, true));
  }
  const [c] = thresholdsFromResults(rs, 0);
  assert.deepEqual(c.points.map((p) => [p.n, p.mStar, p.mBelow, p.censored]), [[2, 16, null, 'below'], [4, 32, 16, null], [8, 128, 64, null], [16, 512, 256, null]]);
  assert.ok(c.fit);
  assert.ok(Math.abs(c.fit.exponent - 2) < 1e-12, `exponent ${c.fit.exponent}: the bound at n = 2 (16 > 2·2²) would pull it off 2`);
  assert.equal(c.fit.points, 3);
  assert.ok(c.fit.ci !== null);
  assert.deepEqual(c.censored, { below: 1, above: 0 });
  const page = resultsPage(rs, [c]);
  const fig = page.page.sections.flatMap((s) => s.figures).find((f) => f.name === 'threshold-exp-gaussian');
  assert.ok(fig, 'the threshold figure is drawn');
  const rows = (fig.spec.data as { values: { series: string; x?: number; y?: number }[] }).values;
  const measured = rows.filter((r) => r.series === 'measured m*(n)').map((r) => r.x);
  assert.deepEqual(measured, [4, 8, 16], 'the bound is not a measured point');
  const bound = rows.filter((r) => r.series.startsWith('m*(n) ≤ this'));
  assert.deepEqual(bound.map((r) => [r.x, r.y]), [[2, 16]]);
  const fitRows = rows.filter((r) => r.series.startsWith('fit'));
  assert.equal(fitRows[0].x, 4, 'the fit spans the bracketed n only');
  const n2 = rows.filter((r) => r.series === 'order n² (through the first point)');
  assert.deepEqual([n2[0].x, n2[0].y], [4, 32], 'the orders go through the first measured point, not the bound');
  assert.deepEqual(mStarColumn(page), ['≤ 16 (smallest width run converged)', '32', '128', '512']);
  const fitTable = page.page.sections.flatMap((s) => s.tables ?? []).find((tb) => /power-law fit/.test(tb.caption))!;
  assert.deepEqual([fitTable.columns[4], fitTable.rows[0][4], fitTable.columns[5], fitTable.rows[0][5]], ['points', 3, 'bounds left out', 1]);
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
