/**
 * The report layer's own input types: plain numbers and labels, independent of where the numbers
 * come from (the trainer's history, a sweep, a threshold search). Adapt results to these.
 *
 * Arrays are `ArrayLike<number>` so that Float64Array histories can be passed without copying.
 */

/** A Vega-Lite specification as a plain JSON-able object (what the figure builders return). */
export type FigureSpec = { [key: string]: unknown };

/**
 * How the numbers were made: activation, scaling, init, normalisation, precision, …
 * Either a ready sentence, or a plain object whose entries are shown as `key value` pairs in
 * order (undefined entries are skipped; numbers to 4 significant digits). Every figure states
 * them in its subtitle. `describeConventions` turns the trainer's `Conventions` into a sentence.
 */
export type FigureConventions = string | object;

export type LineStyle = 'solid' | 'dashed' | 'dotted';

/** One named curve of a chart. `x` and `y` have the same length. */
export interface Series {
  /** Legend entry; must be unique within a chart. */
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Shorthand for style 'dashed'. */
  dashed?: boolean;
  /** Line style (default solid; `dashed: true` means 'dashed'). */
  style?: LineStyle;
  /** CSS colour; by default the next colour of a fixed 10-colour palette. */
  color?: string;
  /** 'line' (default), 'points', or 'line+points'. */
  mark?: 'line' | 'points' | 'line+points';
  /** Marker of the points (default 'circle'); e.g. triangles for bounds (left/right ones for bounds on x). */
  shape?: 'circle' | 'triangle-down' | 'triangle-up' | 'triangle-left' | 'triangle-right' | 'diamond' | 'square';
  /** Filled markers (default true); open ones for values that are bounds, not measurements. */
  filled?: boolean;
  /** Optional error bars: lower and upper ends at each x (same length as x). */
  yLow?: ArrayLike<number>;
  yHigh?: ArrayLike<number>;
  /** Optional horizontal error bars (an interval in x at each point): left and right ends (same length as x). */
  xLow?: ArrayLike<number>;
  xHigh?: ArrayLike<number>;
}

/** A reference line across the whole plot: horizontal (`y`) or vertical (`x`); give exactly one. */
export interface Rule {
  name: string;
  y?: number;
  x?: number;
  style?: LineStyle;
  dashed?: boolean;
  color?: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  series: readonly Series[];
  rules?: readonly Rule[];
  /** Extra subtitle lines (before the conventions and the notes on dropped points). */
  subtitle?: string | readonly string[];
  conventions?: FigureConventions;
  /** Plot area in pixels (default 480 × 300). */
  width?: number;
  height?: number;
  /** Fixed y domain; marks are then clipped to the frame. */
  yDomain?: readonly [number, number];
  /** Each series is thinned to at most this many points (default 1500; first and last kept). */
  maxPoints?: number;
}

/**
 * One cell of a heat map: a value at (x, row), drawn as a rectangle over [x0, x1] in its row.
 * Without x0/x1 the cell reaches halfway (geometrically on a log x axis) to its neighbours in the row.
 */
export interface HeatCell {
  x: number;
  /** The row: a discrete value (e.g. n), one band of the y axis. */
  row: number;
  /** The colour's value; non-finite: drawn grey (probed, no value). */
  value: number;
  x0?: number;
  x1?: number;
}

export interface HeatMapOptions {
  title: string;
  xLabel: string;
  /** Title of the row axis. */
  yLabel: string;
  /** Title of the colour legend. */
  valueLabel: string;
  logX?: boolean;
  cells: readonly HeatCell[];
  /** Colour domain (default the values' range). */
  valueDomain?: readonly [number, number];
  /** A sequential vega colour scheme (default 'viridis'). */
  scheme?: string;
  /** Marks drawn over the cells: `y` is the row of each point; xLow/xHigh draw intervals along the row. */
  overlay?: readonly Series[];
  /** What a grey cell means (default: no value at this cell). */
  missingText?: string;
  subtitle?: string | readonly string[];
  conventions?: FigureConventions;
  /** Plot area in pixels (default 480 wide, 36 px a row). */
  width?: number;
  height?: number;
}

/** Options every domain figure takes. `conventions` is required: every figure states them. */
export interface FigureOptions {
  conventions: FigureConventions;
  /** Replaces the default title. */
  title?: string;
  /** Extra subtitle lines. */
  subtitle?: string | readonly string[];
  /** Extra reference lines (e.g. λ/4 on the kernel-distance figure). */
  rules?: readonly Rule[];
  width?: number;
  height?: number;
  maxPoints?: number;
}

/** One training run for `lossCurves`. Residuals are the unsquared ‖r(k)‖₂ = ‖F(W(k),X) − y‖₂. */
export interface LossRun {
  /** Names the run in the legend, e.g. "m = 4096"; may be empty when there is one run. */
  label: string;
  /** Iterations k at which `residual` was recorded (ascending). */
  steps: ArrayLike<number>;
  /** ‖r(k)‖₂. */
  residual: ArrayLike<number>;
  /** ‖(I − ηH(W(0)))^k r(0)‖₂, the linearised prediction, at `linearisedSteps` (default `steps`). */
  linearised?: ArrayLike<number>;
  linearisedSteps?: ArrayLike<number>;
  /** Step size η and λ = λ_min(H^cts), for the envelope (1 − ηλ/2)^{k/2}‖r(0)‖ of docs/theory.md §4 D. */
  eta: number;
  lambda: number;
  /** ‖r(0)‖₂; by default the residual at the first recorded step. */
  r0?: number;
  /** The run's target ε, drawn as a rule (the stopping criterion ‖r‖₂ ≤ ε). */
  epsilon?: number;
}

/** λ_min(H(W(k))) along a run, for `lambdaMinOverSteps`. */
export interface LambdaRun {
  label: string;
  steps: ArrayLike<number>;
  lambdaMin: ArrayLike<number>;
  /** λ = λ_min(H^cts) (or H^∞ for ReLU); the figure draws λ/2. */
  lambda: number;
}

/** Movement R(k) = max_r ‖w_r(k) − w_r(0)‖₂ along a run, for `movementOverSteps`. */
export interface MovementRun {
  label: string;
  steps: ArrayLike<number>;
  movement: ArrayLike<number>;
  /** R* of docs/theory.md §4 A, drawn as a horizontal rule when given. */
  rStar?: number;
}

/** ReLU activation-pattern flip fraction along a run, for `flipsOverSteps`. */
export interface FlipRun {
  /** e.g. "m = 1024". */
  label: string;
  steps: ArrayLike<number>;
  /** Fraction of (neuron, sample) pairs whose sign of ⟨w_r(k), x_i⟩ differs from k = 0, in [0, 1]. */
  flipFraction: ArrayLike<number>;
}

/**
 * One measurement at width m for one seed; the width figures average over seeds per `series`
 * (e.g. the activation) and draw min–max bars.
 * `kernelDistanceVsWidth`: value = ‖H(W(0)) − H^cts‖₂; `movementVsWidth`: value = max_k R(k).
 */
export interface WidthSample {
  series: string;
  m: number;
  value: number;
  seed?: number;
}

/** The width threshold m*(n) found at one n, for `thresholdVsN`. */
export interface ThresholdPoint {
  n: number;
  /** The estimate of m*(n) (e.g. the geometric midpoint of the final bracket, or a median over seeds). */
  mStar: number;
  /** Optional bracket / spread drawn as an error bar: lo ≤ m* ≤ hi. */
  lo?: number;
  hi?: number;
  /** Group name when several groups share the plot (default "m*(n)"). */
  series?: string;
  /**
   * mStar is only a bound, not a threshold: 'upper' (m*(n) ≤ mStar: the smallest width run already
   * succeeded), 'lower' (m*(n) > mStar: no width up to mStar succeeded). Drawn as open triangles
   * (▽, △), never fitted and never the anchor of the reference orders.
   */
  bound?: 'upper' | 'lower';
}

/** A power-law fit m* ≈ prefactor · n^exponent with a confidence interval for the exponent. */
export interface PowerFit {
  exponent: number;
  prefactor: number;
  /** Confidence interval of the exponent; [NaN, NaN] when there is none (a fit through two points). */
  ci: readonly [number, number];
  /** Confidence level of `ci` (default 0.95). */
  level?: number;
  /** Which points were fitted, named in the legend (e.g. "exp, gaussian init"). */
  label?: string;
}

/** A table cell: text, a number (formatted to 4 significant digits), null (shown as —), or text with a tone. */
export type Cell = string | number | null | { text: string; tone?: 'good' | 'bad' };

export interface Table {
  caption: string;
  columns: readonly string[];
  rows: readonly (readonly Cell[])[];
}

/** One checked condition of the a-posteriori certificate (docs/theory.md §4). */
export interface CertificateRow {
  /** e.g. "λ_min(H(W(k))) ≥ λ/2 for all k". */
  condition: string;
  measured: number;
  threshold: number;
  /** How measured compares to threshold when the condition holds. */
  comparison: '≤' | '<' | '≥' | '>';
  /** Whether it held; computed from measured, comparison and threshold when omitted. */
  held?: boolean;
  /** Where the condition comes from, e.g. "docs/theory.md §4 A". */
  ref: string;
}

export interface FigureEntry {
  /** File name stem: letters, digits, '.', '_' and '-'; unique within the page. */
  name: string;
  spec: FigureSpec;
  caption: string;
}

export interface PageSection {
  heading: string;
  /** Paragraphs separated by blank lines; `backticks` become code. */
  text?: string;
  figures: readonly FigureEntry[];
  tables?: readonly Table[];
}

export interface Page {
  title: string;
  intro: string;
  conventions: FigureConventions;
  sections: readonly PageSection[];
}
