/**
 * Parsing of the options that are not run settings (--delta, --workers, --png-scale …) with
 * strict numbers, and the data a command's run options describe. Run settings themselves are in
 * run-options.ts, the one table.
 */
import type { Command } from 'commander';
import { type Dataset, maxRowNorm } from '../data/dataset.js';
import { defaultMemoryLimit, parseBytes } from '../io/limits.js';
import { describeDegeneracies, findDegeneracies } from '../data/degenerate.js';
import { applyNormalization, fitNormalization, type Normalization, type NormalizeKind } from '../data/normalize.js';
import { OptionError } from '../errors.js';
import { numberOf, recipesOf, type Grid } from '../experiments/grid.js';
import { loadRunData } from '../experiments/run.js';
import type { Activation } from '../activations/types.js';
import type { RunField } from './run-options.js';
import { warn } from './run.js';

/** The options that say which data a command reads (a file, or a built-in synthetic set), and its label noise. */
export const DATA_FIELDS: readonly RunField[] = ['data', 'labelsPath', 'labelColumn', 'synthetic', 'n', 'd', 'labelKind', 'dataSeed', 'labelNoise'];

/** The options that say which held-out points a command uses (docs/theory.md §6). */
export const TEST_FIELDS: readonly RunField[] = ['testData', 'testLabels', 'testFraction', 'splitSeed', 'testN'];

function num(name: string, v: string | number): number {
  if (typeof v === 'string' && v.trim() === '') throw new OptionError(`--${name} needs a value`);
  try {
    return numberOf(name, v);
  } catch {
    throw new OptionError(`--${name} must be a number, got '${v}'`);
  }
}

export function intOption(name: string, v: string | number, min = 0): number {
  const x = num(name, v);
  if (!Number.isSafeInteger(x) || x < min) throw new OptionError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return x;
}

export function positiveOption(name: string, v: string | number): number {
  const x = num(name, v);
  if (!Number.isFinite(x) || x <= 0) throw new OptionError(`--${name} must be a positive number, got '${v}'`);
  return x;
}

/** A number in the open interval (0, 1). */
export function probabilityOption(name: string, v: string): number {
  const x = num(name, v);
  if (!(x > 0 && x < 1)) throw new OptionError(`--${name} must lie in (0, 1), got '${v}'`);
  return x;
}

/** A number in [0, 1). */
export function fractionOption(name: string, v: string): number {
  const x = num(name, v);
  if (!(x >= 0 && x < 1)) throw new OptionError(`--${name} must lie in [0, 1), got '${v}'`);
  return x;
}

/** Adds `--max-memory`, shared by the commands that train. */
export function addMemoryOption(cmd: Command): Command {
  return cmd.option('--max-memory <size>', "memory one run may use, e.g. 8G or 512M; a larger run is refused before it starts with the size it would need (default: the machine's free memory)");
}

/** The memory one run may use: `--max-memory`, or the machine's free memory; with how to name it in a refusal. */
export function memoryLimit(v: string | undefined): { limit: number; limitText: string } {
  const given = memoryOption(v);
  return given !== undefined ? { limit: given, limitText: 'the limit given' } : { limit: defaultMemoryLimit(), limitText: "the machine's free memory" };
}

/** `--max-memory` in bytes (undefined: the default, the machine's free memory). */
export function memoryOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const b = parseBytes(v);
  if (!(b > 0) || !Number.isFinite(b)) throw new OptionError(`--max-memory must be a size such as 8G, 512M or 1e9 (bytes), got '${v}'`);
  return b;
}

export function choice<T extends string>(name: string, names: readonly T[], v: string): T {
  if ((names as readonly string[]).includes(v)) return v as T;
  throw new OptionError(`--${name}: unknown value '${v}' (expected one of: ${names.join(', ')})`);
}

/** The one training set of a one-run grid (its first recipe, with its label noise) and its held-out points; what the reader noted goes to `onNote`. */
export function runDataOfGrid(grid: Grid, onNote: (note: string) => void = warn): { train: Dataset; test?: Dataset } {
  const data = loadRunData({ data: recipesOf(grid)[0], ...(grid.test ? { test: grid.test } : {}), ...(grid.labelNoise !== undefined ? { labelNoise: grid.labelNoise } : {}) });
  for (const note of data.train.notes ?? []) onNote(note);
  return data;
}

/** The one training set of a one-run grid (see runDataOfGrid). */
export function dataOfGrid(grid: Grid, onNote: (note: string) => void = warn): Dataset {
  return runDataOfGrid(grid, onNote).train;
}

/**
 * Training data after the grid's input normalisation (what the kernels see), that normalisation,
 * and the held-out points (if the grid has them) after the same normalisation.
 */
export function normalizedDataOfGrid(grid: Grid): Dataset & { normalization: Normalization; test?: Dataset } {
  const { train: ds, test } = runDataOfGrid(grid);
  const norm = fitNormalization(grid.normalize, ds.X, ds.n, ds.d, ds.source);
  return {
    ...ds,
    X: applyNormalization(norm, ds.X, ds.n, ds.d, ds.source),
    normalization: norm,
    ...(test ? { test: { ...test, X: applyNormalization(norm, test.X, test.n, test.d, test.source) } } : {}),
  };
}

/**
 * The warning for degenerate data (data/degenerate.ts): inputs that coincide after the
 * normalisation (or are each other's negatives, for cosh and sinh), with the residual their labels
 * leave out of reach. Undefined when there are none.
 */
export function degenerateWarning(ds: Dataset, normalize: NormalizeKind, activation: Activation, epsilon?: number): string | undefined {
  const X = ds.X.length > 0 ? applyNormalization(fitNormalization(normalize, ds.X, ds.n, ds.d, ds.source), ds.X, ds.n, ds.d, ds.source) : ds.X;
  return describeDegeneracies(findDegeneracies(X, ds.n, ds.d, ds.y, activation.parity ? { parity: activation.parity } : {}), ds.source, epsilon);
}

/** The warning of docs/theory.md §1: without normalisation, e^{⟨w,x⟩} (exp, cosh, sinh) has spread e^{‖x‖²}. */
export function overflowWarning(ds: Dataset, normalize: string, activation: Activation): string | undefined {
  if (normalize !== 'none' || !activation.exponential) return undefined;
  const norm = maxRowNorm(ds.X, ds.n, ds.d);
  if (norm <= 1) return undefined;
  return `inputs reach ‖x‖₂ = ${norm.toPrecision(4)} > 1 under --normalize none: e^{⟨w,x⟩} has spread exp(‖x‖²) = ${Math.exp(norm * norm).toPrecision(3)} and overflows to Infinity once ⟨w,x⟩ > 709; the theory assumes ‖x‖ ≤ 1 (use --normalize unit or max)`;
}
