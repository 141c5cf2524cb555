/**
 * A sweep's grid: n values × widths × seeds × activations × initialisations × data sets, from a
 * JSON or YAML file and/or command-line lists, expanded into run specs in a fixed order.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Activation, Precision, Scaling } from '../backend/types.js';
import { NORMALIZE_KINDS } from '../data/normalize.js';
import { INPUT_KINDS, LABEL_KINDS, type InputKind, type LabelKind } from '../data/synthetic.js';
import { OptionError } from '../errors.js';
import { ACTIVATION_NAMES, INIT_NAMES, SCALING_NAMES, type Init } from '../model/spec.js';
import { validateRunSpec, type DataRecipe, type RunSpec } from './spec.js';

/** A data set of the grid: synthetic (n comes from the grid's n list) or a file. */
export type GridData = { inputs: InputKind; d: number; labels: LabelKind; seed: number } | { path: string; labelColumn?: string; labelsPath?: string };

/** The lists the grid crosses, plus the settings every run shares (as in RunSpec). */
export interface Grid extends Pick<RunSpec, 'normalize' | 'eta' | 'epsilon' | 'maxSteps' | 'precision' | 'monitorEvery'> {
  data: GridData[];
  n: number[];
  width: number[];
  seeds: number[];
  activation: Activation[];
  init: Init[];
  scaling: Scaling;
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

const GRID_KEYS = Object.keys(DEFAULT_GRID);

function list<T>(v: unknown): T[] {
  return (Array.isArray(v) ? v : [v]) as T[];
}

function ints(name: string, v: unknown, min: number): number[] {
  const xs = list<unknown>(v);
  if (xs.length === 0) throw new OptionError(`${name}: empty list`);
  return xs.map((x) => {
    const n = typeof x === 'string' ? Number(x) : x;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) throw new OptionError(`${name}: '${String(x)}' is not an integer ≥ ${min}`);
    return n;
  });
}

function names<T extends string>(name: string, allowed: readonly T[], v: unknown): T[] {
  return list<unknown>(v).map((x) => {
    if (!allowed.includes(x as T)) throw new OptionError(`${name}: unknown value '${String(x)}' (expected one of: ${allowed.join(', ')})`);
    return x as T;
  });
}

function gridData(v: unknown): GridData[] {
  return list<Record<string, unknown>>(v).map((x, k) => {
    if (x === null || typeof x !== 'object') throw new OptionError(`data[${k}]: expected an object`);
    if (typeof x.path === 'string') {
      const g: GridData = { path: x.path };
      if (typeof x.labelColumn === 'string') g.labelColumn = x.labelColumn;
      if (typeof x.labelsPath === 'string') g.labelsPath = x.labelsPath;
      return g;
    }
    const [inputs] = names('data.inputs', INPUT_KINDS, x.inputs ?? 'sphere');
    const [labels] = names('data.labels', LABEL_KINDS, x.labels ?? 'normal');
    const [d] = ints('data.d', x.d ?? 8, 1);
    const [seed] = ints('data.seed', x.seed ?? 0, 0);
    return { inputs, d, labels, seed };
  });
}

/**
 * A grid from a partial object (a spec file's content, or CLI overrides on top of one).
 * `seeds` may be a count (3 → seeds 0,1,2) or a list.
 */
export function parseGrid(raw: Record<string, unknown>, base: Grid = DEFAULT_GRID): Grid {
  const unknown = Object.keys(raw).filter((k) => !GRID_KEYS.includes(k));
  if (unknown.length) throw new OptionError(`sweep spec: unknown field(s) ${unknown.join(', ')} (known: ${GRID_KEYS.join(', ')})`);
  const g: Grid = { ...base };
  if (raw.data !== undefined) g.data = gridData(raw.data);
  if (raw.n !== undefined) g.n = ints('n', raw.n, 1);
  if (raw.width !== undefined) g.width = ints('width', raw.width, 1);
  if (raw.seeds !== undefined) {
    const s = raw.seeds;
    g.seeds = typeof s === 'number' && !Array.isArray(s) ? Array.from({ length: ints('seeds', s, 1)[0] }, (_, k) => k) : ints('seeds', s, 0);
  }
  if (raw.activation !== undefined) g.activation = names('activation', ACTIVATION_NAMES, raw.activation);
  if (raw.init !== undefined) g.init = names('init', INIT_NAMES, raw.init);
  if (raw.scaling !== undefined) g.scaling = names('scaling', SCALING_NAMES, raw.scaling)[0];
  if (raw.normalize !== undefined) g.normalize = names('normalize', NORMALIZE_KINDS, raw.normalize)[0];
  if (raw.eta !== undefined) {
    g.eta = raw.eta === 'auto' ? 'auto' : Number(raw.eta);
    if (g.eta !== 'auto' && !(g.eta > 0 && Number.isFinite(g.eta))) throw new OptionError(`eta must be a positive number or 'auto', got '${String(raw.eta)}'`);
  }
  if (raw.epsilon !== undefined) {
    g.epsilon = Number(raw.epsilon);
    if (!(g.epsilon > 0 && Number.isFinite(g.epsilon))) throw new OptionError(`epsilon must be a positive number, got '${String(raw.epsilon)}'`);
  }
  if (raw.maxSteps !== undefined) g.maxSteps = ints('maxSteps', raw.maxSteps, 0)[0];
  if (raw.precision !== undefined) g.precision = names<Precision>('precision', ['f64', 'f32'], raw.precision)[0];
  if (raw.monitorEvery !== undefined) g.monitorEvery = ints('monitorEvery', raw.monitorEvery, 0)[0];
  return g;
}

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

/** All runs of the grid in a fixed order: data, n, activation, init, width, seed. */
export function expandGrid(g: Grid): RunSpec[] {
  const out: RunSpec[] = [];
  for (const data of g.data) {
    const ns = 'path' in data ? [0] : g.n; // a file fixes n
    for (const n of ns) {
      const recipe: DataRecipe = 'path' in data ? { kind: 'file', ...data } : { kind: 'synthetic', inputs: data.inputs, n, d: data.d, labels: data.labels, seed: data.seed };
      for (const activation of g.activation) {
        for (const init of g.init) {
          for (const m of g.width) {
            for (const seed of g.seeds) {
              out.push(
                validateRunSpec({
                  data: recipe,
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
