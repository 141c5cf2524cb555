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
import { checkEpsilon, checkEta, checkMaxSteps, checkMonitorEvery } from '../train/settings.js';

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
  /** Kernel monitoring interval in steps (0: none; 'auto': autoMonitorEvery of the run's n, m, d). */
  monitorEvery: number | 'auto';
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
  const known = ['data', 'model', 'normalize', 'eta', 'epsilon', 'maxSteps', 'precision', 'monitorEvery'];
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
  const model = (s.model ?? {}) as ModelSpec;
  validateSpec(model);
  const normalize = parseNormalizeKind(s.normalize);
  const eta = checkEta(s.eta);
  const epsilon = checkEpsilon(s.epsilon);
  const maxSteps = checkMaxSteps(s.maxSteps);
  if (s.precision !== 'f64' && s.precision !== 'f32') throw new OptionError(`unknown precision '${String(s.precision)}' (expected one of: f64, f32)`, { field: 'precision' });
  const monitorEvery = s.monitorEvery === 'auto' ? 'auto' : checkMonitorEvery(s.monitorEvery);
  // sizes no machine holds are refused here already; what fits this machine is checked when the run starts (train/memory.ts)
  if (recipe.kind === 'synthetic' && recipe.n * model.m > MAX_PAIRS) throw new OptionError(`n·m = ${recipe.n * model.m} is beyond what one run can hold`, { field: 'm' });
  if (recipe.kind === 'synthetic' && recipe.n * recipe.d > MAX_PAIRS) throw new OptionError(`n·d = ${recipe.n * recipe.d} is beyond what one run can hold`, { field: 'd' });
  if (recipe.kind === 'synthetic' && model.m * recipe.d > MAX_PAIRS) throw new OptionError(`m·d = ${model.m * recipe.d} is beyond what one run can hold`, { field: 'm' });
  return {
    data: recipe,
    model: { activation: model.activation, scaling: model.scaling, init: model.init, m: model.m, seed: model.seed },
    normalize,
    eta,
    epsilon,
    maxSteps,
    precision: s.precision,
    monitorEvery,
  };
}

export function describeRun(spec: RunSpec): string {
  const data = spec.data.kind === 'synthetic' ? `${spec.data.inputs} n=${spec.data.n} d=${spec.data.d}` : spec.data.path;
  const { activation, init, m, seed } = spec.model;
  return `${activation}/${init} m=${m} seed=${seed} on ${data}`;
}
