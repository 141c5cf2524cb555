/**
 * Option parsing shared by the commands: strict numbers, choices, and the data source
 * (a file, or a built-in synthetic generator).
 */
import type { Command } from 'commander';
import { type Dataset, maxRowNorm } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { DEFAULT_SYNTHETIC, generateSynthetic, type InputKind, type LabelKind, INPUT_KINDS, LABEL_KINDS } from '../data/synthetic.js';
import { OptionError } from '../errors.js';
import { applyNormalization, describeNormalization, fitNormalization, NORMALIZE_KINDS, type NormalizeKind } from '../data/normalize.js';

export function intOption(name: string, v: string | number, min = 0): number {
  const x = typeof v === 'number' ? v : Number(v.trim());
  if (typeof v === 'string' && v.trim() === '') throw new OptionError(`--${name} needs a value`);
  if (!Number.isSafeInteger(x) || x < min) throw new OptionError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return x;
}

export function positiveOption(name: string, v: string | number): number {
  const x = typeof v === 'number' ? v : Number(v.trim());
  if (!Number.isFinite(x) || x <= 0 || (typeof v === 'string' && v.trim() === '')) throw new OptionError(`--${name} must be a positive number, got '${v}'`);
  return x;
}

/** A number in the open interval (0, 1). */
export function probabilityOption(name: string, v: string): number {
  const x = Number(v.trim());
  if (!(x > 0 && x < 1) || v.trim() === '') throw new OptionError(`--${name} must lie in (0, 1), got '${v}'`);
  return x;
}

export function choice<T extends string>(name: string, names: readonly T[], v: string): T {
  if ((names as readonly string[]).includes(v)) return v as T;
  throw new OptionError(`--${name}: unknown value '${v}' (expected one of: ${names.join(', ')})`);
}

export interface DataOptions {
  data?: string;
  labels?: string;
  labelColumn?: string;
  synthetic: string;
  n: string;
  d: string;
  labelKind: string;
  dataSeed: string;
}

/** Adds the data-source options to a command. */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .option('--data <file>', 'training data: .csv (header row), .npy or .npz; default: a built-in synthetic set')
    .option('--labels <file>', '.npy labels to go with --data inputs.npy (else the last column is the label)')
    .option('--label-column <name>', 'CSV: the label column by name (default: the last column)')
    .option('--synthetic <kind>', `synthetic inputs when no --data: ${INPUT_KINDS.join('|')}`, DEFAULT_SYNTHETIC.inputs)
    .option('--n <count>', 'synthetic: number of points', String(DEFAULT_SYNTHETIC.n))
    .option('--d <dim>', 'synthetic: input dimension', String(DEFAULT_SYNTHETIC.d))
    .option('--label-kind <kind>', `synthetic labels: ${LABEL_KINDS.join('|')} (N(0,1), or a random width-8 exp teacher)`, DEFAULT_SYNTHETIC.labels)
    .option('--data-seed <int>', 'synthetic: seed of the data stream', String(DEFAULT_SYNTHETIC.seed));
}

export function resolveData(o: DataOptions): Dataset {
  if (o.data !== undefined) {
    return loadDataset(o.data, {
      ...(o.labelColumn !== undefined ? { labelColumn: o.labelColumn } : {}),
      ...(o.labels !== undefined ? { labelsPath: o.labels } : {}),
    });
  }
  if (o.labels !== undefined || o.labelColumn !== undefined) throw new OptionError('--labels and --label-column go with --data');
  return generateSynthetic({
    inputs: choice<InputKind>('synthetic', INPUT_KINDS, o.synthetic),
    n: intOption('n', o.n, 1),
    d: intOption('d', o.d, 1),
    labels: choice<LabelKind>('label-kind', LABEL_KINDS, o.labelKind),
    seed: intOption('data-seed', o.dataSeed, 0),
  });
}

/** Training data after the input normalisation (what the kernels see). */
export function normalizedData(o: DataOptions, normalize: string): Dataset & { normalization: string } {
  const ds = resolveData(o);
  const kind = choice<NormalizeKind>('normalize', NORMALIZE_KINDS, normalize);
  const norm = fitNormalization(kind, ds.X, ds.n, ds.d);
  return { ...ds, X: applyNormalization(norm, ds.X, ds.n, ds.d), normalization: describeNormalization(norm) };
}

/** The warning of theory.md §1: without normalisation, exp(⟨w,x⟩) has spread exp(‖x‖²). */
export function overflowWarning(ds: Dataset, normalize: string, activation: string): string | undefined {
  if (normalize !== 'none' || activation !== 'exp') return undefined;
  const norm = maxRowNorm(ds.X, ds.n, ds.d);
  if (norm <= 1) return undefined;
  return `inputs reach ‖x‖₂ = ${norm.toPrecision(4)} > 1 under --normalize none: exp(⟨w,x⟩) has spread exp(‖x‖²) = ${Math.exp(norm * norm).toPrecision(3)} and overflows to Infinity once ⟨w,x⟩ > 709; the theory assumes ‖x‖ ≤ 1 (use --normalize unit or max)`;
}
