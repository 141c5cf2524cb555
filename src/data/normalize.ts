/**
 * Input normalisation (docs/theory.md §1: the theory assumes ‖x_i‖₂ ≤ 1, and exp's spread grows like
 * exp(‖x‖²)). The fitted transform is stored with the model so that predict applies the same one.
 */
import { DataError, OptionError } from '../errors.js';
import { rowNorm } from './dataset.js';

export type NormalizeKind = 'unit' | 'max' | 'none';
export const NORMALIZE_KINDS: readonly NormalizeKind[] = ['unit', 'max', 'none'];

export type Normalization =
  /** each row to unit norm: x ↦ x / ‖x‖₂ (no state) */
  | { kind: 'unit' }
  /** all rows by the largest training norm: x ↦ x / scale */
  | { kind: 'max'; scale: number }
  | { kind: 'none' };

export function parseNormalizeKind(s: unknown): NormalizeKind {
  if ((NORMALIZE_KINDS as readonly unknown[]).includes(s)) return s as NormalizeKind;
  throw new OptionError(`unknown normalisation '${String(s)}' (expected one of: ${NORMALIZE_KINDS.join(', ')})`, { field: 'normalize' });
}


/** Fits the transform on training inputs. @param where names the data in messages (a path). */
export function fitNormalization(kind: NormalizeKind, X: Float64Array, n: number, d: number, where = 'the data'): Normalization {
  parseNormalizeKind(kind);
  if (kind === 'max') {
    let scale = 0;
    for (let i = 0; i < n; i++) scale = Math.max(scale, rowNorm(X, i, d));
    if (!(scale > 0)) throw new DataError(`${where}: cannot normalise by the largest norm: every input row is zero`);
    return { kind: 'max', scale };
  }
  return { kind };
}

/** Applies a fitted transform, returning new inputs (the argument is not modified). */
export function applyNormalization(norm: Normalization, X: Float64Array, n: number, d: number, where = 'the data'): Float64Array {
  const out = Float64Array.from(X);
  if (norm.kind === 'none') return out;
  for (let i = 0; i < n; i++) {
    const s = norm.kind === 'max' ? norm.scale : rowNorm(X, i, d);
    if (!(s > 0)) {
      throw new DataError(`${where}: row ${i + 1} has zero norm and cannot be normalised to unit norm`, {
        hints: [
          { field: 'normalize', value: 'max' },
          { field: 'normalize', value: 'none' },
        ],
      });
    }
    for (let j = 0; j < d; j++) out[i * d + j] /= s;
  }
  return out;
}
