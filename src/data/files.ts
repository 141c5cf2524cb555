/**
 * Data files: CSV with a header row, NumPy .npy and .npz. Every problem becomes a DataError that
 * names the file and, where it can, the row and column.
 *
 * - CSV: one row per sample; the label column is chosen by name (default: the last column); all
 *   other columns are inputs. Cells are parsed with Number(), which is correctly rounded, so
 *   decimal text written with 17 significant digits comes back as the exact double.
 * - .npy: one 2-D array whose last column is the label, or inputs (2-D) with `labelsPath` (1-D).
 * - .npz: arrays named "X" (n×d) and "y" (n), as `np.savez(path, X=X, y=y)` writes them.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { unzipSync, zipSync } from 'fflate';
import { DataError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { type Dataset, validateDataset } from './dataset.js';
import { formatNpy, type NpyArray, parseNpy } from './npy.js';

export interface LoadOptions {
  /** CSV: the name of the label column (default: the last column). */
  labelColumn?: string;
  /** .npy: a separate file holding the labels; then `path` holds only the inputs. */
  labelsPath?: string;
}

export type DataFormat = 'csv' | 'npy' | 'npz';

export function formatOf(path: string): DataFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.npy') return 'npy';
  if (ext === '.npz') return 'npz';
  throw new DataError(`${path}: unknown data format '${ext || '(no extension)'}' (expected .csv, .npy or .npz)`);
}

export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${path}: no such file`);
    if (code === 'EISDIR') throw new DataError(`${path}: is a directory, not a file`);
    if (code === 'EACCES') throw new DataError(`${path}: permission denied`);
    throw new DataError(`${path}: cannot read (${(err as Error).message})`);
  }
}

export function loadDataset(path: string, opts: LoadOptions = {}): Dataset {
  const format = formatOf(path);
  if (format !== 'npy' && opts.labelsPath !== undefined) throw new DataError(`${opts.labelsPath}: separate label files go with .npy inputs only`);
  if (format !== 'csv' && opts.labelColumn !== undefined) throw new DataError(`${path}: a label column by name needs a CSV file with a header`);
  const ds = format === 'csv' ? readCsv(path, opts.labelColumn) : format === 'npy' ? readNpyPair(path, opts.labelsPath) : readNpz(path);
  return validateDataset(ds, path);
}

function parseCell(text: string, where: string, row: number, column: string): number {
  const t = text.trim();
  if (t === '') throw new DataError(`${where}: row ${row}, column '${column}' is empty`);
  const v = Number(t);
  if (Number.isNaN(v) && !/^[+-]?(nan|inf|infinity)$/i.test(t)) throw new DataError(`${where}: row ${row}, column '${column}': '${text}' is not a number`);
  if (!Number.isFinite(v)) throw new DataError(`${where}: row ${row}, column '${column}' is ${t} (values must be finite)`);
  return v;
}

function readCsv(path: string, labelColumn: string | undefined, noLabels = false): Dataset {
  const text = new TextDecoder('utf-8').decode(readBytes(path));
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number; record?: unknown[] };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || e.code === 'CSV_INCONSISTENT_RECORD_LENGTH') {
      throw new DataError(`${path}: ragged rows: line ${e.lines} has ${e.record?.length ?? '?'} fields, the header has a different count`);
    }
    throw new DataError(`${path}: malformed CSV (${e.message})`);
  }
  if (rows.length === 0) throw new DataError(`${path}: empty file (expected a header row and data rows)`);
  const header = rows[0];
  if (header.some((h) => h !== '' && !Number.isNaN(Number(h)))) {
    throw new DataError(`${path}: the first row must be a header of column names, found numbers (${header.slice(0, 3).join(', ')}…)`);
  }
  if (noLabels) {
    header.push('(no label)');
    for (let k = 1; k < rows.length; k++) rows[k].push('0');
  }
  if (header.length < 2) throw new DataError(`${path}: need at least two columns (inputs and a label), found ${header.length}`);
  if (rows.length < 2) throw new DataError(`${path}: no rows (only a header)`);
  const labelIndex = labelColumn === undefined ? header.length - 1 : header.indexOf(labelColumn);
  if (labelIndex < 0) throw new DataError(`${path}: label column '${labelColumn}' not found (columns: ${header.join(', ')})`);
  const n = rows.length - 1;
  const d = header.length - 1;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i + 1];
    let j = 0;
    for (let c = 0; c < row.length; c++) {
      const v = parseCell(row[c], path, i + 2, header[c]);
      if (c === labelIndex) y[i] = v;
      else X[i * d + j++] = v;
    }
  }
  const featureNames = header.filter((_, c) => c !== labelIndex);
  return { n, d, X, y, source: path, featureNames };
}

function splitLastColumn(arr: NpyArray, where: string): { n: number; d: number; X: Float64Array; y: Float64Array } {
  if (arr.shape.length !== 2) throw new DataError(`${where}: expected a 2-D array (rows × [inputs…, label]), found shape (${arr.shape.join(', ')})`);
  const [n, cols] = arr.shape;
  if (n === 0) throw new DataError(`${where}: no rows`);
  if (cols < 2) throw new DataError(`${where}: need inputs and a label column, found ${cols} column(s)`);
  const d = cols - 1;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = arr.data[i * cols + j];
    y[i] = arr.data[i * cols + d];
  }
  return { n, d, X, y };
}

function asInputs(arr: NpyArray, where: string): { n: number; d: number } {
  if (arr.shape.length !== 2) throw new DataError(`${where}: inputs must be a 2-D array (n × d), found shape (${arr.shape.join(', ')})`);
  return { n: arr.shape[0], d: arr.shape[1] };
}

function asLabels(arr: NpyArray, n: number, where: string): Float64Array {
  const ok = (arr.shape.length === 1 && arr.shape[0] === n) || (arr.shape.length === 2 && arr.shape[0] === n && arr.shape[1] === 1);
  if (!ok) throw new DataError(`${where}: labels must have shape (${n},) to match ${n} input rows, found (${arr.shape.join(', ')})`);
  return arr.data;
}

function readNpyPair(path: string, labelsPath: string | undefined): Dataset {
  const arr = parseNpy(readBytes(path), path);
  if (labelsPath === undefined) return { ...splitLastColumn(arr, path), source: path };
  const { n, d } = asInputs(arr, path);
  const y = asLabels(parseNpy(readBytes(labelsPath), labelsPath), n, labelsPath);
  return { n, d, X: arr.data, y, source: `${path} + ${labelsPath}` };
}

function readNpz(path: string): Dataset {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(readBytes(path));
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${path}: not a readable .npz (zip) archive (${(err as Error).message})`);
  }
  const pick = (...names: string[]) => names.map((k) => files[`${k}.npy`]).find((b) => b !== undefined);
  const xb = pick('X', 'x');
  const yb = pick('y', 'Y');
  const names = Object.keys(files).map((k) => k.replace(/\.npy$/, ''));
  if (xb === undefined || yb === undefined) {
    throw new DataError(`${path}: expected arrays named 'X' and 'y' (np.savez(path, X=X, y=y)), found: ${names.join(', ') || 'none'}`);
  }
  const X = parseNpy(xb, `${path}[X]`);
  const { n, d } = asInputs(X, `${path}[X]`);
  const y = asLabels(parseNpy(yb, `${path}[y]`), n, `${path}[y]`);
  return { n, d, X: X.data, y, source: path };
}

/**
 * Inputs for prediction: labels are optional. A table with d columns is all inputs; one with
 * d + 1 columns carries labels in the label column (default: the last). For .npz, "y" is optional.
 */
export function loadInputs(path: string, d: number, opts: LoadOptions = {}): { n: number; X: Float64Array; y?: Float64Array } {
  const format = formatOf(path);
  if (format === 'npz' || opts.labelsPath !== undefined) {
    const ds = format === 'npz' ? readNpzInputs(path) : readNpyPair(path, opts.labelsPath);
    return checkInputs(ds, d, path);
  }
  if (format === 'csv') {
    const text = new TextDecoder('utf-8').decode(readBytes(path));
    const cols = text.split(/\r?\n/, 1)[0].split(',').length;
    if (cols === d && opts.labelColumn === undefined) {
      // no label column: parse with a dummy label appended so that the one CSV reader is used
      const { n, X } = readCsv(path, undefined, true);
      return checkInputs({ n, d: cols, X }, d, path);
    }
    return checkInputs(readCsv(path, opts.labelColumn), d, path);
  }
  const arr = parseNpy(readBytes(path), path);
  if (arr.shape.length === 2 && arr.shape[1] === d) return checkInputs({ n: arr.shape[0], d, X: arr.data }, d, path);
  return checkInputs(splitLastColumn(arr, path), d, path);
}

function checkInputs(ds: { n: number; d: number; X: Float64Array; y?: Float64Array }, d: number, where: string) {
  if (ds.d !== d) throw new DataError(`${where}: the model was trained on d = ${d} inputs, the data have d = ${ds.d}`);
  validateDataset({ ...ds, y: ds.y ?? new Float64Array(ds.n), source: where });
  return ds.y === undefined ? { n: ds.n, X: ds.X } : { n: ds.n, X: ds.X, y: ds.y };
}

function readNpzInputs(path: string): { n: number; d: number; X: Float64Array; y?: Float64Array } {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(readBytes(path));
  } catch (err) {
    throw new DataError(`${path}: not a readable .npz (zip) archive (${(err as Error).message})`);
  }
  const xb = files['X.npy'] ?? files['x.npy'];
  if (xb === undefined) throw new DataError(`${path}: expected an array named 'X'`);
  const X = parseNpy(xb, `${path}[X]`);
  const { n, d } = asInputs(X, `${path}[X]`);
  const yb = files['y.npy'] ?? files['Y.npy'];
  return yb === undefined ? { n, d, X: X.data } : { n, d, X: X.data, y: asLabels(parseNpy(yb, `${path}[y]`), n, `${path}[y]`) };
}

/** Decimal text that parses back to the same double (JS's shortest round-trip representation). */
const exact = (v: number): string => String(v);

/** Writes a data set as CSV (header x1…xd,y), .npy (n×(d+1), label last) or .npz (X, y). */
export function saveDataset(ds: Dataset, path: string): void {
  const { n, d, X, y } = ds;
  const format = formatOf(path);
  if (format === 'csv') {
    const lines = [[...Array.from({ length: d }, (_, j) => `x${j + 1}`), 'y'].join(',')];
    for (let i = 0; i < n; i++) {
      const cells: string[] = [];
      for (let j = 0; j < d; j++) cells.push(exact(X[i * d + j]));
      cells.push(exact(y[i]));
      lines.push(cells.join(','));
    }
    writeFileAtomic(path, lines.join('\n') + '\n');
  } else if (format === 'npy') {
    const data = new Float64Array(n * (d + 1));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) data[i * (d + 1) + j] = X[i * d + j];
      data[i * (d + 1) + d] = y[i];
    }
    writeFileAtomic(path, formatNpy(data, [n, d + 1]));
  } else {
    writeFileAtomic(path, zipSync({ 'X.npy': formatNpy(X, [n, d]), 'y.npy': formatNpy(y, [n]) }, { level: 0 }));
  }
}
