import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { wilsonInterval, clopperPearsonInterval } from '../../src/experiments/binomial.js';
import type { ThresholdEstimate } from '../../src/experiments/logistic.js';
import { fitPowerLawWeighted } from '../../src/experiments/stats.js';
import { DEFAULT_STUDY, type CellAnalysis, type EventCurve, type ExponentFit, type StudyEvent, type WidthStudyAnalysis, type WidthStudyConfig } from '../../src/experiments/width-study.js';
import { heatCellExtents, heatCellsOf, heatMapChart, lineChart, seriesNames } from '../../src/report/chart.js';
import { writeReport, type WrittenReport } from '../../src/report/page.js';
import type { Cell, FigureEntry, Page, Table } from '../../src/report/types.js';
import { thresholdText, widthStudyPage } from '../../src/report/width-study-page.js';
import { svgTexts } from './fixtures.js';

const MODEL = { activation: 'exp', init: 'gaussian' } as const;
const CONFIG: WidthStudyConfig = { ...DEFAULT_STUDY, models: [MODEL], protocols: ['d=n'], n: [16, 32, 64], trainMaxN: 32, seeds: 5, mMin: 4, mMax: 64 };
const WIDTHS = [4, 8, 16, 32, 64];

const est = (q: number, m: number, lo: number | null, hi: number | null): ThresholdEstimate => ({
  q,
  level: 0.95,
  status: lo === null || hi === null ? 'open-interval' : 'estimated',
  m,
  ci: [lo, hi],
  slope: 3,
  note: '',
});
const censored = (q: number, side: 'below' | 'above'): ThresholdEstimate => ({ q, level: 0.95, status: `censored-${side}`, m: null, ci: null, slope: null, note: `censored ${side}` });

/** A curve with these successes out of 5 at the widths 4…64 (`undetermined` runs left out at the first width). */
function curve(event: StudyEvent, successes: number[], half: ThresholdEstimate, high: ThresholdEstimate, undetermined = 0): EventCurve {
  return {
    event,
    rates: WIDTHS.map((m, i) => {
      const trials = 5 - (i === 0 ? undetermined : 0);
      const k = successes[i];
      return { m, runs: 5, successes: k, trials, undetermined: 5 - trials, rate: k / trials, wilson: wilsonInterval(k, trials), clopperPearson: clopperPearsonInterval(k, trials) };
    }),
    half,
    high,
  };
}

function cell(n: number, kind: 'train' | 'initial', lambda: number, curves: EventCurve[]): CellAnalysis {
  return {
    cell: { model: MODEL, protocol: 'd=n', n, d: n, kind, events: curves.map((c) => c.event), mMaxRun: 64, lambda: kind === 'train' ? lambda : null, lambdaMaxLimit: null, monitorEvery: 1 },
    lambda,
    curves,
    relativeDrift: [],
    relativeDriftAtLazy: null,
    runs: 0,
    pending: [],
    errors: { count: 0 },
  };
}

// n = 16, 32: training cells (int, B); n = 64: an initial-kernel cell (B only).
const CELLS: CellAnalysis[] = [
  cell(16, 'train', 0.3, [curve('int', [0, 1, 3, 5, 5], est(0.5, 14, 10, 20), est(0.9, 28, 20, 45), 1), curve('B', [0, 0, 2, 4, 5], est(0.5, 22, 15, 32), est(0.9, 48, 33, 64))]),
  // int at n = 32 is still below ½ at the largest width: censored above, a bound
  cell(32, 'train', 0.2, [curve('int', [0, 0, 0, 1, 2], censored(0.5, 'above'), censored(0.9, 'above')), curve('B', [0, 0, 1, 3, 5], est(0.5, 40, 28, 55), est(0.9, 60, 45, null))]),
  cell(64, 'initial', 0.1, [curve('B', [0, 0, 0, 0, 1], censored(0.5, 'above'), censored(0.9, 'above'))]),
];

const bFit = fitPowerLawWeighted([16, 32], [22, 40], [0.15, 0.15]);
const bFitL = fitPowerLawWeighted([16 / 0.3, 32 / 0.2], [22, 40], [0.15, 0.15]);
const fitOf = (event: StudyEvent, q: number, against: 'n' | 'n/λ'): ExponentFit => {
  const c = CELLS.filter((a) => a.curves.some((cv) => cv.event === event));
  const ok = c.filter((a) => a.curves.find((cv) => cv.event === event)![q === 0.5 ? 'half' : 'high'].status === 'estimated');
  const refused = c.filter((a) => !ok.includes(a)).map((a) => ({ n: a.cell.n, why: a.curves.find((cv) => cv.event === event)![q === 0.5 ? 'half' : 'high'].status }));
  const fit = event === 'B' && q === 0.5 ? (against === 'n' ? bFit : bFitL) : null;
  return { model: MODEL, protocol: 'd=n', event, q, against, fit, used: ok.map((a) => a.cell.n), refused };
};
const FITS: ExponentFit[] = (['int', 'B'] as const).flatMap((e) => [0.5, 0.9].flatMap((q) => (['n', 'n/λ'] as const).map((x) => fitOf(e, q, x))));
const ANALYSIS: WidthStudyAnalysis & { rounds: number; complete: boolean } = { cells: CELLS, fits: FITS, runs: 65, rounds: 3, complete: true };

type Row = Record<string, unknown>;
const rowsOf = (f: FigureEntry) => (f.spec.data as { values: Row[] }).values;
const subtitleOf = (f: FigureEntry) => ((f.spec.title as { subtitle?: string[] }).subtitle ?? []).join(' ');
const cellText = (c: Cell): string => (c === null ? '—' : typeof c === 'object' ? c.text : String(c));

describe('widthStudyPage', () => {
  const page = widthStudyPage(CONFIG, ANALYSIS, { command: 'overparam study --n 16,32,64' });
  const figures = page.sections.flatMap((s) => s.figures);
  const figure = (name: string) => {
    const f = figures.find((x) => x.name === name);
    assert.ok(f, `no figure ${name}; have ${figures.map((x) => x.name).join(', ')}`);
    return f;
  };
  const tables: Table[] = page.sections.flatMap((s) => s.tables ?? []);

  it('has the rate, threshold and phase figures per event present, and λ(n)', () => {
    const base = 'ws-exp-gaussian-dn';
    assert.deepEqual(
      figures.map((f) => f.name),
      [...['int', 'B'].flatMap((e) => [`${base}-${e}-rates`, `${base}-${e}-thresholds`, `${base}-${e}-phase`]), 'ws-exp-gaussian-lambda'],
    );
    assert.deepEqual(page.sections.map((s) => s.heading), ['What is measured', 'exp, gaussian init', 'Fitted exponents']);
    assert.match(page.intro, /65 distinct run\(s\)/);
    assert.match(page.intro, /`overparam study --n 16,32,64`/);
    // the conventions paragraph names the event words, δ, c, the cap and the grid
    const text = page.sections[0].text ?? '';
    assert.match(text, /interpolation threshold under this protocol/);
    assert.match(text, /c = 4, capped at 100000/);
    assert.match(text, /g = 2 per doubling/);
    for (const key of ['scaling', 'normalisation', 'precision', 'ε', 'maxSteps', 'seeds', 'δ', 'grid']) assert.ok(key in (page.conventions as object), key);
  });

  it('draws each n as a rate curve with Wilson bars, and the estimated thresholds as horizontal intervals', () => {
    const f = figure('ws-exp-gaussian-dn-int-rates');
    const names = seriesNames(f.spec);
    assert.ok(names.includes('n = 16') && names.includes('n = 32'));
    assert.ok(names.includes('n = 16: m½, m_0.9 (95% profile CI)'));
    // the censored n = 32 has no threshold mark, and says so
    assert.ok(!names.some((s) => s.startsWith('n = 32:')));
    assert.match(subtitleOf(f), /n = 32: m½ > 64 \(censored above\)/);
    assert.match(subtitleOf(f), /1 run\(s\) budget-limited/);
    const marks = rowsOf(f).filter((r) => r.series === 'n = 16: m½, m_0.9 (95% profile CI)');
    assert.deepEqual(marks.map((r) => [r.x, r.y, r.xlo, r.xhi]), [[14, 0.5, 10, 20], [28, 0.9, 20, 45]]);
    const rate = rowsOf(f).filter((r) => r.series === 'n = 16');
    assert.deepEqual(rate.map((r) => r.x), WIDTHS);
    assert.equal(rate[0].y, 0); // 0 of the 4 determined runs
    assert.ok((rate[2].lo as number) < 0.6 && (rate[2].hi as number) > 0.6);
  });

  it('shows a censored threshold as a bound in the table and the figure, never in the fit', () => {
    const int = figure('ws-exp-gaussian-dn-int-thresholds');
    const names = seriesNames(int.spec);
    assert.ok(!names.some((s) => s.startsWith('fit ')), 'int has one estimated m½ only: no fit line');
    const bound = rowsOf(int).filter((r) => r.series === 'm½ > largest width probed (censored above, not fitted)');
    assert.deepEqual(bound.map((r) => [r.x, r.y, r.marker]), [[32, 64, 'triangle-up open']]);
    const measured = rowsOf(int).filter((r) => r.series === 'm½ (95% profile CI)');
    assert.deepEqual(measured.map((r) => r.x), [16]);
    assert.match(subtitleOf(int), /m½: .*not fitted: n = 32 \(censored-above\)/);

    const b = figure('ws-exp-gaussian-dn-B-thresholds');
    const fitName = seriesNames(b.spec).find((s) => s.startsWith('fit m½'));
    assert.ok(fitName, seriesNames(b.spec).join(' | '));
    assert.match(fitName, new RegExp(`b = ${bFit.exponent.toPrecision(4).replace(/0+$/, '').replace(/\.$/, '')}`));
    assert.match(fitName, /2 of 3 n/);
    const fitRows = rowsOf(b).filter((r) => r.series === fitName);
    const xs = fitRows.map((r) => r.x as number);
    assert.ok(Math.min(...xs) >= 16 - 1e-9 && Math.max(...xs) <= 32 + 1e-9, 'the fit line spans the fitted n only, not the censored n = 64');
    assert.ok(seriesNames(b.spec).includes('m½ > largest width probed (censored above, not fitted)'));
    assert.ok(seriesNames(b.spec).includes('m_0.9, open interval (not fitted)'));
    assert.match(subtitleOf(b), /m½: vs n\/λ b = /);

    const table = tables.find((t) => t.caption.startsWith('exp, gaussian init, d = n'));
    assert.ok(table);
    const col = (name: string) => table.columns.indexOf(name);
    const row = (n: number) => table.rows.find((r) => r[0] === n)!;
    assert.equal(cellText(row(32)[col('int: m½ [95% CI]')]), '> 64 (censored above)');
    assert.equal(cellText(row(16)[col('int: m½ [95% CI]')]), '14 [10, 20]');
    assert.equal(cellText(row(32)[col('B: m_0.9 [95% CI]')]), '60 [45, > 64] (open interval)');
    assert.equal(row(64)[col('int: m½ [95% CI]')], null, 'initial-kernel cells have no int');
    assert.equal(cellText(row(64)[col('B: m½ [95% CI]')]), '> 64 (censored above)');
    assert.equal(row(16)[col('λ = λ_min(H^lim)')], 0.3);

    const fits = tables.find((t) => t.caption.startsWith('Fitted exponents'));
    assert.ok(fits);
    assert.equal(fits.rows.length, FITS.length);
    const bRow = fits.rows.find((r) => r[2] === 'B' && r[3] === 'm½' && r[4] === 'n')!;
    assert.equal(bRow[5], bFit.exponent);
    assert.equal(cellText(bRow[9]), '2 of 3: 16, 32');
    assert.equal(cellText(bRow[10]), 'n = 64 (censored-above)');
    const intRow = fits.rows.find((r) => r[2] === 'int' && r[3] === 'm½' && r[4] === 'n/λ')!;
    assert.match(cellText(intRow[5]), /no fit/);
  });

  it('draws the phase diagram with one cell per (n, m) at its rate and the contour at ½', () => {
    const f = figure('ws-exp-gaussian-dn-B-phase');
    const cells = heatCellsOf(f.spec);
    assert.equal(cells.length, 3 * WIDTHS.length);
    for (const a of CELLS) {
      const rates = a.curves.find((c) => c.event === 'B')!.rates;
      for (const w of rates) {
        const here = cells.filter((c) => c.row === a.cell.n && c.x === w.m);
        assert.equal(here.length, 1, `n = ${a.cell.n}, m = ${w.m}`);
        assert.equal(here[0].value, w.successes / w.trials);
        assert.ok(here[0].x0 < w.m && here[0].x1 > w.m);
      }
    }
    const contour = rowsOf(f).filter((r) => r.series === 'm½ per n (95% profile CI): the contour at ½');
    assert.deepEqual(contour.map((r) => [r.row, r.x, r.xlo, r.xhi]), [[16, 22, 15, 32], [32, 40, 28, 55]]);
    const bound = rowsOf(f).filter((r) => r.series === 'm½ > largest width probed (censored above)');
    assert.deepEqual(bound.map((r) => [r.row, r.x]), [[64, 64]]);
    assert.equal(heatCellsOf(figure('ws-exp-gaussian-dn-int-phase').spec).length, 2 * WIDTHS.length);
  });

  it('draws λ(n) for the protocol', () => {
    const rows = rowsOf(figure('ws-exp-gaussian-lambda'));
    assert.deepEqual(rows.map((r) => [r.x, r.y]), [[16, 0.3], [32, 0.2], [64, 0.1]]);
  });

  it('leaves out the figures whose data are absent and says why', () => {
    const empty = widthStudyPage(CONFIG, { cells: CELLS.map((a) => ({ ...a, lambda: null, curves: a.curves.map((c) => ({ ...c, rates: [] })) })), fits: [], runs: 0 });
    const figs = empty.sections.flatMap((s) => s.figures);
    assert.deepEqual(figs, []);
    const text = empty.sections[1].text ?? '';
    assert.match(text, /Not drawn: ws-exp-gaussian-dn-int-rates: no width/);
    assert.match(text, /Not drawn: ws-exp-gaussian-lambda: no cell/);
    assert.match(empty.sections[2].text ?? '', /No fits/);
  });

  it('writes thresholds in words', () => {
    const c = CELLS[0].curves[0];
    assert.equal(thresholdText(censored(0.5, 'below'), c), '≤ 4 (censored below)');
    assert.equal(thresholdText(censored(0.5, 'above'), c), '> 64 (censored above)');
    assert.equal(thresholdText(est(0.5, 6, null, 9), c), '6 [< 4, 9] (open interval)');
  });
});

describe('heat map and horizontal intervals (chart.ts)', () => {
  it('reaches each cell halfway to its neighbours on the log axis; a lone cell spans the narrowest', () => {
    const ext = heatCellExtents([{ x: 4, row: 1, value: 0 }, { x: 16, row: 1, value: 1 }, { x: 8, row: 2, value: 1 }], true);
    assert.ok(Math.abs(ext[0].x0 - 2) < 1e-9 && Math.abs(ext[0].x1 - 8) < 1e-9);
    assert.ok(Math.abs(ext[1].x0 - 8) < 1e-9 && Math.abs(ext[1].x1 - 32) < 1e-9);
    assert.ok(Math.abs(ext[2].x0 - 4) < 1e-9 && Math.abs(ext[2].x1 - 16) < 1e-9);
  });

  it('greys cells without a value and says so; drops horizontal bars it cannot show', () => {
    const spec = heatMapChart({ title: 't', xLabel: 'm', yLabel: 'n', valueLabel: 'rate', logX: true, cells: [{ x: 4, row: 1, value: Number.NaN }, { x: 8, row: 1, value: 0.5 }], valueDomain: [0, 1] });
    assert.match(JSON.stringify(spec.title), /Grey: 1 cell\(s\) without a value/);
    const line = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', logX: true, series: [{ name: 'a', x: [1, 2], y: [1, 2], xLow: [0, 1], xHigh: [2, 3], mark: 'points' }] });
    const rows = (line.data as { values: Row[] }).values;
    assert.deepEqual(rows.map((r) => [r.xlo, r.xhi]), [[undefined, undefined], [1, 3]]);
    assert.match(JSON.stringify(line.title), /Error bars not drawn: 1 \(a: 1\)/);
  });
});

describe('widthStudyPage → writeReport', () => {
  let dir: string;
  let written: WrittenReport;
  let page: Page;
  const warnings: string[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'overparam-width-study-'));
    page = widthStudyPage(CONFIG, ANALYSIS);
    written = await writeReport(join(dir, 'out'), page, { onWarning: (w) => warnings.push(w) });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every figure to well-formed SVG and PNG with its title and legend, without warnings', () => {
    const figs = page.sections.flatMap((s) => s.figures);
    assert.deepEqual(readdirSync(join(dir, 'out', 'figures')).sort(), figs.flatMap((f) => [`${f.name}.png`, `${f.name}.svg`]).sort());
    for (const f of figs) {
      const svg = readFileSync(join(dir, 'out', 'figures', `${f.name}.svg`), 'utf8');
      assert.equal(XMLValidator.validate(svg), true, f.name);
      const texts = svgTexts(svg);
      assert.ok(texts.includes((f.spec.title as { text: string }).text), `${f.name}: title`);
      for (const name of seriesNames(f.spec)) assert.ok(texts.includes(name), `${f.name}: legend lacks '${name}'`);
    }
    assert.ok(existsSync(written.indexPath));
    const html = readFileSync(written.indexPath, 'utf8');
    assert.match(html, /&gt; 64 \(censored above\)/);
    assert.deepEqual(warnings, []);
  });

  it('labels the phase diagram with its colour legend and n rows', () => {
    const svg = readFileSync(join(dir, 'out', 'figures', 'ws-exp-gaussian-dn-B-phase.svg'), 'utf8');
    const texts = svgTexts(svg);
    assert.ok(texts.includes('success rate'));
    for (const n of ['16', '32', '64']) assert.ok(texts.includes(n), n);
  });
});
