/**
 * The generic line chart every figure is built on: named series (lines, points, error bars) and
 * reference rules in one legend, log axes that drop what they cannot show and say so, and a
 * subtitle that states the conventions. Returns a Vega-Lite spec (a plain object).
 */
import { OptionError } from '../errors.js';
import type { FigureConventions, FigureSpec, LineChartOptions, LineStyle, Rule, Series } from './types.js';

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
  for (const [what, arr] of [['yLow', s.yLow], ['yHigh', s.yHigh]] as const) {
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
    if (s.yLow !== undefined || s.yHigh !== undefined) {
      const lo = s.yLow === undefined ? y : s.yLow[i];
      const hi = s.yHigh === undefined ? y : s.yHigh[i];
      if (Number.isFinite(lo) && Number.isFinite(hi) && !(logY && (lo <= 0 || hi <= 0))) {
        p.lo = lo;
        p.hi = hi;
      } else bump(report.bars, s.name);
    }
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

/** The label expression of an axis: decades only on a log axis over ≥ 2 decades of `values`. */
function tickLabels(log: boolean, values: readonly number[]): string {
  if (!log) return TICK_LABEL;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v > 0 && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return hi / lo >= 100 ? DECADE_LABEL : TICK_LABEL;
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
      if (p.lo !== undefined) {
        row.lo = p.lo;
        row.hi = p.hi;
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
  const color = { field: 'series', type: 'nominal', scale: legendScale, legend: { title: null } };
  const strokeDash = { field: 'series', type: 'nominal', scale: { domain: names, range: styles.map((s) => DASH[s]) }, legend: { title: null } };
  const xs = rows.flatMap((r) => [r.x, r.rx].filter((v): v is number => typeof v === 'number'));
  const ys = rows.flatMap((r) => [r.y, r.ry, r.lo, r.hi].filter((v): v is number => typeof v === 'number'));
  const x = { field: 'x', type: 'quantitative', title: opts.xLabel, scale: axisScale(logX, undefined, false), axis: { labelExpr: tickLabels(logX, xs) } };
  const y = { field: 'y', type: 'quantitative', title: opts.yLabel, scale: axisScale(logY, opts.yDomain), axis: { labelExpr: tickLabels(logY, opts.yDomain ? [...opts.yDomain] : ys) } };

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
  if (has('point', true)) {
    layer.push({ transform: [{ filter: 'datum.point === true' }], mark: { type: 'point', filled: true, size: 40, clip }, encoding: { x, y, color } });
  }
  if (has('lo')) {
    layer.push({
      transform: [{ filter: 'isValid(datum.lo)' }],
      mark: { type: 'rule', strokeWidth: 1.5, clip },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color },
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
