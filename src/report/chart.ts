/**
 * The generic line chart every figure is built on: named series (lines, points, error bars) and
 * reference rules in one legend, log axes that drop what they cannot show and say so, and a
 * subtitle that states the conventions. Returns a Vega-Lite spec (a plain object).
 */
import { OptionError } from '../errors.js';
import type { FigureConventions, FigureSpec, HeatCell, HeatMapOptions, LineChartOptions, LineStyle, Rule, Series } from './types.js';

/** Tableau 10: distinct in print and for the common colour-vision deficiencies. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
/** Tableau 20 (each of the ten hues dark and light), for figures with more than ten series. */
export const PALETTE20 = [
  '#4e79a7', '#a0cbe8', '#f28e2b', '#ffbe7d', '#59a14f', '#8cd17d', '#b6992d', '#f1ce63', '#499894', '#86bcb6',
  '#e15759', '#ff9d9a', '#79706e', '#bab0ac', '#d37295', '#fabfd2', '#b07aa1', '#d4a6c8', '#9d7660', '#d7b5a6',
];

/** The colour of series i of `count`: Tableau 10 up to ten series, Tableau 20 up to twenty (beyond, colours repeat). */
export function seriesColor(i: number, count: number): string {
  const p = count <= PALETTE.length ? PALETTE : PALETTE20;
  return p[i % p.length];
}

/** The font named in every spec; render.ts loads it for the PNGs. */
export const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';
const DASH: Record<LineStyle, number[]> = { solid: [1, 0], dashed: [6, 4], dotted: [1, 3] };
const DEFAULT_MAX_POINTS = 1500;
/** Characters per subtitle line before wrapping (11 px font). */
const WRAP = 110;

/** Up to 4 significant digits, exponent form outside [1e-3, 1e5). */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  const s = a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return s.replace(/^-/, '−');
}

/** One value of a conventions object as text: numbers to 4 significant digits, objects as JSON. */
export function conventionValue(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** The conventions as one line: a string as is, an object as "key value · key value" (undefined and null entries skipped). */
export function formatConventions(c: FigureConventions): string {
  if (typeof c === 'string') return c;
  return Object.entries(c)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k} ${conventionValue(v)}`)
    .join(' · ');
}

/** Splits text into lines of at most `width` characters at spaces. */
export function wrapText(text: string, width = WRAP): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) out.push(line);
  return out;
}

export interface SanitizedPoint {
  x: number;
  y: number;
  lo?: number;
  hi?: number;
  /** Horizontal error bar (Series.xLow / xHigh). */
  xlo?: number;
  xhi?: number;
}

export interface SanitizeReport {
  /** Per series name: points dropped because x or y was NaN/±∞. */
  nonFinite: Map<string, number>;
  /** Per series name: points dropped because x or y was ≤ 0 on a log axis. */
  nonPositive: Map<string, number>;
  /** Error bars dropped (non-finite, or an end ≤ 0 on a log y axis), per series name. */
  bars: Map<string, number>;
  /** Rules not drawn (non-finite, or ≤ 0 on a log axis). */
  rules: string[];
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

/**
 * The points of one series that the axes can show: drops non-finite x/y everywhere and values ≤ 0
 * on log axes, counting each in `report`. Error-bar ends that cannot be shown drop the bar only.
 */
export function sanitizeSeries(s: Series, logX: boolean, logY: boolean, report: SanitizeReport): SanitizedPoint[] {
  if (s.x.length !== s.y.length) throw new OptionError(`series '${s.name}': x has ${s.x.length} values, y has ${s.y.length}`);
  for (const [what, arr] of [['yLow', s.yLow], ['yHigh', s.yHigh], ['xLow', s.xLow], ['xHigh', s.xHigh]] as const) {
    if (arr !== undefined && arr.length !== s.x.length) throw new OptionError(`series '${s.name}': ${what} has ${arr.length} values, x has ${s.x.length}`);
  }
  const out: SanitizedPoint[] = [];
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i];
    const y = s.y[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      bump(report.nonFinite, s.name);
      continue;
    }
    if ((logX && x <= 0) || (logY && y <= 0)) {
      bump(report.nonPositive, s.name);
      continue;
    }
    const p: SanitizedPoint = { x, y };
    // an error bar's ends (the point itself where one is not given), or undefined when they cannot be drawn
    const bar = (low: ArrayLike<number> | undefined, high: ArrayLike<number> | undefined, at: number, log: boolean): [number, number] | undefined => {
      if (low === undefined && high === undefined) return undefined;
      const lo = low === undefined ? at : low[i];
      const hi = high === undefined ? at : high[i];
      if (Number.isFinite(lo) && Number.isFinite(hi) && !(log && (lo <= 0 || hi <= 0))) return [lo, hi];
      bump(report.bars, s.name);
      return undefined;
    };
    const yBar = bar(s.yLow, s.yHigh, y, logY);
    if (yBar) [p.lo, p.hi] = yBar;
    const xBar = bar(s.xLow, s.xHigh, x, logX);
    if (xBar) [p.xlo, p.xhi] = xBar;
    out.push(p);
  }
  return out;
}

/** Whether a rule can be drawn on these axes. */
export function ruleDrawable(r: Rule, logX: boolean, logY: boolean): boolean {
  const v = r.y ?? r.x;
  if (v === undefined || !Number.isFinite(v)) return false;
  return !((r.y !== undefined && logY && v <= 0) || (r.x !== undefined && logX && v <= 0));
}

/** Subtitle sentences describing what was dropped ([] when nothing was). */
export function dropNotes(report: SanitizeReport, logX: boolean, logY: boolean): string[] {
  const list = (m: Map<string, number>) => [...m].map(([name, k]) => `${name}: ${k}`).join(', ');
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const notes: string[] = [];
  const axes = logX && logY ? 'log axes' : 'a log axis';
  if (report.nonPositive.size > 0) notes.push(`Not drawn: ${total(report.nonPositive)} value(s) ≤ 0 on ${axes} (${list(report.nonPositive)}).`);
  if (report.nonFinite.size > 0) notes.push(`Not drawn: ${total(report.nonFinite)} non-finite value(s) (${list(report.nonFinite)}).`);
  if (report.bars.size > 0) notes.push(`Error bars not drawn: ${total(report.bars)} (${list(report.bars)}).`);
  if (report.rules.length > 0) notes.push(`Reference lines not drawn (non-finite${logX || logY ? ' or ≤ 0 on a log axis' : ''}): ${report.rules.join(', ')}.`);
  return notes;
}

/**
 * At most `max` points: first and last kept; in between evenly spaced in x (log-spaced on a log
 * x axis) when x ascends, evenly spaced by index otherwise. Returns the input when short enough.
 */
export function thin(points: readonly SanitizedPoint[], max: number, logX: boolean): SanitizedPoint[] {
  if (points.length <= max || max < 2) return points.slice();
  let ascending = true;
  for (let i = 1; i < points.length && ascending; i++) ascending = points[i].x >= points[i - 1].x;
  const picked = new Set<number>([0, points.length - 1]);
  if (ascending) {
    const f = logX ? Math.log : (v: number) => v;
    const a = f(points[0].x);
    const b = f(points[points.length - 1].x);
    let j = 0;
    for (let t = 1; t < max - 1; t++) {
      const target = a + ((b - a) * t) / (max - 1);
      while (j < points.length - 1 && f(points[j].x) < target) j++;
      picked.add(j);
    }
  } else {
    for (let t = 1; t < max - 1; t++) picked.add(Math.round((t * (points.length - 1)) / (max - 1)));
  }
  return [...picked].sort((p, q) => p - q).map((i) => points[i]);
}

function styleOf(s: { style?: LineStyle; dashed?: boolean }): LineStyle {
  return s.style ?? (s.dashed === true ? 'dashed' : 'solid');
}

/**
 * Tick labels in one style on every axis, as formatNumber writes numbers: plain in [10⁻³, 10⁵),
 * exponent form outside (1e-7, 2.5e6), never 0.000001 beside 1e-7 on one axis.
 */
const TICK_LABEL =
  "datum.value === 0 ? '0' : abs(datum.value) >= 0.001 && abs(datum.value) < 100000 ? format(datum.value, ',~g') : replace(format(datum.value, '.2~e'), 'e+', 'e')";
/** On a log axis spanning two decades or more, only the powers of ten are labelled (the others keep their ticks). */
const DECADE_LABEL = `abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6 ? (${TICK_LABEL}) : ''`;

/** The smallest and largest positive finite values (Infinity, −Infinity when there are none): the range a log axis can show. */
function positiveRange(values: readonly number[]): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v > 0 && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return { lo, hi };
}

/** The label expression of an axis: decades only on a log axis over ≥ 2 decades of `values`. */
function tickLabels(log: boolean, values: readonly number[]): string {
  if (!log) return TICK_LABEL;
  const { lo, hi } = positiveRange(values);
  return hi / lo >= 100 ? DECADE_LABEL : TICK_LABEL;
}

/** Largest range of a binary log axis: beyond 2^20 the labels get long and the decades read better. */
const BINARY_MAX = 2 ** 20;

export interface LogTicks {
  /** Tick (and grid) positions: every power of two in the data's range. */
  values: number[];
  /** Every `every`-th of them, counted from the first, is labelled (1: all). */
  every: number;
}

/**
 * Ticks at the powers of two of a log axis whose values lie in [1, 2^20] and span at least three of
 * them (n, widths m: the values this project sweeps), so that the values of the data are labelled.
 * Vega's own log ticks sit at 1–9 × 10^k: over less than two decades the labels stop at the last
 * decimal tick (n = 4, 8, 16 showed 4…10 only), over more only the decades are labelled (8…1024
 * showed 10, 100, 1000, none of the n run). Labels thin to every 2nd, 3rd, … power when they would
 * crowd `length` pixels (`gap`: the room one label needs). Null: the axis keeps vega's ticks.
 */
export function binaryLogTicks(values: readonly number[], length: number, gap: (label: string) => number): LogTicks | null {
  const { lo, hi } = positiveRange(values);
  if (!(lo >= 1 - 1e-9 && hi <= BINARY_MAX * (1 + 1e-9))) return null;
  const k0 = Math.ceil(Math.log2(lo) - 1e-9);
  const k1 = Math.floor(Math.log2(hi) + 1e-9);
  if (k1 - k0 + 1 < 3) return null;
  const ticks = Array.from({ length: k1 - k0 + 1 }, (_, i) => 2 ** (k0 + i));
  // pixels between neighbouring powers of two on this axis (the data span the axis, near enough)
  const step = Math.log(hi / lo) > 0 ? (length * Math.LN2) / Math.log(hi / lo) : length;
  const need = Math.max(...ticks.map((v) => gap(v.toLocaleString('en-US'))));
  const every = Math.max(1, Math.ceil(need / step));
  return { values: ticks, every };
}

/** The label expression of binary ticks: integers with thousands separators, on every `every`-th power counted from `first`. */
function binaryLabels(t: LogTicks): string {
  const label = "format(datum.value, ',d')";
  if (t.every === 1) return label;
  const k0 = Math.round(Math.log2(t.values[0]));
  return `(round(log(datum.value) / LN2) - ${k0}) % ${t.every} === 0 ? ${label} : ''`;
}

function axisScale(log: boolean, domain?: readonly [number, number], nice = true): Record<string, unknown> {
  const scale: Record<string, unknown> = log ? { type: 'log' } : { zero: false };
  if (log && !nice) {
    scale.nice = false;
    scale.padding = 12;
  }
  if (domain !== undefined) scale.domain = [...domain];
  return scale;
}

/**
 * A Vega-Lite line chart. Series and rules share one legend (colour and dash per name), in the
 * order given. Non-finite values, and values ≤ 0 on log axes, are dropped and the subtitle says
 * how many from which series; the chart never throws on data, only on malformed input
 * (mismatched lengths, duplicate names, a rule with neither or both of x and y).
 */
export function lineChart(opts: LineChartOptions): FigureSpec {
  const logX = opts.logX === true;
  const logY = opts.logY === true;
  const rules = opts.rules ?? [];
  const names = [...opts.series.map((s) => s.name), ...rules.map((r) => r.name)];
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new OptionError(`chart '${opts.title}': the name '${dup}' is used twice (legend entries must be unique)`);
  for (const r of rules) {
    if ((r.x === undefined) === (r.y === undefined)) throw new OptionError(`rule '${r.name}': give exactly one of x and y`);
  }
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  const report: SanitizeReport = { nonFinite: new Map(), nonPositive: new Map(), bars: new Map(), rules: [] };
  const rows: Record<string, unknown>[] = [];
  let thinned = 0;
  for (const s of opts.series) {
    const pts = sanitizeSeries(s, logX, logY, report);
    const kept = thin(pts, maxPoints, logX);
    if (kept.length < pts.length) thinned++;
    const mark = s.mark ?? 'line';
    for (const p of kept) {
      const row: Record<string, unknown> = { series: s.name, x: p.x, y: p.y, line: mark !== 'points', point: mark !== 'line' };
      if (mark !== 'line') row.marker = `${s.shape ?? 'circle'}${s.filled === false ? ' open' : ''}`;
      if (p.lo !== undefined) {
        row.lo = p.lo;
        row.hi = p.hi;
      }
      if (p.xlo !== undefined) {
        row.xlo = p.xlo;
        row.xhi = p.xhi;
      }
      rows.push(row);
    }
  }
  for (const r of rules) {
    if (!ruleDrawable(r, logX, logY)) {
      report.rules.push(r.name);
      continue;
    }
    rows.push(r.y !== undefined ? { series: r.name, ry: r.y } : { series: r.name, rx: r.x });
  }

  const colors = new Map<string, string>();
  const unset = [...opts.series, ...rules].filter((item) => item.color === undefined).length;
  let next = 0;
  for (const item of [...opts.series, ...rules]) colors.set(item.name, item.color ?? seriesColor(next++, unset));
  const styles = [...opts.series.map(styleOf), ...rules.map((r) => styleOf({ style: r.style ?? 'dashed', dashed: r.dashed }))];

  const subtitle: string[] = [];
  const extra = opts.subtitle === undefined ? [] : typeof opts.subtitle === 'string' ? [opts.subtitle] : opts.subtitle;
  for (const line of extra) subtitle.push(...wrapText(line));
  const conventionLines = opts.conventions !== undefined ? wrapText(`Conventions: ${formatConventions(opts.conventions)}`) : [];
  subtitle.push(...conventionLines);
  const notes = dropNotes(report, logX, logY);
  if (thinned > 0) notes.push(`${thinned} curve(s) thinned to ≤ ${maxPoints} points for drawing.`);
  for (const n of notes) subtitle.push(...wrapText(n));

  const clip = opts.yDomain !== undefined;
  const legendScale = { domain: names, range: names.map((n) => colors.get(n)) };
  const color = { field: 'series', type: 'nominal', scale: legendScale, legend: { title: null, symbolOpacity: 1 } };
  const strokeDash = { field: 'series', type: 'nominal', scale: { domain: names, range: styles.map((s) => DASH[s]) }, legend: { title: null, symbolOpacity: 1 } };
  const xs = rows.flatMap((r) => [r.x, r.rx, r.xlo, r.xhi].filter((v): v is number => typeof v === 'number'));
  const ys = rows.flatMap((r) => [r.y, r.ry, r.lo, r.hi].filter((v): v is number => typeof v === 'number'));
  // A label needs its width and some room across on x (11 px font, ~6.5 px a character), its height on y.
  const xTicks = logX ? binaryLogTicks(xs, opts.width ?? 480, (s) => 6.5 * s.length + 12) : null;
  const yRange = opts.yDomain ? [...opts.yDomain] : ys;
  const yTicks = logY ? binaryLogTicks(yRange, opts.height ?? 300, () => 22) : null;
  const axisOf = (log: boolean, ticks: LogTicks | null, values: readonly number[]) => (ticks ? { values: ticks.values, labelExpr: binaryLabels(ticks) } : { labelExpr: tickLabels(log, values) });
  const x = { field: 'x', type: 'quantitative', title: opts.xLabel, scale: axisScale(logX, undefined, false), axis: axisOf(logX, xTicks, xs) };
  // binary ticks span the data, so the y axis is not stretched to whole decades then (as x never is)
  const y = { field: 'y', type: 'quantitative', title: opts.yLabel, scale: axisScale(logY, opts.yDomain, yTicks === null || opts.yDomain !== undefined), axis: axisOf(logY, yTicks, yRange) };

  // Only layers that have rows: an empty layer makes vega warn about infinite extents.
  const has = (key: string, v?: unknown) => rows.some((r) => (v === undefined ? r[key] !== undefined : r[key] === v));
  const layer: Record<string, unknown>[] = [];
  if (has('line', true)) {
    layer.push({
      transform: [{ filter: 'datum.line === true' }],
      mark: { type: 'line', strokeWidth: 2, clip, interpolate: 'linear' },
      encoding: { x, y, color, strokeDash, detail: { field: 'series', type: 'nominal' } },
    });
  }
  // one point layer per marker (shape, filled or open), in the order the series first use them
  for (const marker of new Set(rows.filter((r) => r.point === true).map((r) => r.marker as string))) {
    const [shape, open] = marker.split(' ');
    layer.push({
      transform: [{ filter: `datum.point === true && datum.marker === '${marker}'` }],
      mark: { type: 'point', shape, filled: open === undefined, size: open === undefined ? 40 : 70, strokeWidth: 1.5, clip },
      encoding: { x, y, color },
    });
  }
  if (has('lo')) {
    layer.push({
      transform: [{ filter: 'isValid(datum.lo)' }],
      mark: { type: 'rule', strokeWidth: 1.5, clip },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color },
    });
  }
  if (has('xlo')) {
    layer.push({
      transform: [{ filter: 'isValid(datum.xlo)' }],
      mark: { type: 'rule', strokeWidth: 1.5, clip },
      encoding: { x: { ...x, field: 'xlo' }, x2: { field: 'xhi' }, y, color },
    });
  }
  if (has('ry')) {
    layer.push({ transform: [{ filter: 'isValid(datum.ry)' }], mark: { type: 'rule', strokeWidth: 1.5, clip }, encoding: { y: { ...y, field: 'ry' }, color, strokeDash } });
  }
  if (has('rx')) {
    layer.push({ transform: [{ filter: 'isValid(datum.rx)' }], mark: { type: 'rule', strokeWidth: 1.5, clip }, encoding: { x: { ...x, field: 'rx' }, color, strokeDash } });
  }
  if (layer.length === 0) {
    // Nothing drawable: an empty frame with the axes, so the figure still renders and its subtitle explains.
    const lo = logY ? 1 : 0;
    const domainX = logX ? [1, 10] : [0, 1];
    layer.push({
      data: { values: [{ x: domainX[0], y: lo }] },
      mark: { type: 'point', opacity: 0 },
      encoding: { x: { ...x, scale: { ...x.scale, domain: domainX } }, y: { ...y, scale: { ...y.scale, domain: logY ? [1, 10] : [0, 1] } } },
    });
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: subtitle.length > 0 ? { text: opts.title, subtitle, anchor: 'start' } : { text: opts.title, anchor: 'start' },
    width: opts.width ?? 480,
    height: opts.height ?? 300,
    background: 'white',
    padding: { left: 8, top: 8, bottom: 8, right: 20 },
    data: { values: rows },
    layer,
    config: {
      font: FONT,
      title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#444', subtitlePadding: 4, offset: 10, limit: 0 },
      axis: { labelOverlap: 'greedy', labelSeparation: 6, labelFontSize: 11, titleFontSize: 12, labelLimit: 0, titleLimit: 0, grid: true, gridColor: '#e6e6e6' },
      legend: { labelFontSize: 11, labelLimit: 0, symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300, orient: 'right' },
      view: { stroke: '#bbb' },
    },
    // conventionLines: the subtitle's conventions, which a page that states them once can leave out (page.ts)
    usermeta: { overparam: { series: names, notes, conventionLines } },
  };
}

/** The series and rule names a spec built by `lineChart` shows in its legend (for tests and captions). */
export function seriesNames(spec: FigureSpec): string[] {
  const meta = (spec.usermeta as { overparam?: { series?: string[] } } | undefined)?.overparam;
  return meta?.series?.slice() ?? [];
}

/** The notes on dropped / thinned points a spec built by `lineChart` carries in its subtitle. */
export function dropNotesOf(spec: FigureSpec): string[] {
  const meta = (spec.usermeta as { overparam?: { notes?: string[] } } | undefined)?.overparam;
  return meta?.notes?.slice() ?? [];
}

/**
 * Extents of heat-map cells without their own: per row, halfway (geometric mean on a log axis) to
 * the neighbouring cells; the outer cells reach as far beyond their centre as to the inner
 * boundary, and a lone cell spans the narrowest cell of the chart (×/÷ √2 on a log axis, ±½ on a
 * linear one when there is none).
 */
export function heatCellExtents(cells: readonly HeatCell[], logX: boolean): { x0: number; x1: number }[] {
  const f = logX ? Math.log : (v: number) => v;
  const g = logX ? Math.exp : (v: number) => v;
  const out: { x0: number; x1: number }[] = cells.map(() => ({ x0: Number.NaN, x1: Number.NaN }));
  const rows = new Map<number, number[]>();
  cells.forEach((c, i) => {
    if (!rows.has(c.row)) rows.set(c.row, []);
    rows.get(c.row)!.push(i);
  });
  let narrowest = Infinity;
  const lone: number[] = [];
  for (const idx of rows.values()) {
    const sorted = [...idx].sort((a, b) => cells[a].x - cells[b].x);
    const xs = sorted.map((i) => f(cells[i].x));
    if (sorted.length === 1) {
      lone.push(sorted[0]);
      continue;
    }
    for (let k = 0; k < sorted.length; k++) {
      const left = k > 0 ? (xs[k - 1] + xs[k]) / 2 : xs[k] - (xs[k + 1] - xs[k]) / 2;
      const right = k < sorted.length - 1 ? (xs[k] + xs[k + 1]) / 2 : xs[k] + (xs[k] - xs[k - 1]) / 2;
      out[sorted[k]] = { x0: g(left), x1: g(right) };
      if (right - left > 0) narrowest = Math.min(narrowest, right - left);
    }
  }
  const half = Number.isFinite(narrowest) ? narrowest / 2 : logX ? Math.LN2 / 2 : 0.5;
  for (const i of lone) out[i] = { x0: g(f(cells[i].x) - half), x1: g(f(cells[i].x) + half) };
  cells.forEach((c, i) => {
    if (c.x0 !== undefined) out[i].x0 = c.x0;
    if (c.x1 !== undefined) out[i].x1 = c.x1;
  });
  return out;
}

/**
 * A Vega-Lite heat map: rows of discrete values (e.g. n, largest at the top) against a continuous,
 * optionally logarithmic x (e.g. width m), each cell a rectangle coloured by its value on a
 * sequential scale; cells without a value are grey. Points, lines and intervals (`overlay`, in the
 * same x and row coordinates) are drawn over the cells with their own legend. Like `lineChart` it
 * states the conventions in the subtitle and says what it could not draw; it throws only on
 * malformed input (duplicate overlay names, mismatched lengths).
 */
export function heatMapChart(opts: HeatMapOptions): FigureSpec {
  const logX = opts.logX === true;
  const overlay = opts.overlay ?? [];
  const names = overlay.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new OptionError(`chart '${opts.title}': the name '${dup}' is used twice (legend entries must be unique)`);
  const notes: string[] = [];
  let dropped = 0;
  const drawable = opts.cells.filter((c) => {
    const ok = Number.isFinite(c.x) && Number.isFinite(c.row) && !(logX && c.x <= 0);
    if (!ok) dropped++;
    return ok;
  });
  if (dropped > 0) notes.push(`Not drawn: ${dropped} cell(s) with a non-finite position${logX ? ' or x ≤ 0 on a log axis' : ''}.`);
  const extents = heatCellExtents(drawable, logX);
  const rows: Record<string, unknown>[] = [];
  let missing = 0;
  drawable.forEach((c, i) => {
    const has = Number.isFinite(c.value);
    if (!has) missing++;
    rows.push({ kind: 'cell', x: c.x, x0: extents[i].x0, x1: extents[i].x1, row: c.row, ...(has ? { value: c.value } : { missing: true }) });
  });
  if (missing > 0) notes.push(`Grey: ${missing} cell(s) ${opts.missingText ?? 'without a value'}.`);

  const report: SanitizeReport = { nonFinite: new Map(), nonPositive: new Map(), bars: new Map(), rules: [] };
  for (const s of overlay) {
    const mark = s.mark ?? 'points';
    for (const p of sanitizeSeries(s, logX, false, report)) {
      const row: Record<string, unknown> = { kind: 'overlay', series: s.name, x: p.x, row: p.y, line: mark !== 'points', point: mark !== 'line' };
      if (mark !== 'line') row.marker = `${s.shape ?? 'circle'}${s.filled === false ? ' open' : ''}`;
      if (p.xlo !== undefined) {
        row.xlo = p.xlo;
        row.xhi = p.xhi;
      }
      rows.push(row);
    }
  }
  notes.push(...dropNotes(report, logX, false));

  const rowValues = [...new Set(rows.map((r) => r.row as number))].sort((a, b) => b - a);
  const colors = overlay.map((s, i) => s.color ?? seriesColor(i, overlay.length));
  const values = rows.filter((r) => typeof r.value === 'number').map((r) => r.value as number);
  const domain = opts.valueDomain ? [...opts.valueDomain] : values.length > 0 ? [Math.min(...values), Math.max(...values)] : [0, 1];

  const subtitle: string[] = [];
  const extra = opts.subtitle === undefined ? [] : typeof opts.subtitle === 'string' ? [opts.subtitle] : opts.subtitle;
  for (const line of extra) subtitle.push(...wrapText(line));
  const conventionLines = opts.conventions !== undefined ? wrapText(`Conventions: ${formatConventions(opts.conventions)}`) : [];
  subtitle.push(...conventionLines);
  for (const n of notes) subtitle.push(...wrapText(n));

  const width = opts.width ?? 480;
  const height = opts.height ?? Math.max(120, 36 * rowValues.length);
  const xs = rows.flatMap((r) => [r.x0, r.x1, r.x, r.xlo, r.xhi].filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  const xTicks = logX ? binaryLogTicks(xs, width, (s) => 6.5 * s.length + 12) : null;
  const xLo = xs.length > 0 ? Math.min(...xs) : logX ? 1 : 0;
  const xHi = xs.length > 0 ? Math.max(...xs) : logX ? 10 : 1;
  const xScale: Record<string, unknown> = logX ? { type: 'log', domain: [xLo, xHi], nice: false } : { zero: false, domain: [xLo, xHi], nice: false };
  const x = { field: 'x', type: 'quantitative', title: opts.xLabel, scale: xScale, axis: xTicks ? { values: xTicks.values, labelExpr: binaryLabels(xTicks), grid: false } : { labelExpr: tickLabels(logX, xs), grid: false } };
  const y = { field: 'row', type: 'ordinal', title: opts.yLabel, scale: { domain: rowValues }, axis: { labelExpr: TICK_LABEL, grid: false } };
  const legendColor = { field: 'series', type: 'nominal', scale: { domain: names, range: colors }, legend: { title: null, symbolOpacity: 1 } };
  // each overlay's marker in the legend (merged with the colour legend: same field and domain)
  const legendShape = { field: 'series', type: 'nominal', scale: { domain: names, range: overlay.map((s) => s.shape ?? 'circle') }, legend: { title: null, symbolOpacity: 1 } };

  const layer: Record<string, unknown>[] = [];
  if (values.length > 0) {
    layer.push({
      transform: [{ filter: "datum.kind === 'cell' && isValid(datum.value)" }],
      mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        x: { ...x, field: 'x0' },
        x2: { field: 'x1' },
        y,
        color: { field: 'value', type: 'quantitative', title: opts.valueLabel, scale: { scheme: opts.scheme ?? 'viridis', domain }, legend: { orient: 'right', gradientLength: Math.min(160, height) } },
      },
    });
  }
  if (missing > 0) {
    layer.push({ transform: [{ filter: "datum.kind === 'cell' && datum.missing === true" }], mark: { type: 'rect', fill: '#d9d9d9', stroke: 'white', strokeWidth: 0.5 }, encoding: { x: { ...x, field: 'x0' }, x2: { field: 'x1' }, y } });
  }
  // the overlays share one colour legend, independent of the cells' value scale
  const over: Record<string, unknown>[] = [];
  const has = (key: string, v?: unknown) => rows.some((r) => r.kind === 'overlay' && (v === undefined ? r[key] !== undefined : r[key] === v));
  if (has('xlo')) {
    over.push({ transform: [{ filter: "datum.kind === 'overlay' && isValid(datum.xlo)" }], mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { ...x, field: 'xlo' }, x2: { field: 'xhi' }, y, color: legendColor } });
  }
  if (has('line', true)) {
    over.push({
      transform: [{ filter: "datum.kind === 'overlay' && datum.line === true" }],
      mark: { type: 'line', strokeWidth: 1.5, strokeDash: [4, 3] },
      encoding: { x, y, color: legendColor, detail: { field: 'series', type: 'nominal' }, order: { field: 'row', type: 'quantitative' } },
    });
  }
  for (const marker of new Set(rows.filter((r) => r.kind === 'overlay' && r.point === true).map((r) => r.marker as string))) {
    const [shape, open] = marker.split(' ');
    over.push({
      transform: [{ filter: `datum.kind === 'overlay' && datum.point === true && datum.marker === '${marker}'` }],
      mark: { type: 'point', shape, filled: open === undefined, size: 70, strokeWidth: 1.5, ...(open === undefined ? { stroke: 'white' } : {}) },
      encoding: { x, y, color: legendColor, shape: legendShape },
    });
  }
  if (over.length > 0) layer.push({ layer: over });
  if (layer.length === 0) {
    layer.push({ data: { values: [{ x: xLo, row: 0 }] }, mark: { type: 'point', opacity: 0 }, encoding: { x, y: { ...y, scale: { domain: [0] } } } });
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: subtitle.length > 0 ? { text: opts.title, subtitle, anchor: 'start' } : { text: opts.title, anchor: 'start' },
    width,
    height,
    background: 'white',
    padding: { left: 8, top: 8, bottom: 8, right: 20 },
    data: { values: rows },
    layer,
    resolve: { scale: { color: 'independent', shape: 'independent' }, legend: { color: 'independent', shape: 'independent' } },
    config: {
      font: FONT,
      title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#444', subtitlePadding: 4, offset: 10, limit: 0 },
      axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0, titleLimit: 0, labelOverlap: 'greedy', labelSeparation: 6 },
      legend: { labelFontSize: 11, labelLimit: 0, titleFontSize: 11, orient: 'right' },
      view: { stroke: '#bbb' },
    },
    usermeta: { overparam: { series: names, notes, conventionLines } },
  };
}

/** The cells a spec built by `heatMapChart` draws: position, row and value (NaN where grey). */
export function heatCellsOf(spec: FigureSpec): { x: number; row: number; value: number; x0: number; x1: number }[] {
  const values = ((spec.data as { values?: Record<string, unknown>[] } | undefined)?.values ?? []).filter((r) => r.kind === 'cell');
  return values.map((r) => ({ x: r.x as number, row: r.row as number, value: typeof r.value === 'number' ? r.value : Number.NaN, x0: r.x0 as number, x1: r.x1 as number }));
}
