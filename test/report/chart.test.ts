import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OptionError } from '../../src/errors.js';
import {
  certificateTable,
  dropNotesOf,
  formatNumber,
  kernelDistanceVsWidth,
  lineChart,
  lossCurves,
  renderSvg,
  sanitizeSeries,
  seriesNames,
  summarizeOverSeeds,
  thin,
  thresholdVsN,
  type SanitizeReport,
} from '../../src/report/index.js';
import { CERTIFICATE, CONVENTIONS, kernelPoints, lossRuns, thresholds } from './fixtures.js';

const emptyReport = (): SanitizeReport => ({ nonFinite: new Map(), nonPositive: new Map(), bars: new Map(), rules: [] });
type Row = { series: string; x?: number; y?: number; lo?: number; hi?: number; ry?: number };
const rowsOf = (spec: Record<string, unknown>) => (spec.data as { values: Row[] }).values;
const subtitleOf = (spec: Record<string, unknown>) => ((spec.title as { subtitle?: string[] }).subtitle ?? []).join(' ');

describe('log-axis sanitising', () => {
  it('drops non-positive values on a log axis and non-finite ones everywhere, counting each', () => {
    const s = { name: 'a', x: [0, 1, 2, 3, 4, 5], y: [1, 0, -2, Number.NaN, Infinity, 3] };
    const r = emptyReport();
    const kept = sanitizeSeries(s, false, true, r);
    assert.deepEqual(kept, [{ x: 0, y: 1 }, { x: 5, y: 3 }]);
    assert.equal(r.nonPositive.get('a'), 2);
    assert.equal(r.nonFinite.get('a'), 2);
  });

  it('keeps zeros and negatives on linear axes, and drops x ≤ 0 only on a log x axis', () => {
    const s = { name: 'b', x: [0, 1, 2], y: [-1, 0, 1] };
    assert.equal(sanitizeSeries(s, false, false, emptyReport()).length, 3);
    const r = emptyReport();
    assert.deepEqual(sanitizeSeries(s, true, false, r), [{ x: 1, y: 0 }, { x: 2, y: 1 }]);
    assert.equal(r.nonPositive.get('b'), 1);
  });

  it('drops an error bar, not its point, when an end cannot be shown', () => {
    const r = emptyReport();
    const kept = sanitizeSeries({ name: 'c', x: [1, 2], y: [1, 2], yLow: [0, 1], yHigh: [2, 3] }, true, true, r);
    assert.deepEqual(kept, [{ x: 1, y: 1 }, { x: 2, y: 2, lo: 1, hi: 3 }]);
    assert.equal(r.bars.get('c'), 1);
  });

  it('lineChart leaves dropped values out of the data and says so in the subtitle', () => {
    const spec = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      logY: true,
      series: [{ name: 'good', x: [0, 1, 2], y: [1, 0.5, 0.25] }, { name: 'bad', x: [0, 1, 2], y: [0, -1, Number.NaN] }],
      rules: [{ name: 'zero rule', y: 0 }, { name: 'half', y: 0.5 }],
      conventions: CONVENTIONS,
    });
    const rows = rowsOf(spec);
    assert.ok(rows.every((r) => r.y === undefined || r.y > 0));
    assert.equal(rows.filter((r) => r.series === 'bad').length, 0);
    assert.equal(rows.filter((r) => r.series === 'zero rule').length, 0);
    const sub = subtitleOf(spec);
    assert.match(sub, /Not drawn: 2 value\(s\) ≤ 0 on a log axis \(bad: 2\)/);
    assert.match(sub, /1 non-finite value\(s\) \(bad: 1\)/);
    assert.match(sub, /Reference lines not drawn .*zero rule/);
    assert.match(sub, /Conventions: activation exp · scaling ntk/);
    assert.equal(dropNotesOf(spec).length, 3);
    // Every name stays in the legend, in order.
    assert.deepEqual(seriesNames(spec), ['good', 'bad', 'zero rule', 'half']);
  });

  it('says nothing about dropping when nothing was dropped', () => {
    const spec = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 'a', x: [0, 1], y: [1, 2] }] });
    assert.doesNotMatch(subtitleOf(spec), /Not drawn/);
    assert.deepEqual(dropNotesOf(spec), []);
  });

  it('renders a chart whose every value is undrawable, without throwing', async () => {
    const spec = lineChart({ title: 'empty', xLabel: 'x', yLabel: 'y', logX: true, logY: true, series: [{ name: 'nothing', x: [0, 1], y: [Number.NaN, 0] }], conventions: 'c' });
    const warnings: string[] = [];
    const svg = await renderSvg(spec, { onWarning: (w) => warnings.push(w) });
    assert.match(svg, /^<svg/);
    assert.match(svg, /nothing/);
    assert.match(svg, /Not drawn/);
  });
});

describe('chart input checks', () => {
  it('rejects mismatched lengths, duplicate names and ill-formed rules', () => {
    const base = { title: 't', xLabel: 'x', yLabel: 'y' };
    assert.throws(() => lineChart({ ...base, series: [{ name: 'a', x: [1, 2], y: [1] }] }), OptionError);
    assert.throws(() => lineChart({ ...base, series: [{ name: 'a', x: [1], y: [1] }, { name: 'a', x: [1], y: [1] }] }), /used twice/);
    assert.throws(() => lineChart({ ...base, series: [], rules: [{ name: 'r' }] }), /exactly one of x and y/);
    assert.throws(() => lineChart({ ...base, series: [], rules: [{ name: 'r', x: 1, y: 1 }] }), /exactly one of x and y/);
  });

  it('thins long curves, keeping the first and last points', () => {
    const pts = Array.from({ length: 100_000 }, (_, i) => ({ x: i, y: 1 / (i + 1) }));
    const t = thin(pts, 1000, false);
    assert.ok(t.length <= 1000 && t.length > 900, String(t.length));
    assert.deepEqual(t[0], pts[0]);
    assert.deepEqual(t[t.length - 1], pts[pts.length - 1]);
    for (let i = 1; i < t.length; i++) assert.ok(t[i].x > t[i - 1].x);
    const spec = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: pts.map((p) => p.x), y: pts.map((p) => p.y) }], maxPoints: 500 });
    assert.ok(rowsOf(spec).length <= 500);
    assert.match(subtitleOf(spec), /thinned to ≤ 500 points/);
  });

  it('formats numbers to 4 significant digits', () => {
    assert.equal(formatNumber(0.22712345), '0.2271');
    assert.equal(formatNumber(1234567), '1.23e6');
    assert.equal(formatNumber(-2e-7), '−2e-7');
    assert.equal(formatNumber(Number.NaN), 'NaN');
    assert.equal(formatNumber(-Infinity), '−∞');
  });
});

describe('figures', () => {
  it('lossCurves draws actual, linearised and the envelope (1 − ηλ/2)^{k/2}‖r(0)‖ per run', () => {
    const runs = lossRuns();
    const spec = lossCurves(runs, { conventions: CONVENTIONS });
    const names = seriesNames(spec);
    assert.equal(names.length, 6);
    assert.ok(names.includes('m = 1024: actual ‖r(k)‖'));
    assert.ok(names.includes('m = 8192: envelope (1 − ηλ/2)^(k/2) ‖r(0)‖'));
    const env = rowsOf(spec).filter((r) => r.series === 'm = 1024: envelope (1 − ηλ/2)^(k/2) ‖r(0)‖');
    const r0 = runs[0].residual[0];
    const q = 1 - (runs[0].eta * runs[0].lambda) / 2;
    for (const row of env) assert.ok(Math.abs(row.y! / (r0 * q ** (row.x! / 2)) - 1) < 1e-12);
    assert.equal((spec.layer as { encoding?: { y?: { scale?: { type?: string } } } }[])[0].encoding?.y?.scale?.type, 'log');
  });

  it('lossCurves says when the envelope is undefined instead of drawing nonsense', () => {
    const spec = lossCurves([{ label: 'big step', steps: [0, 1, 2], residual: [1, 0.5, 0.2], eta: 10, lambda: 1 }], { conventions: 'c' });
    assert.match(subtitleOf(spec), /Envelope of big step undefined: 1 − ηλ\/2 = −4/);
  });

  it('kernelDistanceVsWidth averages over seeds, draws min–max bars and an m^(−1/2) guide through the first point', () => {
    const pts = kernelPoints();
    const summary = summarizeOverSeeds(pts);
    const exp1000 = pts.filter((p) => p.series === 'exp' && p.m === 1000).map((p) => p.value);
    const s = summary.find((r) => r.series === 'exp' && r.m === 1000)!;
    assert.equal(s.count, 5);
    assert.ok(Math.abs(s.mean - exp1000.reduce((a, b) => a + b) / 5) < 1e-12);
    assert.equal(s.min, Math.min(...exp1000));
    assert.equal(s.max, Math.max(...exp1000));
    const spec = kernelDistanceVsWidth(pts, { conventions: CONVENTIONS });
    const names = seriesNames(spec);
    assert.deepEqual(names, ['‖H(W(0)) − H^lim‖₂, exp', '‖H(W(0)) − H^lim‖₂, relu', 'm^(−1/2) guide (exp)', 'm^(−1/2) guide (relu)']);
    const guide = rowsOf(spec).filter((r) => r.series === 'm^(−1/2) guide (exp)');
    assert.equal(guide[0].y, s.mean);
    const slope = Math.log(guide[1].y! / guide[0].y!) / Math.log(guide[1].x! / guide[0].x!);
    assert.ok(Math.abs(slope + 0.5) < 1e-12);
    assert.ok(rowsOf(spec).some((r) => r.lo === s.min && r.hi === s.max));
  });

  it('thresholdVsN puts the exponent and CI in the title and legend, and the orders n², n⁴, n⁶ through the first point', () => {
    const { points, fit } = thresholds();
    const spec = thresholdVsN(points, fit, { conventions: CONVENTIONS });
    assert.match((spec.title as { text: string }).text, /fitted exponent 2\.2 \(95% CI 1\.9–2\.5\)/);
    const names = seriesNames(spec);
    assert.ok(names.some((n) => /^fit \(exp\): m\* ≈ 3·n\^2\.2, exponent 95% CI \[1\.9, 2\.5\]$/.test(n)), names.join(' | '));
    for (const p of ['n²', 'n⁴', 'n⁶']) assert.ok(names.includes(`order ${p} (through the first point)`), p);
    const n2 = rowsOf(spec).filter((r) => r.series === 'order n² (through the first point)');
    assert.equal(n2[0].x, 8);
    assert.equal(n2[0].y, points[0].mStar);
    assert.ok(Math.abs(n2[n2.length - 1].y! / points[0].mStar - 64) < 1e-9);
    // A run without a fit still draws, with the default title.
    assert.doesNotMatch((thresholdVsN(points, null, { conventions: 'c' }).title as { text: string }).text, /exponent/);
  });
});

describe('certificateTable', () => {
  it('marks each condition ✓ or ✗, computing held when not given, and – where nothing could be compared', () => {
    const t = certificateTable([
      ...CERTIFICATE,
      { condition: 'contraction', measured: Number.NaN, threshold: 1, comparison: '≤', ref: '§4 D' },
      { condition: 'drift', measured: 0.5, threshold: Number.NaN, comparison: '≤', ref: '§4 A' },
    ]);
    assert.equal(t.columns.length, 6);
    const held = t.rows.map((r) => (r[4] as { text: string }).text);
    assert.deepEqual(held, ['✓ held', '✗ not held', '✗ not held', '– not measured', '– no threshold']);
    assert.equal(t.rows[0][1], 0.19);
    assert.equal(t.rows[3][1], null, 'a NaN measurement is an empty cell, not "NaN"');
    assert.equal(t.rows[4][3], null);
  });
});

describe('describeConventions', () => {
  it("states the conventions of real trainer output, leaving out what varies across a figure's runs", async () => {
    const { describeConventions } = await import('../../src/report/index.js');
    const { train } = await import('../../src/train/train.js');
    const { generateSynthetic } = await import('../../src/data/synthetic.js');
    const { ReferenceBackend } = await import('../../src/backend/reference.js');
    const data = generateSynthetic({ inputs: 'sphere', n: 4, d: 3, labels: 'normal', seed: 1 });
    const ntk = train(data, { model: { m: 64, seed: 2 }, eta: 0.05, maxSteps: 2, backend: new ReferenceBackend() }).conventions;
    assert.equal(
      describeConventions(ntk),
      `activation exp · scaling ntk (κ = 1/√m = 0.125) · init gaussian, m = 64, seed 2 · normalisation unit (each row x ↦ x/‖x‖₂) · precision float64 (reference backend, 1 thread) · η = 0.05 (fixed) · stop at ‖F(W,X) − y‖₂ ≤ ε (unsquared), ε = 0.01`,
    );
    assert.equal(describeConventions(ntk, ['width', 'seed', 'eta', 'epsilon', 'backend']), 'activation exp · scaling ntk (κ = 1/√m) · init gaussian · normalisation unit (each row x ↦ x/‖x‖₂) · precision float64');
    const none = train(data, { model: { m: 64, seed: 2, scaling: 'none', activation: 'relu' }, normalize: 'max', eta: 0.001, maxSteps: 1, backend: new ReferenceBackend() }).conventions;
    assert.match(describeConventions(none), /^activation relu · scaling none \(κ = 1\) · init gaussian, m = 64, seed 2 · normalisation max \(all rows x ↦ x\/1\) · precision float64/);
    // The trainer's object itself is accepted as a figure's conventions.
    const spec = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [], conventions: ntk });
    assert.match(subtitleOf(spec), /Conventions: activation exp · scaling ntk · kappa 0\.125/);
  });
});


describe('figures that read well (issue: colours, ε, tick labels, conventions once)', () => {
  it('gives up to twenty series twenty distinct colours', async () => {
    const { movementVsWidth } = await import('../../src/report/index.js');
    const points = Array.from({ length: 16 }, (_, s) => [100, 400].map((m) => ({ series: `series ${s}`, m, value: (s + 1) / m }))).flat();
    const spec = movementVsWidth(points, { conventions: CONVENTIONS });
    const layer = (spec.layer as { encoding?: { color?: { scale?: { range?: string[] } } } }[]).find((l) => l.encoding?.color?.scale?.range);
    const colors = layer!.encoding!.color!.scale!.range!.slice(0, 16);
    assert.equal(new Set(colors).size, 16, `colours: ${colors.join(' ')}`);
  });

  it('draws the target ε on the loss curves', () => {
    const spec = lossCurves(lossRuns().map((r) => ({ ...r, epsilon: 1e-3 })), { conventions: CONVENTIONS });
    assert.ok(seriesNames(spec).includes('ε = 0.001'), seriesNames(spec).join(', '));
    assert.ok(rowsOf(spec).some((r) => r.series === 'ε = 0.001' && r.ry === 1e-3));
  });

  it('labels the ticks of a log axis in one style: 1e-7 beside 1e-6, never 0.000001', async () => {
    const spec = lineChart({ title: 't', xLabel: 'k', yLabel: 'r', logY: true, series: [{ name: 'r', x: [0, 1, 2, 3], y: [1, 1e-3, 1e-6, 1e-8] }] });
    const svg = await renderSvg(spec);
    // the labels drawn (vega keeps the ones it hides for overlap in the SVG, at opacity 0)
    const shown = [...svg.matchAll(/<text[^>]*opacity="1"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    const yTicks = shown.filter((t) => /e-\d|^0\.0/.test(t) || t === '1' || t === '0.001');
    assert.deepEqual(yTicks.filter((t) => /e-/.test(t)), ['1e-8', '1e-7', '1e-6', '1e-5', '1e-4'], `labels: ${shown.join(' ')}`);
    assert.ok(!shown.some((t) => /^0\.0000/.test(t)), `labels: ${shown.join(' ')}`);
  });

  it('labels the n of the m*(n) figure at every power of two of the data range, and the widths on y likewise', async () => {
    // the bug: on the log axes only 10, 100, 1000 (8 … 1024) or 4 … 10 (4, 8, 16) were labelled, none of the n run past 10
    const axisLabels = (svg: string, axis: 'X' | 'Y') => {
      const start = svg.indexOf(`aria-label="${axis}-axis`);
      const group = svg.slice(start, svg.indexOf('role-axis-domain', start));
      return [...group.matchAll(/<text[^>]*opacity="1"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    };
    const fit = { exponent: 1.5, prefactor: 3, ci: [1.2, 1.8] as const, level: 0.95 };
    const wide = [8, 16, 32, 64, 128, 256, 1024].map((n) => ({ n, mStar: 3 * n ** 1.5, lo: 2 * n ** 1.5, hi: 3 * n ** 1.5 }));
    const svg = await renderSvg(thresholdVsN(wide, fit, { conventions: CONVENTIONS }));
    assert.deepEqual(axisLabels(svg, 'X'), ['8', '16', '32', '64', '128', '256', '512', '1,024']);
    // y: consecutive powers of two from the smallest bar (2·8^1.5 ≈ 45) to the top of the frame, none skipped
    const y = axisLabels(svg, 'Y').map((s) => Number(s.replace(/,/g, '')));
    assert.ok(y.length >= 8, `y labels: ${y.join(' ')}`);
    assert.equal(y[0], 64);
    y.forEach((v, i) => assert.equal(v, 64 * 2 ** i, `y labels: ${y.join(' ')}`));
    assert.ok(y.at(-1)! >= 3 * 1024 ** 1.5, 'the largest m* is within the labelled range');
    const narrow = [4, 8, 16].map((n) => ({ n, mStar: 4 * n * n }));
    assert.deepEqual(axisLabels(await renderSvg(thresholdVsN(narrow, null, { conventions: CONVENTIONS })), 'X'), ['4', '8', '16']);
  });

  it('keeps the decade labels of a log axis beyond 2^20 or below 1, and thins crowded powers of two', async () => {
    const { binaryLogTicks } = await import('../../src/report/chart.js');
    const gap = (s: string) => 6.5 * s.length + 12;
    assert.equal(binaryLogTicks([1e-3, 1], 300, gap), null);
    assert.equal(binaryLogTicks([1, 1e7], 300, gap), null);
    assert.equal(binaryLogTicks([5, 7], 300, gap), null, 'fewer than three powers of two: vega’s ticks');
    assert.deepEqual(binaryLogTicks([8, 1024], 480, gap), { values: [8, 16, 32, 64, 128, 256, 512, 1024], every: 1 });
    const crowded = binaryLogTicks([1, 2 ** 20], 240, gap)!;
    assert.equal(crowded.values.length, 21);
    assert.ok(crowded.every >= 2);
  });

  it('draws bounds on m*(n) as open triangles, not fitted and not the anchor of the orders', () => {
    const points = [{ n: 4, mStar: 256, bound: 'upper' as const }, { n: 8, mStar: 128, lo: 64, hi: 128 }, { n: 16, mStar: 512, lo: 256, hi: 512 }, { n: 32, mStar: 4096, bound: 'lower' as const }];
    const spec = thresholdVsN(points, { exponent: 2, prefactor: 2, ci: [Number.NaN, Number.NaN] }, { conventions: CONVENTIONS });
    const names = seriesNames(spec);
    assert.ok(names.includes('m*(n) ≤ this (the smallest width run already converged)'), names.join(' | '));
    assert.ok(names.includes('m*(n) > this (no width run converged)'), names.join(' | '));
    assert.deepEqual(rowsOf(spec).filter((r) => r.series === 'measured m*(n)').map((r) => r.x), [8, 16]);
    const n2 = rowsOf(spec).filter((r) => r.series === 'order n² (through the first point)');
    assert.deepEqual([n2[0].x, n2[0].y], [8, 128]);
    const fitRows = rowsOf(spec).filter((r) => r.series.startsWith('fit'));
    assert.deepEqual([fitRows[0].x, fitRows.at(-1)!.x], [8, 16]);
    const marks = (spec.layer as { mark: { type: string; shape?: string; filled?: boolean } }[]).map((l) => l.mark).filter((m) => m.type === 'point');
    assert.deepEqual(marks.map((m) => [m.shape, m.filled]), [['circle', true], ['triangle-down', false], ['triangle-up', false]]);
    assert.match(subtitleOf(spec), /Open triangles are bounds, not thresholds, and are not fitted/);
  });
});
