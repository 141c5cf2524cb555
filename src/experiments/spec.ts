/**
 * A run: one training from a fully specified, deterministic recipe. Its id is a hash of the
 * canonical JSON of the recipe, so the same run has the same id on every machine; sweeps skip
 * ids already in the results file, and queues store each id once.
 */
import { createHash } from 'node:crypto';
import type { Precision } from '../backend/types.js';
import { NORMALIZE_KINDS, type NormalizeKind } from '../data/normalize.js';
import { INPUT_KINDS, LABEL_KINDS, type InputKind, type LabelKind } from '../data/synthetic.js';
import { OptionError } from '../errors.js';
import { validateSpec, type ModelSpec } from '../model/spec.js';

export type DataRecipe =
  | { kind: 'synthetic'; inputs: InputKind; n: number; d: number; labels: LabelKind; seed: number }
  | { kind: 'file'; path: string; labelColumn?: string; labelsPath?: string };

export interface RunSpec {
  data: DataRecipe;
  model: ModelSpec;
  normalize: NormalizeKind;
  eta: number | 'auto';
  epsilon: number;
  maxSteps: number;
  precision: Precision;
  /** Kernel monitoring interval in steps (0: none). */
  monitorEvery: number;
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

export function runId(spec: RunSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}

/** The largest run spec accepted from outside (a queue, a file), in bytes of JSON. */
export const MAX_SPEC_BYTES = 16 * 1024;
/** Guard against runs that cannot fit in memory: n·m and m·d limits. */
export const MAX_PAIRS = 2 ** 34;

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const isPos = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/**
 * Checks an untrusted run spec (from a file or a queue) field by field and returns it typed;
 * throws an OptionError naming the first problem.
 */
export function validateRunSpec(raw: unknown): RunSpec {
  const text = JSON.stringify(raw) ?? '';
  if (text.length > MAX_SPEC_BYTES) throw new OptionError(`run spec too large (${text.length} bytes > ${MAX_SPEC_BYTES})`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new OptionError('run spec must be a JSON object');
  const s = raw as Record<string, unknown>;
  const known = ['data', 'model', 'normalize', 'eta', 'epsilon', 'maxSteps', 'precision', 'monitorEvery'];
  const extra = Object.keys(s).filter((k) => !known.includes(k));
  if (extra.length) throw new OptionError(`run spec has unknown field(s): ${extra.join(', ')}`);
  const data = s.data as Record<string, unknown> | undefined;
  if (!data || typeof data !== 'object') throw new OptionError('run spec: data missing');
  let recipe: DataRecipe;
  if (data.kind === 'synthetic') {
    if (!INPUT_KINDS.includes(data.inputs as InputKind)) throw new OptionError(`run spec: data.inputs must be one of ${INPUT_KINDS.join(', ')}`);
    if (!LABEL_KINDS.includes(data.labels as LabelKind)) throw new OptionError(`run spec: data.labels must be one of ${LABEL_KINDS.join(', ')}`);
    if (!isInt(data.n, 1) || !isInt(data.d, 1) || !isInt(data.seed, 0)) throw new OptionError('run spec: data.n, data.d must be positive integers and data.seed a non-negative integer');
    recipe = { kind: 'synthetic', inputs: data.inputs as InputKind, n: data.n, d: data.d, labels: data.labels as LabelKind, seed: data.seed };
  } else if (data.kind === 'file') {
    if (typeof data.path !== 'string' || data.path.length === 0) throw new OptionError('run spec: data.path must be a file path');
    recipe = { kind: 'file', path: data.path };
    if (typeof data.labelColumn === 'string') recipe.labelColumn = data.labelColumn;
    if (typeof data.labelsPath === 'string') recipe.labelsPath = data.labelsPath;
  } else {
    throw new OptionError("run spec: data.kind must be 'synthetic' or 'file'");
  }
  const model = validateSpec({ ...(s.model as ModelSpec) });
  const normalize = s.normalize as NormalizeKind;
  if (!NORMALIZE_KINDS.includes(normalize)) throw new OptionError(`run spec: normalize must be one of ${NORMALIZE_KINDS.join(', ')}`);
  if (!(s.eta === 'auto' || isPos(s.eta))) throw new OptionError("run spec: eta must be a positive number or 'auto'");
  if (!isPos(s.epsilon)) throw new OptionError('run spec: epsilon must be a positive number');
  if (!isInt(s.maxSteps, 0)) throw new OptionError('run spec: maxSteps must be a non-negative integer');
  if (s.precision !== 'f64' && s.precision !== 'f32') throw new OptionError("run spec: precision must be 'f64' or 'f32'");
  if (!isInt(s.monitorEvery, 0)) throw new OptionError('run spec: monitorEvery must be a non-negative integer');
  if (recipe.kind === 'synthetic' && recipe.n * model.m > MAX_PAIRS) throw new OptionError(`run spec: n·m = ${recipe.n * model.m} is beyond what one run can hold`);
  return {
    data: recipe,
    model: { activation: model.activation, scaling: model.scaling, init: model.init, m: model.m, seed: model.seed },
    normalize,
    eta: s.eta as number | 'auto',
    epsilon: s.epsilon as number,
    maxSteps: s.maxSteps as number,
    precision: s.precision as Precision,
    monitorEvery: s.monitorEvery as number,
  };
}

export function describeRun(spec: RunSpec): string {
  const data = spec.data.kind === 'synthetic' ? `${spec.data.inputs} n=${spec.data.n} d=${spec.data.d}` : spec.data.path;
  const { activation, init, m, seed } = spec.model;
  return `${activation}/${init} m=${m} seed=${seed} on ${data}`;
}
