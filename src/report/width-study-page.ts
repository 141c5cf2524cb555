/**
 * The page of the width study (experiments/width-study.ts): per model (activation × initialisation)
 * and protocol, the success rate of each event against width m with its binomial interval and the
 * logistic thresholds; the thresholds against n with the weighted power-law fits; the phase diagram
 * n × m of the success rate with the contour at ½; λ = λ_min(H^lim) against n; and the tables of
 * thresholds (censoring in words) and fitted exponents. A figure whose data are absent is left out
 * and its section says why.
 *
 * A threshold that is censored (the rate already ≥ q at the smallest width probed, or still < q at
 * the largest) is a bound: drawn as an open triangle at the probed edge, written "≤ 2 (censored
 * below)" / "> 65536 (censored above)", and never fitted (analyseStudy refuses it).
 */
import type { ThresholdEstimate } from '../experiments/logistic.js';
import {
  EVENT_TEXT,
  protocolText,
  STUDY_EVENTS,
  type CellAnalysis,
  type EventCurve,
  type ExponentFit,
  type Protocol,
  type StudyEvent,
  type StudyModel,
  type WidthStudyAnalysis,
  type WidthStudyConfig,
} from '../experiments/width-study.js';
import { formatNumber, heatMapChart, lineChart, seriesColor } from './chart.js';
import { precisionText, scalingText } from './conventions.js';
import { activationName } from './runs.js';
import type { Cell, FigureEntry, HeatCell, PageSection, Page, Series, Table } from './types.js';

const fmt = formatNumber;
/** 2^32 for a power of two, the number otherwise. */
const pow2 = (v: number): string => (v > 0 && Number.isInteger(Math.log2(v)) && v >= 1024 ? `2^${Math.log2(v)}` : fmt(v));

export interface WidthStudyPageOptions {
  title?: string;
  /** The command that made the study, stated in the intro. */
  command?: string;
}

/** The events' short names: EVENT_TEXT up to its colon ("interpolation", "concentration at initialisation", …). */
export const eventName = (e: StudyEvent): string => EVENT_TEXT[e].split(':')[0];

/** "m½" for q = ½, "m_0.9" otherwise. */
export const thresholdName = (q: number): string => (q === 0.5 ? 'm½' : `m_${fmt(q)}`);

const modelLabel = (m: StudyModel): string => `${activationName(m.activation)}, ${m.init} init`;
const sameModel = (a: StudyModel, b: StudyModel): boolean => a.activation === b.activation && a.init === b.init;
/** File-name safe protocol: "dn" for d = n, "d10" for d = 10. */
const protocolSlug = (p: Protocol): string => (p === 'd=n' ? 'dn' : `d${p}`);

const NORMALISATION: Record<WidthStudyConfig['normalize'], string> = {
  unit: 'unit (each row x ↦ x/‖x‖₂)',
  max: 'max (all rows x ↦ x/max_i ‖x_i‖₂)',
  none: 'none',
};

/** The widths of a curve at which some run determined the event. */
function probedRange(c: EventCurve): { lo: number; hi: number } | null {
  const ms = c.rates.filter((w) => w.trials > 0).map((w) => w.m);
  return ms.length === 0 ? null : { lo: Math.min(...ms), hi: Math.max(...ms) };
}

/**
 * A threshold in words: "123 [100, 150]", "123 [< 2, 150] (open interval)", "≤ 2 (censored below)",
 * "> 65536 (censored above)", "insufficient (…)".
 */
export function thresholdText(t: ThresholdEstimate, curve: EventCurve): string {
  const r = probedRange(curve);
  const lo = r ? fmt(r.lo) : '?';
  const hi = r ? fmt(r.hi) : '?';
  switch (t.status) {
    case 'estimated':
      return `${fmt(t.m!)} [${fmt(t.ci![0]!)}, ${fmt(t.ci![1]!)}]`;
    case 'open-interval':
      return `${fmt(t.m!)} [${t.ci?.[0] == null ? `< ${lo}` : fmt(t.ci[0])}, ${t.ci?.[1] == null ? `> ${hi}` : fmt(t.ci[1])}] (open interval)`;
    case 'censored-below':
      return `≤ ${lo} (censored below)`;
    case 'censored-above':
      return `> ${hi} (censored above)`;
    case 'insufficient':
      return `insufficient (${t.note})`;
  }
}

function thresholdCell(t: ThresholdEstimate, curve: EventCurve): Cell {
  const text = thresholdText(t, curve);
  return t.status === 'estimated' ? text : { text, tone: t.status === 'censored-above' || t.status === 'insufficient' ? 'bad' : undefined };
}

/** Where a threshold is drawn: its estimate and interval (open sides at the probed edge), or a bound at the probed edge. */
interface Placed {
  n: number;
  kind: 'estimated' | 'open' | 'below' | 'above';
  m: number;
  lo: number;
  hi: number;
}

function place(n: number, t: ThresholdEstimate, curve: EventCurve): Placed | null {
  const r = probedRange(curve);
  if (r === null) return null;
  if (t.status === 'estimated') return { n, kind: 'estimated', m: t.m!, lo: t.ci![0]!, hi: t.ci![1]! };
  if (t.status === 'open-interval') return { n, kind: 'open', m: t.m!, lo: t.ci?.[0] ?? r.lo, hi: t.ci?.[1] ?? r.hi };
  if (t.status === 'censored-below') return { n, kind: 'below', m: r.lo, lo: r.lo, hi: r.lo };
  if (t.status === 'censored-above') return { n, kind: 'above', m: r.hi, lo: r.hi, hi: r.hi };
  return null;
}

/** "b = 2.1 [1.8, 2.4], 3 of 4 n" (or why there is no fit). */
export function fitText(f: ExponentFit): string {
  const k = f.used.length;
  const K = f.used.length + f.refused.length;
  if (f.fit === null) return `no fit (${k} of ${K} n with an estimated threshold; two needed)`;
  const ci = f.fit.ci ? ` [${fmt(f.fit.ci[0])}, ${fmt(f.fit.ci[1])}]` : '';
  return `b = ${fmt(f.fit.exponent)}${ci}, ${k} of ${K} n`;
}

const refusedText = (f: ExponentFit): string => f.refused.map((r) => `n = ${r.n} (${r.why})`).join(', ');

interface Group {
  model: StudyModel;
  protocol: Protocol;
  cells: CellAnalysis[];
}

interface Built {
  figures: FigureEntry[];
  skipped: string[];
}

function groupConventions(c: WidthStudyConfig, g: Group): Record<string, string> {
  return {
    activation: activationName(g.model.activation),
    init: g.model.init,
    protocol: protocolText(g.protocol),
    data: `${c.inputs} inputs, ${c.labels} labels, data seed ${c.dataSeed}`,
    scaling: scalingText(c.scaling),
    normalisation: NORMALISATION[c.normalize],
    precision: precisionText(c.precision),
    ε: fmt(c.epsilon),
    budget: `c = ${fmt(c.budget)} (c·T steps)`,
    maxSteps: String(c.maxSteps),
    seeds: String(c.seeds),
    δ: fmt(c.delta),
  };
}

/** The curve of `event` in each cell of the group that has one, by n. */
function curvesOf(g: Group, event: StudyEvent): { a: CellAnalysis; curve: EventCurve }[] {
  return g.cells
    .map((a) => ({ a, curve: a.curves.find((cv) => cv.event === event) }))
    .filter((x): x is { a: CellAnalysis; curve: EventCurve } => x.curve !== undefined)
    .sort((p, q) => p.a.cell.n - q.a.cell.n);
}

const BOUND_WORDS = { below: 'censored below', above: 'censored above' } as const;

/** 1. The success rate against m, one series per n, with Wilson bars and the thresholds as horizontal intervals. */
function rateFigure(c: WidthStudyConfig, g: Group, event: StudyEvent, slug: string, out: Built): void {
  const name = `${slug}-${event}-rates`;
  const curves = curvesOf(g, event).filter((x) => x.curve.rates.some((w) => w.trials > 0));
  if (curves.length === 0) {
    out.skipped.push(`${name}: no width of any n has a run that determined ${eventName(event)} yet.`);
    return;
  }
  const qHigh = 1 - c.delta;
  const series: Series[] = [];
  const notes: string[] = [];
  let open = false;
  curves.forEach(({ a, curve }, i) => {
    const color = seriesColor(i, curves.length);
    const rated = curve.rates.filter((w) => w.trials > 0);
    series.push({
      name: `n = ${a.cell.n}`,
      x: rated.map((w) => w.m),
      y: rated.map((w) => w.rate),
      yLow: rated.map((w) => w.wilson[0]),
      yHigh: rated.map((w) => w.wilson[1]),
      mark: 'line+points',
      color,
    });
    const marks: { m: number; q: number; lo: number; hi: number }[] = [];
    for (const t of [curve.half, curve.high]) {
      const p = place(a.cell.n, t, curve);
      if (p && (p.kind === 'estimated' || p.kind === 'open')) {
        marks.push({ m: p.m, q: t.q, lo: p.lo, hi: p.hi });
        if (p.kind === 'open') open = true;
      } else notes.push(`n = ${a.cell.n}: ${thresholdName(t.q)} ${thresholdText(t, curve)}`);
    }
    if (marks.length > 0) {
      series.push({
        name: `n = ${a.cell.n}: ${marks.map((mk) => thresholdName(mk.q)).join(', ')} (95% profile CI)`,
        x: marks.map((mk) => mk.m),
        y: marks.map((mk) => mk.q),
        xLow: marks.map((mk) => mk.lo),
        xHigh: marks.map((mk) => mk.hi),
        mark: 'points',
        shape: 'diamond',
        color,
      });
    }
    const undetermined = curve.rates.reduce((s, w) => s + w.undetermined, 0);
    if (undetermined > 0) notes.push(`n = ${a.cell.n}: ${undetermined} run(s) budget-limited (maxSteps below c·T, ε not reached), left out of the rate`);
  });
  out.figures.push({
    name,
    spec: lineChart({
      title: `${modelLabel(g.model)}, ${protocolText(g.protocol)}: P(${eventName(event)}) against width`,
      xLabel: 'width m (log scale)',
      yLabel: `success rate over seeds: ${eventName(event)}`,
      logX: true,
      yDomain: [0, 1],
      series,
      rules: [
        { name: 'rate ½', y: 0.5, style: 'dotted', color: '#777' },
        { name: `rate 1 − δ = ${fmt(qHigh)}`, y: qHigh, style: 'dotted', color: '#aaa' },
      ],
      subtitle: [
        `Event: ${EVENT_TEXT[event]}.`,
        `Points: successes/trials over ${c.seeds} seeds; bars: Wilson 95% interval. ◆ with a horizontal bar: the width where a logistic fit in ln m crosses ½ (m½) and 1 − δ (${thresholdName(qHigh)}), with its 95% profile-likelihood interval${open ? ' (an open side is drawn to the probed edge)' : ''}.`,
        ...(notes.length > 0 ? [`${notes.join('; ')}.`] : []),
      ],
      conventions: groupConventions(c, g),
    }),
    caption: `${modelLabel(g.model)}, ${protocolText(g.protocol)}: the fraction of seeds for which ${EVENT_TEXT[event].replace(/^[^:]*: /, '')} held, against m, one curve per n, with Wilson 95% intervals and the logistic thresholds m½ and ${thresholdName(qHigh)} with their profile-likelihood intervals. Censored thresholds are named in the subtitle, not drawn.`,
  });
}

/** 2. m½ and m_{1−δ} against n (log-log): estimates with their intervals, bounds as open triangles, the weighted fits. */
function thresholdFigure(c: WidthStudyConfig, g: Group, event: StudyEvent, slug: string, fits: readonly ExponentFit[], out: Built): void {
  const name = `${slug}-${event}-thresholds`;
  const curves = curvesOf(g, event);
  const series: Series[] = [];
  const lines: string[] = [];
  let bounds = false;
  let opens = false;
  let any = false;
  (['half', 'high'] as const).forEach((which, qi) => {
    const color = seriesColor(qi, 2);
    const placed = curves.map(({ a, curve }) => ({ t: curve[which], p: place(a.cell.n, curve[which], curve) })).filter((x) => x.p !== null);
    if (placed.length === 0) return;
    any = true;
    const q = placed[0].t.q;
    const qn = thresholdName(q);
    const est = placed.filter((x) => x.p!.kind === 'estimated').map((x) => x.p!);
    if (est.length > 0) series.push({ name: `${qn} (95% profile CI)`, x: est.map((p) => p.n), y: est.map((p) => p.m), yLow: est.map((p) => p.lo), yHigh: est.map((p) => p.hi), mark: 'points', color });
    const op = placed.filter((x) => x.p!.kind === 'open').map((x) => x.p!);
    if (op.length > 0) {
      opens = true;
      series.push({ name: `${qn}, open interval (not fitted)`, x: op.map((p) => p.n), y: op.map((p) => p.m), yLow: op.map((p) => p.lo), yHigh: op.map((p) => p.hi), mark: 'points', filled: false, color });
    }
    for (const kind of ['below', 'above'] as const) {
      const bs = placed.filter((x) => x.p!.kind === kind).map((x) => x.p!);
      if (bs.length === 0) continue;
      bounds = true;
      series.push({
        name: `${qn} ${kind === 'below' ? '≤ smallest width probed' : '> largest width probed'} (${BOUND_WORDS[kind]}, not fitted)`,
        x: bs.map((p) => p.n),
        y: bs.map((p) => p.m),
        mark: 'points',
        shape: kind === 'below' ? 'triangle-down' : 'triangle-up',
        filled: false,
        color,
      });
    }
    const fitN = fits.find((f) => f.event === event && f.q === q && f.against === 'n');
    if (fitN?.fit && fitN.used.length >= 2) {
      const lo = Math.min(...fitN.used);
      const hi = Math.max(...fitN.used);
      const grid = Array.from({ length: 24 }, (_, i) => lo * (hi / lo) ** (i / 23));
      series.push({ name: `fit ${qn} ≈ ${fmt(fitN.fit.constant)}·n^b: ${fitText(fitN)}`, x: grid, y: grid.map((n) => fitN.fit!.constant * n ** fitN.fit!.exponent), color, style: qi === 0 ? 'solid' : 'dashed' });
    }
    const fitL = fits.find((f) => f.event === event && f.q === q && f.against === 'n/λ');
    const parts = [fitN && !fitN.fit ? `vs n ${fitText(fitN)}` : '', fitL ? `vs n/λ ${fitText(fitL)}` : '', fitN && fitN.refused.length > 0 ? `not fitted: ${refusedText(fitN)}` : ''].filter((t) => t !== '');
    if (parts.length > 0) lines.push(`${qn}: ${parts.join('; ')}.`);
  });
  if (!any) {
    out.skipped.push(`${name}: no n has a threshold of ${eventName(event)} to draw (no widths probed yet, or too few: each curve needs two widths with trials).`);
    return;
  }
  out.figures.push({
    name,
    spec: lineChart({
      title: `${modelLabel(g.model)}, ${protocolText(g.protocol)}: width thresholds of ${eventName(event)} against n`,
      xLabel: 'number of training points n (log scale)',
      yLabel: 'threshold width m_q (log scale)',
      logX: true,
      logY: true,
      series,
      subtitle: [
        `m_q: the width where the logistic fit of P(${eventName(event)}) in ln m crosses q; bars: 95% profile-likelihood interval${opens ? ' (an open side drawn to the probed edge)' : ''}. Lines: weighted least squares of ln m_q on ln n (weights from the intervals), exponent b with its 95% CI, over the n with an estimated threshold.`,
        ...(bounds ? ['Open triangles are bounds at the probed edge, not thresholds, and are not fitted: ▽ the rate was already ≥ q at the smallest width probed; △ it was still < q at the largest.'] : []),
        ...lines,
      ],
      conventions: groupConventions(c, g),
    }),
    caption: `${modelLabel(g.model)}, ${protocolText(g.protocol)}: m½ and ${thresholdName(1 - c.delta)} of ${eventName(event)} against n on log-log axes, with profile-likelihood intervals and the weighted power-law fits (exponent, interval and the n used in the legend); censored thresholds are open triangles at the probed edge and are not fitted.`,
  });
}

/** 3. The phase diagram: success rate over the n × m grid, with the contour at ½ (m½ per n). */
function phaseFigure(c: WidthStudyConfig, g: Group, event: StudyEvent, slug: string, out: Built): void {
  const name = `${slug}-${event}-phase`;
  const curves = curvesOf(g, event);
  const cells: HeatCell[] = curves.flatMap(({ a, curve }) => curve.rates.map((w) => ({ x: w.m, row: a.cell.n, value: w.trials > 0 ? w.rate : Number.NaN })));
  if (cells.length === 0) {
    out.skipped.push(`${name}: no width of any n has been run for ${eventName(event)} yet.`);
    return;
  }
  const placed = curves.map(({ a, curve }) => place(a.cell.n, curve.half, curve)).filter((p): p is Placed => p !== null);
  const red = '#e15759';
  const overlay: Series[] = [];
  const inside = placed.filter((p) => p.kind === 'estimated' || p.kind === 'open');
  if (inside.length > 0) {
    overlay.push({ name: 'm½ per n (95% profile CI): the contour at ½', x: inside.map((p) => p.m), y: inside.map((p) => p.n), xLow: inside.map((p) => p.lo), xHigh: inside.map((p) => p.hi), mark: 'line+points', color: red });
  }
  for (const kind of ['below', 'above'] as const) {
    const bs = placed.filter((p) => p.kind === kind);
    if (bs.length === 0) continue;
    overlay.push({
      name: `m½ ${kind === 'below' ? '≤ smallest width probed' : '> largest width probed'} (${BOUND_WORDS[kind]})`,
      x: bs.map((p) => p.m),
      y: bs.map((p) => p.n),
      mark: 'points',
      shape: kind === 'below' ? 'triangle-left' : 'triangle-right',
      filled: false,
      color: kind === 'below' ? '#f28e2b' : red,
    });
  }
  out.figures.push({
    name,
    spec: heatMapChart({
      title: `${modelLabel(g.model)}, ${protocolText(g.protocol)}: phase diagram of ${eventName(event)}`,
      xLabel: 'width m (log scale)',
      yLabel: 'n',
      valueLabel: 'success rate',
      logX: true,
      cells,
      valueDomain: [0, 1],
      scheme: 'viridis',
      overlay,
      missingText: 'probed, but no run determined the event (budget-limited)',
      subtitle: [
        `Colour: the fraction of ${c.seeds} seeds for which the event held at each (n, m) probed; each cell reaches halfway (in ln m) to the next width probed, blank where none was. Red: m½, where the logistic fit crosses ½, with its 95% profile interval; open triangles: m½ censored at the probed edge.`,
      ],
      conventions: groupConventions(c, g),
    }),
    caption: `${modelLabel(g.model)}, ${protocolText(g.protocol)}: the success rate of ${eventName(event)} on the probed (n, m) grid (log m, one row per n), with m½ per n overlaid (the contour at ½).`,
  });
}

/** 4. λ = λ_min(H^lim) against n, one series per protocol of the model. */
function lambdaFigure(c: WidthStudyConfig, model: StudyModel, groups: readonly Group[], slug: string, out: Built): void {
  const name = `${slug}-lambda`;
  const series: Series[] = groups
    .map((g, i): Series => {
      const pts = g.cells.filter((a) => a.lambda !== null && a.lambda > 0 && Number.isFinite(a.lambda)).sort((p, q) => p.cell.n - q.cell.n);
      return { name: `λ_min(H^lim), ${protocolText(g.protocol)}`, x: pts.map((a) => a.cell.n), y: pts.map((a) => a.lambda!), mark: 'line+points', color: seriesColor(i, groups.length) };
    })
    .filter((s) => s.x.length > 0);
  if (series.length === 0) {
    out.skipped.push(`${name}: no cell of ${modelLabel(model)} has a positive λ (λ comes from the limit kernel of training cells, or from the runs of initial-kernel cells).`);
    return;
  }
  const conv = { ...groupConventions(c, { model, protocol: 'd=n', cells: [] }), protocol: c.protocols.map(protocolText).join(', ') };
  out.figures.push({
    name,
    spec: lineChart({
      title: `${modelLabel(model)}: λ = λ_min(H^lim) against n`,
      xLabel: 'number of training points n (log scale)',
      yLabel: 'λ_min(H^lim) (NTK scale, log scale)',
      logX: true,
      logY: true,
      series,
      subtitle: [`The smallest eigenvalue of the infinite-width kernel on each cell's data (data seed ${c.dataSeed}); it sets λ/4 of events B and lazy and the x = n/λ of the second fits.`],
      conventions: conv,
    }),
    caption: `${modelLabel(model)}: λ = λ_min(H^lim) of the study's data against n, one curve per protocol (log-log).`,
  });
}

/** 5a. Per (model, protocol): n, λ and each event's thresholds with their intervals and censoring. */
function thresholdTable(c: WidthStudyConfig, g: Group): Table {
  const events = STUDY_EVENTS.filter((e) => g.cells.some((a) => a.curves.some((cv) => cv.event === e)));
  const qHigh = thresholdName(1 - c.delta);
  const rows = [...g.cells]
    .sort((p, q) => p.cell.n - q.cell.n)
    .map((a): Cell[] => {
      const probed = new Set(a.curves.flatMap((cv) => cv.rates.map((w) => w.m)));
      const ms = [...probed];
      const status = [a.pending.length > 0 ? `${a.pending.length} width(s) pending` : '', a.errors.count > 0 ? `${a.errors.count} error(s)${a.errors.first ? `: ${a.errors.first}` : ''}` : ''].filter((s) => s !== '').join('; ');
      return [
        a.cell.n,
        a.cell.d,
        `${a.cell.kind === 'train' ? 'training' : 'initial kernel'} (${a.cell.events.join(', ')})`,
        a.lambda,
        ...events.flatMap((e): Cell[] => {
          const cv = a.curves.find((x) => x.event === e);
          return cv ? [thresholdCell(cv.half, cv), thresholdCell(cv.high, cv)] : [null, null];
        }),
        a.relativeDriftAtLazy ? `${fmt(a.relativeDriftAtLazy.median)} (m = ${fmt(a.relativeDriftAtLazy.m)})` : null,
        ms.length === 0 ? 'none yet' : `${ms.length}: ${fmt(Math.min(...ms))}–${fmt(Math.max(...ms))}`,
        status === '' ? null : { text: status, tone: a.errors.count > 0 ? 'bad' : undefined },
      ];
    });
  return {
    caption: `${modelLabel(g.model)}, ${protocolText(g.protocol)}: λ and the width thresholds per n (logistic fit in ln m; 95% profile-likelihood intervals; ≤/>: censored at the smallest/largest width probed, a bound; open interval: a side of the interval lies outside the probed widths; —: not measured, initial-kernel cells give event B only)`,
    columns: ['n', 'd', 'runs', 'λ = λ_min(H^lim)', ...events.flatMap((e) => [`${e}: m½ [95% CI]`, `${e}: ${qHigh} [95% CI]`]), 'relative kernel change at lazy m½ (median over seeds of max_k ‖H(W(k)) − H(W(0))‖₂/‖H(W(0))‖₂)', 'widths probed', 'pending / errors'],
    rows,
  };
}

/** 5b. Every fitted exponent. */
function fitTable(fits: readonly ExponentFit[]): Table {
  return {
    caption: 'Fitted exponents m_q ≈ C·x^b, x = n or n/λ: weighted least squares of ln m_q on ln x with weights from the profile intervals, over the n with an estimated threshold (censored and open-interval thresholds refused); 95% CI of b (t with k − 2 degrees of freedom, normal with two points)',
    columns: ['model', 'protocol', 'event', 'threshold', 'against', 'b', '95% CI of b', 'C', 'dispersion σ̂²', 'n used (k of K)', 'not fitted (why)'],
    rows: fits.map((f): Cell[] => [
      modelLabel(f.model),
      protocolText(f.protocol),
      f.event,
      thresholdName(f.q),
      f.against,
      f.fit ? f.fit.exponent : { text: 'no fit (fewer than two n with an estimated threshold)', tone: 'bad' },
      f.fit?.ci ? `[${fmt(f.fit.ci[0])}, ${fmt(f.fit.ci[1])}]` : null,
      f.fit ? f.fit.constant : null,
      f.fit && Number.isFinite(f.fit.dispersion) ? f.fit.dispersion : null,
      `${f.used.length} of ${f.used.length + f.refused.length}${f.used.length > 0 ? `: ${f.used.join(', ')}` : ''}`,
      f.refused.length > 0 ? refusedText(f) : null,
    ]),
  };
}

/** 6. The conventions of the study, in words. */
function conventionsText(c: WidthStudyConfig): string {
  const q = thresholdName(1 - c.delta);
  return [
    `Events (docs/theory.md §4), per run: int — ${EVENT_TEXT.int}; B — ${EVENT_TEXT.B}; lazy — ${EVENT_TEXT.lazy}. λ = λ_min(H^lim) on the NTK scale H/(κ²m), the same number for every width and seed of a cell.`,
    `Thresholds: per (model, protocol, n, event), a logistic fit p(m) = σ(a + b ln m) to the successes over ${c.seeds} seeds at each width probed, read at ½ (m½) and at 1 − δ = ${fmt(1 - c.delta)} (${q}), with 95% profile-likelihood intervals. m½ of int is the interpolation threshold under this protocol — the width at which gradient descent with η = 1/λ_max(H(W(0))) reaches ε = ${fmt(c.epsilon)} within c·T steps (c = ${fmt(c.budget)}, capped at ${c.maxSteps}) for half the seeds — not the sufficient width of a theorem; likewise m½ of B is the concentration threshold and m½ of lazy the kernel-regime threshold under this protocol. A threshold outside the probed widths is censored (a bound), one whose interval leaves them is an open interval; neither is fitted.`,
    `Grid: widths m = 2^{j/g} rounded to an even integer (g = ${c.gridPerDoubling} per doubling) from ${c.mMin} to ${c.mMax}, first at levels 4× apart, then bisected around each transition; training runs up to n·m·d = ${pow2(c.maxTrainWork)}, initial-kernel runs up to n²·m = ${pow2(c.maxInitWork)} (wider ones are not run, and a threshold beyond is censored above). n ≤ ${c.trainMaxN}: training runs give int, B and lazy; above, the initial kernel only gives B.`,
    `Data: ${c.inputs} inputs and ${c.labels} labels, data seed ${c.dataSeed} (the same data for every width and seed of a cell), protocols ${c.protocols.map(protocolText).join(', ')}; normalisation ${NORMALISATION[c.normalize]}; scaling ${scalingText(c.scaling)}; precision ${precisionText(c.precision)}; initialisation seeds 0…${c.seeds - 1}.`,
  ].join('\n\n');
}

export function widthStudyPage(config: WidthStudyConfig, outcome: WidthStudyAnalysis & { rounds?: number; complete?: boolean }, opts: WidthStudyPageOptions = {}): Page {
  const c = config;
  const sections: PageSection[] = [{ heading: 'What is measured', text: conventionsText(c), figures: [] }];
  for (const model of c.models) {
    const groups: Group[] = c.protocols
      .map((protocol) => ({ model, protocol, cells: outcome.cells.filter((a) => sameModel(a.cell.model, model) && a.cell.protocol === protocol) }))
      .filter((g) => g.cells.length > 0);
    const slug = `ws-${model.activation}-${model.init}`;
    const out: Built = { figures: [], skipped: [] };
    const tables: Table[] = [];
    if (groups.length === 0) out.skipped.push(`${slug}: no cell of ${modelLabel(model)} in the analysis.`);
    for (const g of groups) {
      const gSlug = `${slug}-${protocolSlug(g.protocol)}`;
      const fits = outcome.fits.filter((f) => sameModel(f.model, model) && f.protocol === g.protocol);
      for (const event of STUDY_EVENTS) {
        if (!g.cells.some((a) => a.curves.some((cv) => cv.event === event))) continue;
        rateFigure(c, g, event, gSlug, out);
        thresholdFigure(c, g, event, gSlug, fits, out);
        phaseFigure(c, g, event, gSlug, out);
      }
      tables.push(thresholdTable(c, g));
    }
    if (groups.length > 0) lambdaFigure(c, model, groups, slug, out);
    const lead = `Per protocol (${groups.map((g) => protocolText(g.protocol)).join(', ') || 'none'}) and event: the success rate against width, the thresholds against n with their fits, and the phase diagram over n × m; then λ(n) and the table of thresholds.`;
    sections.push({
      heading: modelLabel(model),
      text: [lead, ...out.skipped.map((s) => `Not drawn: ${s}`)].join('\n\n'),
      figures: out.figures,
      tables,
    });
  }
  sections.push({
    heading: 'Fitted exponents',
    text: outcome.fits.length === 0 ? 'No fits: no cell has a curve of any event yet.' : 'Every (model, protocol, event, threshold, against n or n/λ); the n whose thresholds are censored or open are named with why, not fitted.',
    figures: [],
    tables: outcome.fits.length > 0 ? [fitTable(outcome.fits)] : [],
  });

  const rounds = outcome.rounds !== undefined ? `${outcome.rounds} round(s)` : '';
  const complete = outcome.complete === undefined ? '' : outcome.complete ? 'the planner needs no further runs' : 'not complete (stopped, or a round added no result: see the errors in the tables)';
  const status = [rounds, complete].filter((s) => s !== '').join('; ');
  const intro = [
    `How wide must the network be? The success probability over seeds, against width m, of interpolation (int), concentration of the initial kernel (B) and the kernel regime along the run (lazy), for ${c.models.map(modelLabel).join('; ')}, protocols ${c.protocols.map(protocolText).join(', ')}, n ∈ {${c.n.join(', ')}}.`,
    `${outcome.runs} distinct run(s) with a finished result${status ? `; ${status}` : ''}.${opts.command ? ` Made by \`${opts.command}\`.` : ''}`,
  ].join('\n\n');
  return {
    title: opts.title ?? 'overparam width study',
    intro,
    conventions: {
      models: c.models.map(modelLabel).join('; '),
      protocols: c.protocols.map(protocolText).join(', '),
      n: c.n.join(', '),
      data: `${c.inputs} inputs, ${c.labels} labels, data seed ${c.dataSeed}`,
      scaling: scalingText(c.scaling),
      normalisation: NORMALISATION[c.normalize],
      precision: precisionText(c.precision),
      ε: `${fmt(c.epsilon)} (‖F(W,X) − y‖₂ ≤ ε, unsquared)`,
      'step budget': `c·T with c = ${fmt(c.budget)}, T the linearised prediction of each run's initial kernel; η = 1/λ_max(H(W(0)))`,
      maxSteps: `${c.maxSteps} (a run capped below c·T that did not reach ε is budget-limited and left out of the int rate)`,
      seeds: `${c.seeds} per width (0…${c.seeds - 1})`,
      δ: `${fmt(c.delta)} (thresholds at ½ and 1 − δ = ${fmt(1 - c.delta)})`,
      grid: `m = 2^{j/${c.gridPerDoubling}} (even), ${c.mMin}…${c.mMax}; training for n ≤ ${c.trainMaxN}`,
      kernels: 'NTK scale H/(κ²m)',
    },
    sections,
  };
}
