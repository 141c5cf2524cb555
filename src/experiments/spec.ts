/**
 * A run: one training from a fully specified, deterministic recipe. Its id is a hash of the
 * canonical JSON of the recipe, so the same run has the same id on every machine; sweeps skip
 * ids already in the results file, and queues store each id once.
 */
import { createHash } from 'node:crypto';
import type { Precision } from '../backend/types.js';
import { parseNormalizeKind, type NormalizeKind } from '../data/normalize.js';
import { INPUT_KINDS, LABEL_KINDS, type InputKind, type LabelKind } from '../data/synthetic.js';
import { OptionError } from '../errors.js';
import { checkSeed, validateSpec, type ModelSpec } from '../model/spec.js';
import { checkAlpha, checkEpsilon, checkEta, checkMaxSteps, checkMonitorEvery } from '../train/settings.js';

export type DataRecipe =
  | { kind: 'synthetic'; inputs: InputKind; n: number; d: number; labels: LabelKind; seed: number }
  | { kind: 'file'; path: string; labelColumn?: string; labelsPath?: string };

/**
 * Held-out points of a run (docs/theory.md §6): a file (normalised as the training data), a seeded
 * fraction of the training file, or n more synthetic points from the same distribution and teacher.
 */
export type TestRecipe =
  | { kind: 'file'; path: string; labelColumn?: string; labelsPath?: string }
  | { kind: 'fraction'; fraction: number; seed: number }
  | { kind: 'synthetic'; n: number };

export interface RunSpec {
  data: DataRecipe;
  /** Held-out points (absent: none). */
  test?: TestRecipe;
  /** A fraction p of the training labels replaced by random ones (data/noise.ts; absent: none). */
  labelNoise?: number;
  /** The centred, α-scaled model F_α = α(F − F(W(0), ·)) of docs/theory.md §6 (absent: the plain network, α = 1 uncentred). */
  alpha?: number;
  model: ModelSpec;
  normalize: NormalizeKind;
  eta: number | 'auto';
  epsilon: number;
  maxSteps: number;
  precision: Precision;
  /** Kernel monitoring interval in steps (0: none; 'auto': autoMonitorEvery of the run's n, m, d). */
  monitorEvery: number | 'auto';
  /**
   * The step budget as a multiple c of the linearised prediction T = ln(‖r(0)‖/ε)/(−ln(1 − ηλ_min(H(W(0)))))
   * of the run’s own initial kernel (docs/theory.md §4E), capped by maxSteps; needs the kernel monitor (absent: maxSteps alone).
   */
  budget?: number;
  /** After this step the kernel monitor measures only at steps monitorEvery·2^j (absent: every monitorEvery steps throughout). */
  monitorUntil?: number;
  /** Measure the initial kernel only (docs/theory.md §4B: ‖H(W(0)) − H^lim‖₂ against λ/4), no step taken; maxSteps must be 0. */
  initialOnly?: true;
}

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Raised whenever the same synthetic recipe starts drawing other numbers, so that a results file
 * made with the old data is recomputed rather than resumed (2: the labels and the teacher on
 * streams of their own, so that point i is the same whatever n; data/synthetic.ts).
 */
export const SYNTHETIC_DATA_VERSION = 2;

export function runId(spec: RunSpec): string {
  const text = canonicalJson(spec) + (spec.data.kind === 'synthetic' ? `\nsynthetic-data-v${SYNTHETIC_DATA_VERSION}` : '');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The largest run spec accepted from outside (a queue, a file), in bytes of JSON. */
export const MAX_SPEC_BYTES = 16 * 1024;
/** Guard against specs no machine can hold (n·m, n·d, m·d each ≤ 2^34 values); what fits this machine is train/memory.ts's check. */
export const MAX_PAIRS = 2 ** 34;

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** A synthetic data recipe's fields, checked (OptionError naming the field). */
export function checkSynthetic(data: Record<string, unknown>): Extract<DataRecipe, { kind: 'synthetic' }> {
  if (!INPUT_KINDS.includes(data.inputs as InputKind)) throw new OptionError(`unknown input distribution '${String(data.inputs)}' (expected one of: ${INPUT_KINDS.join(', ')})`, { field: 'synthetic' });
  if (!LABEL_KINDS.includes(data.labels as LabelKind)) throw new OptionError(`unknown label kind '${String(data.labels)}' (expected one of: ${LABEL_KINDS.join(', ')})`, { field: 'labelKind' });
  if (!isInt(data.n, 1)) throw new OptionError(`the number of points n must be a positive integer, got ${String(data.n)}`, { field: 'n' });
  if (!isInt(data.d, 1)) throw new OptionError(`the input dimension d must be a positive integer, got ${String(data.d)}`, { field: 'd' });
  checkSeed(data.seed, 'dataSeed');
  return { kind: 'synthetic', inputs: data.inputs as InputKind, n: data.n, d: data.d, labels: data.labels as LabelKind, seed: data.seed as number };
}

/**
 * Checks a run spec (from the command line, a file or a queue) field by field and returns it
 * typed; throws an OptionError naming the first problem and its field. The checks are the
 * trainer's own (train/settings.ts, model/spec.ts), so every route gets the same message.
 */
export function validateRunSpec(raw: unknown): RunSpec {
  const text = JSON.stringify(raw) ?? '';
  if (text.length > MAX_SPEC_BYTES) throw new OptionError(`run spec too large (${text.length} bytes > ${MAX_SPEC_BYTES})`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new OptionError('a run spec must be a JSON object');
  const s = raw as Record<string, unknown>;
  const known = ['data', 'test', 'labelNoise', 'alpha', 'model', 'normalize', 'eta', 'epsilon', 'maxSteps', 'precision', 'monitorEvery', 'monitorUntil', 'budget', 'initialOnly'];
  const extra = Object.keys(s).filter((k) => !known.includes(k));
  if (extra.length) throw new OptionError(`run spec has unknown field(s): ${extra.join(', ')}`);
  const data = s.data as Record<string, unknown> | undefined;
  if (!data || typeof data !== 'object') throw new OptionError('run spec: data missing', { field: 'data' });
  let recipe: DataRecipe;
  if (data.kind === 'synthetic') {
    recipe = checkSynthetic(data);
  } else if (data.kind === 'file') {
    if (typeof data.path !== 'string' || data.path.length === 0) throw new OptionError('the data file path must be a non-empty string', { field: 'data' });
    recipe = { kind: 'file', path: data.path };
    if (typeof data.labelColumn === 'string') recipe.labelColumn = data.labelColumn;
    if (typeof data.labelsPath === 'string') recipe.labelsPath = data.labelsPath;
  } else {
    throw new OptionError("run spec: data.kind must be 'synthetic' or 'file'", { field: 'data' });
  }
  const test = s.test === undefined ? undefined : checkTestRecipe(s.test, recipe);
  const labelNoise = s.labelNoise === undefined ? undefined : checkLabelNoise(s.labelNoise);
  const alpha = s.alpha === undefined ? undefined : checkAlpha(s.alpha);
  const model = (s.model ?? {}) as ModelSpec;
  validateSpec(model);
  const normalize = parseNormalizeKind(s.normalize);
  const eta = checkEta(s.eta);
  const epsilon = checkEpsilon(s.epsilon);
  const maxSteps = checkMaxSteps(s.maxSteps);
  if (s.precision !== 'f64' && s.precision !== 'f32') throw new OptionError(`unknown precision '${String(s.precision)}' (expected one of: f64, f32)`, { field: 'precision' });
  const monitorEvery = s.monitorEvery === 'auto' ? 'auto' : checkMonitorEvery(s.monitorEvery);
  const budget = s.budget === undefined ? undefined : checkBudget(s.budget);
  const monitorUntil = s.monitorUntil === undefined ? undefined : checkMaxSteps(s.monitorUntil);
  if (budget !== undefined && monitorEvery === 0) throw new OptionError('a step budget in multiples of the linearised T needs the kernel monitor (its λ_min(H(W(0)))); give a monitoring interval > 0', { field: 'monitorEvery' });
  if (s.initialOnly !== undefined && s.initialOnly !== true) throw new OptionError(`run spec: initialOnly must be true when present, got ${String(s.initialOnly)}`, { field: 'initialOnly' });
  const initialOnly = s.initialOnly === true;
  if (initialOnly && (maxSteps !== 0 || budget !== undefined || test !== undefined || alpha !== undefined)) throw new OptionError('a run that measures the initial kernel only takes no step: maxSteps 0, and no budget, test points or α', { field: 'initialOnly' });
  // sizes no machine holds are refused here already; what fits this machine is checked when the run starts (train/memory.ts)
  if (recipe.kind === 'synthetic' && recipe.n * model.m > MAX_PAIRS) throw new OptionError(`n·m = ${recipe.n * model.m} is beyond what one run can hold`, { field: 'm' });
  if (recipe.kind === 'synthetic' && recipe.n * recipe.d > MAX_PAIRS) throw new OptionError(`n·d = ${recipe.n * recipe.d} is beyond what one run can hold`, { field: 'd' });
  if (recipe.kind === 'synthetic' && model.m * recipe.d > MAX_PAIRS) throw new OptionError(`m·d = ${model.m * recipe.d} is beyond what one run can hold`, { field: 'm' });
  if (test?.kind === 'synthetic' && recipe.kind === 'synthetic' && (recipe.n + test.n) * recipe.d > MAX_PAIRS) throw new OptionError(`(n + n*)·d = ${(recipe.n + test.n) * recipe.d} is beyond what one run can hold`, { field: 'testN' });
  return {
    data: recipe,
    ...(test !== undefined ? { test } : {}),
    ...(labelNoise !== undefined ? { labelNoise } : {}),
    ...(alpha !== undefined ? { alpha } : {}),
    model: { activation: model.activation, scaling: model.scaling, init: model.init, m: model.m, seed: model.seed },
    normalize,
    eta,
    epsilon,
    maxSteps,
    precision: s.precision,
    monitorEvery,
    ...(budget !== undefined ? { budget } : {}),
    ...(monitorUntil !== undefined ? { monitorUntil } : {}),
    ...(initialOnly ? { initialOnly: true as const } : {}),
  };
}

/** The budget multiple c > 0 of the linearised T. */
export function checkBudget(v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new OptionError(`the budget multiple of the linearised T must be a positive number, got ${String(v)}`, { field: 'budget' });
  return v;
}

/** A test recipe's fields, checked against the training data's recipe (OptionError naming the field). */
export function checkTestRecipe(raw: unknown, data: DataRecipe): TestRecipe {
  const t = raw as Record<string, unknown>;
  if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new OptionError('run spec: test must be an object', { field: 'testData' });
  if (t.kind === 'file') {
    if (typeof t.path !== 'string' || t.path.length === 0) throw new OptionError('the test data file path must be a non-empty string', { field: 'testData' });
    return { kind: 'file', path: t.path, ...(typeof t.labelColumn === 'string' ? { labelColumn: t.labelColumn } : {}), ...(typeof t.labelsPath === 'string' ? { labelsPath: t.labelsPath } : {}) };
  }
  if (t.kind === 'fraction') {
    if (typeof t.fraction !== 'number' || !(t.fraction > 0 && t.fraction < 1)) throw new OptionError(`the test fraction must lie in (0, 1), got ${String(t.fraction)}`, { field: 'testFraction' });
    if (!isInt(t.seed, 0)) throw new OptionError(`the split seed must be a non-negative integer, got ${String(t.seed)}`, { field: 'splitSeed' });
    return { kind: 'fraction', fraction: t.fraction, seed: t.seed as number };
  }
  if (t.kind === 'synthetic') {
    if (data.kind !== 'synthetic') throw new OptionError('a number of synthetic test points goes with synthetic training data; give a test file or a test fraction for a data file', { field: 'testN' });
    if (!isInt(t.n, 1)) throw new OptionError(`the number of test points must be a positive integer, got ${String(t.n)}`, { field: 'testN' });
    return { kind: 'synthetic', n: t.n };
  }
  throw new OptionError("run spec: test.kind must be 'file', 'fraction' or 'synthetic'", { field: 'testData' });
}

/** The label-noise fraction p ∈ [0, 1]. */
export function checkLabelNoise(v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new OptionError(`the label-noise fraction must lie in [0, 1], got ${String(v)}`, { field: 'labelNoise' });
  return v;
}

export function describeRun(spec: RunSpec): string {
  const data = spec.data.kind === 'synthetic' ? `${spec.data.inputs} n=${spec.data.n} d=${spec.data.d}` : spec.data.path;
  const { activation, init, m, seed } = spec.model;
  const labels = spec.labelNoise !== undefined && spec.labelNoise > 0 ? ` (${spec.labelNoise === 1 ? 'random labels' : `label noise ${spec.labelNoise}`})` : '';
  return `${spec.initialOnly ? 'initial kernel of ' : ''}${activation}/${init} m=${m} seed=${seed}${spec.alpha !== undefined ? ` α=${spec.alpha}` : ''} on ${data}${labels}`;
}
