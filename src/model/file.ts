/**
 * The model file: one JSON document (see docs in README "Model file"). Arrays are stored as
 * base64 of little-endian float64 bytes, so every weight comes back bit for bit; `format` and
 * `version` let later versions read older files.
 *
 * {
 *   "format": "overparam-model", "version": 1,
 *   "spec": { activation, scaling, init, m, seed }, "d": …, "kappa": …,
 *   "normalization": { "kind": "unit" } | { "kind": "max", "scale": … } | { "kind": "none" },
 *   "arrays": { "a": {shape:[m]}, "W0": {shape:[m,d]}, "W": {shape:[m,d]} } each with
 *             dtype "float64", byteorder "little", layout "row-major (neuron r is row r)", data (base64),
 *   "regenerate": how W0 and a follow from the seed (xoshiro128**, stream "init"),
 *   "training": the conventions and outcome of the run that produced W (free-form, informative)
 * }
 */
import { readFileSync } from 'node:fs';
import { ModelError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Activation } from '../activations/types.js';
import type { Model } from './model.js';
import { kappaOf, validateSpec, type ModelSpec } from './spec.js';
import { OverparamError } from '../errors.js';

export const MODEL_FORMAT = 'overparam-model';
export const MODEL_VERSION = 1;

interface StoredArray {
  dtype: 'float64';
  byteorder: 'little';
  shape: number[];
  data: string;
}

function encode(a: Float64Array, shape: number[]): StoredArray {
  const bytes = new Uint8Array(a.length * 8);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < a.length; k++) view.setFloat64(8 * k, a[k], true);
  return { dtype: 'float64', byteorder: 'little', shape, data: Buffer.from(bytes).toString('base64') };
}

function decode(s: unknown, name: string, expected: number[], where: string): Float64Array {
  const st = s as Partial<StoredArray> | undefined;
  if (st === undefined || typeof st.data !== 'string' || !Array.isArray(st.shape)) throw new ModelError(`${where}: array '${name}' is missing or malformed`);
  if (st.dtype !== 'float64' || st.byteorder !== 'little') throw new ModelError(`${where}: array '${name}' must be little-endian float64`);
  if (st.shape.length !== expected.length || st.shape.some((v, k) => v !== expected[k])) {
    throw new ModelError(`${where}: array '${name}' has shape (${st.shape.join(',')}), expected (${expected.join(',')})`);
  }
  const bytes = Buffer.from(st.data, 'base64');
  const count = expected.reduce((p, v) => p * v, 1);
  if (bytes.length !== count * 8) throw new ModelError(`${where}: array '${name}' holds ${bytes.length} bytes, expected ${count * 8}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    out[k] = view.getFloat64(8 * k, true);
    if (!Number.isFinite(out[k])) throw new ModelError(`${where}: array '${name}' holds ${out[k]} at entry ${k} (every weight must be finite)`);
  }
  return out;
}

export function serializeModel(model: Model, training?: unknown): string {
  const { m } = model.spec;
  const doc = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    about:
      'overparam two-layer network F(W,x) = kappa * sum_r a_r * sigma(<w_r, normalize(x)>). ' +
      'Arrays: base64 of little-endian float64, row-major; W and W0 have one row per neuron (shape [m, d]), ' +
      "i.e. the transpose of docs/theory.md's d×m W. In numpy: np.frombuffer(base64.b64decode(s), '<f8').reshape(shape).",
    spec: model.spec,
    d: model.d,
    kappa: model.kappa,
    normalization: model.normalization,
    ...(model.inputNames ? { inputNames: model.inputNames } : {}),
    ...(model.alpha !== undefined ? { alpha: model.alpha, centred: 'output = alpha * (F(W, x) - F(W0, x)) (docs/theory.md §6)' } : {}),
    regenerate:
      'W0 and a are drawn from xoshiro128** (splitmix64-seeded, stream "init") with spec.seed: ' +
      (model.spec.init === 'coupled'
        ? 'w_1..w_{m/2} by Box–Muller normals in coordinate order, then a_1..a_{m/2} signs; w_{r+m/2} = w_r, a_{r+m/2} = −a_r.'
        : 'w_1..w_m by Box–Muller normals in coordinate order, then a_1..a_m signs.'),
    training: training ?? null,
    arrays: { a: encode(model.a, [m]), W0: encode(model.W0, [m, model.d]), W: encode(model.W, [m, model.d]) },
  };
  return JSON.stringify(doc, null, 1) + '\n';
}

export function saveModel(model: Model, path: string, training?: unknown): void {
  writeFileAtomic(path, serializeModel(model, training));
}

/** A model file's text as a Model; `custom` supplies the user-defined activation a spec may name. */
export function parseModel(text: string, where: string, custom?: Activation): Model {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ModelError(`${where}: not a model file (not JSON)`);
  }
  if (doc === null || typeof doc !== 'object' || doc.format !== MODEL_FORMAT) throw new ModelError(`${where}: not an overparam model file (format is not '${MODEL_FORMAT}')`);
  if (doc.version !== MODEL_VERSION) throw new ModelError(`${where}: model file version ${String(doc.version)} is not supported (this overparam reads version ${MODEL_VERSION})`);
  const spec = doc.spec as ModelSpec;
  const d = doc.d as number;
  let activation: Activation;
  try {
    activation = validateSpec(spec, custom);
  } catch (err) {
    throw new ModelError(`${where}: invalid spec (${err instanceof OverparamError ? err.message : String(err)})`);
  }
  if (!Number.isSafeInteger(d) || d < 1) throw new ModelError(`${where}: invalid input dimension d`);
  const norm = doc.normalization as Model['normalization'];
  if (!norm || typeof norm !== 'object' || !['unit', 'max', 'none'].includes(norm.kind)) throw new ModelError(`${where}: invalid normalization (expected kind unit, max or none)`);
  if (norm.kind === 'max' && !(typeof norm.scale === 'number' && Number.isFinite(norm.scale) && norm.scale > 0)) {
    throw new ModelError(`${where}: invalid normalization: the scale of 'max' must be a positive finite number, got ${JSON.stringify(norm.scale)}`);
  }
  const inputNames = doc.inputNames;
  if (inputNames !== undefined && !(Array.isArray(inputNames) && inputNames.length === d && inputNames.every((x) => typeof x === 'string'))) {
    throw new ModelError(`${where}: inputNames must list the d = ${d} input column names`);
  }
  const alpha = doc.alpha;
  if (alpha !== undefined && !(typeof alpha === 'number' && Number.isFinite(alpha) && alpha > 0)) throw new ModelError(`${where}: alpha must be a positive finite number, got ${JSON.stringify(alpha)}`);
  const arrays = (doc.arrays ?? {}) as Record<string, unknown>;
  const { m } = spec;
  // κ follows from the scaling and m (§1); a stored κ that disagrees was edited, and would be ignored
  const kappa = kappaOf(spec.scaling, m);
  if (doc.kappa !== undefined && doc.kappa !== kappa) {
    throw new ModelError(`${where}: kappa ${JSON.stringify(doc.kappa)} does not match scaling '${spec.scaling}' at m = ${m} (κ = ${kappa}); κ follows from the scaling and cannot be set`);
  }
  return {
    spec,
    activation,
    d,
    kappa,
    normalization: norm,
    ...(inputNames ? { inputNames: inputNames as string[] } : {}),
    ...(alpha !== undefined ? { alpha } : {}),
    a: decode(arrays.a, 'a', [m], where),
    W0: decode(arrays.W0, 'W0', [m, d], where),
    W: decode(arrays.W, 'W', [m, d], where),
  };
}

export function loadModel(path: string, custom?: Activation): Model {
  let text: string;
  try {
    text = readFileSync(path, 'utf-8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelError(code === 'ENOENT' ? `${path}: no such model file` : `${path}: cannot read (${(err as Error).message})`);
  }
  return parseModel(text, path, custom);
}
