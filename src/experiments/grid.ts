/**
 * A sweep's grid: n values × widths × seeds × activations × initialisations × data sets, from a
 * JSON or YAML file and/or command-line lists, expanded into run specs in a fixed order.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Precision, Scaling } from '../backend/types.js';
import { parseNormalizeKind } from '../data/normalize.js';
import { INPUT_KINDS, LABEL_KINDS, type InputKind, type LabelKind } from '../data/synthetic.js';
import { OptionError } from '../errors.js';
import { activationByName, type ActivationName } from '../activations/index.js';
import { checkSeed, checkWidth, parseInit, parseScaling, type Init } from '../model/spec.js';
import { checkAlpha, checkEpsilon, checkEta, checkMaxSteps, checkMonitorEvery } from '../train/settings.js';
import { checkLabelNoise, checkSynthetic, checkTestRecipe, validateRunSpec, type DataRecipe, type RunSpec, type TestRecipe } from './spec.js';

/** A data set of the grid: synthetic (n comes from the grid's n list) or a file. */
export type GridData = { inputs: InputKind; d: number; labels: LabelKind; seed: number } | { path: string; labelColumn?: string; labelsPath?: string };

/** The lists the grid crosses, plus the settings every run shares (as in RunSpec). */
export interface Grid extends Pick<RunSpec, 'normalize' | 'eta' | 'epsilon' | 'maxSteps' | 'precision' | 'monitorEvery'> {
  data: GridData[];
  n: number[];
  width: number[];
  seeds: number[];
  activation: ActivationName[];
  init: Init[];
  scaling: Scaling;
  /** Held-out points of every run (docs/theory.md §6; absent: none). */
  test?: TestRecipe;
  /** The fraction of training labels replaced by random ones (absent: none). */
  labelNoise?: number;
  /** Output factors α of the centred model (docs/theory.md §6), crossed like widths (absent: the plain network). */
  alpha?: number[];
}

export const DEFAULT_GRID: Grid = {
  data: [{ inputs: 'sphere', d: 8, labels: 'normal', seed: 0 }],
  n: [16, 32],
  width: [256, 1024],
  seeds: [0, 1, 2],
  activation: ['exp'],
  init: ['gaussian'],
  scaling: 'ntk',
  normalize: 'unit',
  eta: 'auto',
  epsilon: 0.01,
  maxSteps: 20_000,
  precision: 'f64',
  monitorEvery: 0,
};

const GRID_KEYS = [...Object.keys(DEFAULT_GRID), 'test', 'labelNoise', 'alpha'];

/** A decimal number written out (no hex, no "Infinity", no empty text): the one syntax numbers have on the command line and in spec files. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number given as a number or as decimal text; OptionError naming the field otherwise. */
export function numberOf(field: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v.trim())) {
    const t = v.trim();
    const x = Number(t);
    // said as what was typed: 1e400 is not "Infinity", 1e-400 not "0"
    if (!Number.isFinite(x)) throw new OptionError(`'${t}' is beyond the range of a double (about 1.8e308)`, { field });
    if (x === 0 && /[1-9]/.test(t.replace(/[eE].*$/, ''))) throw new OptionError(`'${t}' is below the smallest double (about 5e-324) and reads as 0`, { field });
    return x;
  }
  throw new OptionError(`'${String(v)}' is not a number`, { field });
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function ints(field: string, v: unknown, min: number): number[] {
  const xs = list(v);
  if (xs.length === 0) throw new OptionError('empty list', { field });
  return xs.map((x) => {
    const k = numberOf(field, x);
    if (!Number.isSafeInteger(k) || k < min) throw new OptionError(`'${String(x)}' is not an integer ≥ ${min}`, { field });
    return k;
  });
}

function gridData(v: unknown): GridData[] {
  return list(v).map((raw, k) => {
    const x = raw as Record<string, unknown>;
    if (x === null || typeof x !== 'object') throw new OptionError(`data[${k}]: expected an object`, { field: 'data' });
    if (typeof x.path === 'string') {
      const g: GridData = { path: x.path };
      if (typeof x.labelColumn === 'string') g.labelColumn = x.labelColumn;
      if (typeof x.labelsPath === 'string') g.labelsPath = x.labelsPath;
      return g;
    }
    const { inputs, d, labels, seed } = checkSynthetic({
      n: 1,
      inputs: x.inputs ?? 'sphere',
      labels: x.labels ?? 'normal',
      d: numberOf('d', x.d ?? 8),
      seed: numberOf('dataSeed', x.seed ?? 0),
    });
    return { inputs, d, labels, seed };
  });
}

/**
 * A grid from a partial object (a spec file's content, or command-line values on top of one), each
 * field checked by the same function as a single run's (train/settings.ts, model/spec.ts).
 * `seeds` may be a count (3 → seeds 0,1,2) or a list.
 */
export function parseGrid(raw: Record<string, unknown>, base: Grid = DEFAULT_GRID): Grid {
  const unknown = Object.keys(raw).filter((k) => !GRID_KEYS.includes(k));
  if (unknown.length) throw new OptionError(`sweep spec: unknown field(s) ${unknown.join(', ')} (known: ${GRID_KEYS.join(', ')})`);
  const g: Grid = { ...base };
  if (raw.data !== undefined) g.data = gridData(raw.data);
  if (raw.n !== undefined) g.n = ints('n', raw.n, 1);
  if (raw.width !== undefined) g.width = ints('m', raw.width, 1).map((m) => checkWidth(m, 'gaussian'));
  if (raw.seeds !== undefined) {
    const s = raw.seeds;
    const count = Array.isArray(s) ? 0 : ints('seeds', s, 1)[0];
    if (count > MAX_RUNS) throw new OptionError(`${count} seeds: a grid holds at most ${MAX_RUNS.toLocaleString('en-US')} runs`, { field: 'seeds' });
    g.seeds = Array.isArray(s) ? ints('seeds', s, 0).map((x) => checkSeed(x)) : Array.from({ length: count }, (_, k) => k);
  }
  if (raw.activation !== undefined) g.activation = list(raw.activation).map((a) => activationByName(String(a)).name as ActivationName);
  if (raw.init !== undefined) g.init = list(raw.init).map(parseInit);
  if (raw.scaling !== undefined) g.scaling = parseScaling(raw.scaling);
  if (raw.normalize !== undefined) g.normalize = parseNormalizeKind(raw.normalize);
  if (raw.eta !== undefined) g.eta = checkEta(raw.eta === 'auto' ? 'auto' : numberOf('eta', raw.eta));
  if (raw.epsilon !== undefined) g.epsilon = checkEpsilon(numberOf('epsilon', raw.epsilon));
  if (raw.maxSteps !== undefined) g.maxSteps = checkMaxSteps(numberOf('maxSteps', raw.maxSteps));
  if (raw.precision !== undefined) {
    if (raw.precision !== 'f64' && raw.precision !== 'f32') throw new OptionError(`unknown precision '${String(raw.precision)}' (expected one of: f64, f32)`, { field: 'precision' });
    g.precision = raw.precision as Precision;
  }
  if (raw.monitorEvery !== undefined) g.monitorEvery = raw.monitorEvery === 'auto' ? 'auto' : checkMonitorEvery(numberOf('monitorEvery', raw.monitorEvery));
  if (raw.labelNoise !== undefined) g.labelNoise = checkLabelNoise(numberOf('labelNoise', raw.labelNoise));
  if (raw.alpha !== undefined) {
    const xs = list(raw.alpha);
    if (xs.length === 0) throw new OptionError('empty list', { field: 'alpha' });
    g.alpha = xs.map((x) => checkAlpha(numberOf('alpha', x)));
  }
  if (raw.test !== undefined) {
    const t = raw.test as Record<string, unknown>;
    const parsed = t !== null && typeof t === 'object' && t.kind === 'fraction' ? { ...t, fraction: numberOf('testFraction', t.fraction), seed: numberOf('splitSeed', t.seed ?? 0) } : t !== null && typeof t === 'object' && t.kind === 'synthetic' ? { ...t, n: numberOf('testN', t.n) } : t;
    for (const recipe of recipesOf(g)) g.test = checkTestRecipe(parsed, recipe);
  }
  const sizes = { 'data sets': recipesOf(g).length, ...(g.alpha ? { 'values of α': g.alpha.length } : {}), activations: g.activation.length, initialisations: g.init.length, widths: g.width.length, seeds: g.seeds.length };
  const runs = Object.values(sizes).reduce((a, b) => a * b, 1);
  if (runs > MAX_RUNS) {
    const parts = Object.entries(sizes).map(([k, v]) => `${v} ${k}`).join(' × ');
    throw new OptionError(`the grid has ${runs.toLocaleString('en-US')} runs (${parts}): at most ${MAX_RUNS.toLocaleString('en-US')} in one grid; split it over several results files`);
  }
  return g;
}

/** Runs in one grid at most: its specs are held in memory, and its results file would grow past gigabytes. */
export const MAX_RUNS = 1_000_000;

export function readGridFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf-8');
  } catch (err) {
    throw new OptionError(`${path}: cannot read the sweep spec (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let obj: unknown;
  try {
    obj = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new OptionError(`${path}: not valid ${extname(path).slice(1).toUpperCase() || 'JSON'} (${(err as Error).message.split('\n')[0]})`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new OptionError(`${path}: a sweep spec must be an object of grid fields`);
  return obj as Record<string, unknown>;
}

/** The data recipes of the grid, in its order (a file fixes n; a synthetic set takes every n). */
export function recipesOf(g: Grid): DataRecipe[] {
  return g.data.flatMap((data): DataRecipe[] =>
    'path' in data ? [{ kind: 'file', ...data }] : g.n.map((n) => ({ kind: 'synthetic', inputs: data.inputs, n, d: data.d, labels: data.labels, seed: data.seed })),
  );
}

/** All runs of the grid in a fixed order: data, n, activation, init, α, width, seed. */
export function expandGrid(g: Grid): RunSpec[] {
  const out: RunSpec[] = [];
  for (const recipe of recipesOf(g)) {
    for (const activation of g.activation) {
      for (const init of g.init) {
        for (const alpha of g.alpha ?? [undefined]) {
          for (const m of g.width) {
            for (const seed of g.seeds) {
              out.push(
                validateRunSpec({
                  data: recipe,
                  test: g.test,
                  labelNoise: g.labelNoise,
                  alpha,
                  model: { activation, scaling: g.scaling, init, m, seed },
                  normalize: g.normalize,
                  eta: g.eta,
                  epsilon: g.epsilon,
                  maxSteps: g.maxSteps,
                  precision: g.precision,
                  monitorEvery: g.monitorEvery,
                }),
              );
            }
          }
        }
      }
    }
  }
  return out;
}
