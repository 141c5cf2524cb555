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
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { unzipSync, zipSync } from 'fflate';
import { DataError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { defaultMemoryLimit, formatBytes } from '../io/limits.js';
import { type Dataset, validateDataset } from './dataset.js';
import { formatNpy, type NpyArray, parseNpy } from './npy.js';

export interface LoadOptions {
  /** CSV: the name of the label column (default: the last column). */
  labelColumn?: string;
  /** .npy: a separate file holding the labels; then `path` holds only the inputs. */
  labelsPath?: string;
  /** The memory the data may take once read (bytes of float64 values, or an .npz's unpacked arrays); default: the machine's free memory. */
  maxBytes?: number;
}

/**
 * CSV is parsed as text, which takes several times the file's size in memory: larger files are
 * refused with a pointer to .npy (read straight into float64). 256 MiB of text is ~12 million cells.
 */
export const MAX_CSV_BYTES = 256 * 2 ** 20;

export type DataFormat = 'csv' | 'npy' | 'npz';

export function formatOf(path: string): DataFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.npy') return 'npy';
  if (ext === '.npz') return 'npz';
  throw new DataError(`${path}: unknown data format '${ext || '(no extension)'}' (expected .csv, .npy or .npz)`);
}

/**
 * The bytes of a regular file (a symbolic link is followed to one): a FIFO, a device (/dev/zero,
 * /dev/urandom) or a directory is refused before any read, as is a file larger than `maxBytes`.
 */
export function readBytes(path: string, maxBytes = Number.POSITIVE_INFINITY, what = 'file'): Uint8Array {
  const size = regularFileSize(path);
  if (size > maxBytes) throw new DataError(`${path}: the ${what} is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} allowed`);
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

/** The size of a regular file; a DataError for anything else (checked before its name or contents are looked at). */
function regularFileSize(path: string): number {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new DataError(`${path}: is a directory, not a file`);
    if (!st.isFile()) throw new DataError(`${path}: not a regular file (${st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'a special file'}); data must be read from a file`);
    return st.size;
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${path}: no such file`);
    if (code === 'EACCES') throw new DataError(`${path}: permission denied`);
    throw new DataError(`${path}: cannot read (${(err as Error).message})`);
  }
}

export function loadDataset(path: string, opts: LoadOptions = {}): Dataset {
  regularFileSize(path);
  const format = formatOf(path);
  if (format !== 'npy' && opts.labelsPath !== undefined) throw new DataError(`${opts.labelsPath}: separate label files go with .npy inputs only`);
  if (format !== 'csv' && opts.labelColumn !== undefined) throw new DataError(`${path}: a label column by name needs a CSV file with a header`);
  const max = opts.maxBytes ?? defaultMemoryLimit();
  const ds = format === 'csv' ? readCsv(path, opts.labelColumn) : format === 'npy' ? readNpyPair(path, opts.labelsPath, max) : readNpz(path, max);
  return validateDataset(ds, path);
}

/** A decimal number as numpy and pandas write them; Number() alone would also take '0x10', '0b1', '1_0'… */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseCell(text: string, where: string, row: number, column: string): number {
  const t = text.trim();
  if (t === '') throw new DataError(`${where}: row ${row}, column '${column}' is empty`);
  if (/^[+-]?(nan|inf|infinity)$/i.test(t)) throw new DataError(`${where}: row ${row}, column '${column}' is ${t} (values must be finite)`);
  if (!DECIMAL.test(t)) throw new DataError(`${where}: row ${row}, column '${column}': '${text}' is not a decimal number`);
  const v = Number(t);
  if (!Number.isFinite(v)) throw new DataError(`${where}: row ${row}, column '${column}' is ${t}, beyond the range of a double (values must be finite)`);
  return v;
}

function readCsvText(path: string): string {
  const bytes = readBytes(path, MAX_CSV_BYTES, 'CSV file (CSV is parsed as text; save large data sets as .npy instead, e.g. numpy.save)');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DataError(`${path}: not UTF-8 text (a binary file, or text in another encoding such as UTF-16); save the CSV as UTF-8`);
  }
  // UTF-16 text of ASCII digits is valid UTF-8 with a NUL byte beside every character
  if (text.includes('\0')) throw new DataError(`${path}: contains NUL bytes (a binary file, or UTF-16 text); save the CSV as UTF-8`);
  return text;
}

/** A CSV file as its header and its cells, parsed and checked (every cell a finite decimal number). */
interface CsvTable {
  header: string[];
  /** rows × columns, row-major. */
  cells: Float64Array;
  rows: number;
}

function readCsvTable(path: string): CsvTable {
  let records: { record: string[]; info: { lines: number } }[];
  const text = readCsvText(path);
  try {
    // column counts are checked below, where the message can name the line and both counts
    records = parse(text, { skip_empty_lines: true, trim: true, bom: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (err) {
    throw new DataError(`${path}: malformed CSV (${(err as Error).message})`);
  }
  if (records.length === 0) throw new DataError(`${path}: empty file (expected a header row and data rows)`);
  const rows = records.map((r) => r.record);
  const header = rows[0];
  const ragged = records.find((r) => r.record.length !== header.length);
  if (ragged !== undefined) {
    throw new DataError(`${path}: ragged rows: line ${ragged.info.lines} has ${ragged.record.length} field(s), the header has ${header.length}${ragged.record.length === header.length + 1 && ragged.record.at(-1) === '' ? ' (a trailing comma?)' : ''}`);
  }
  if (header.some((h) => DECIMAL.test(h.trim()))) {
    throw new DataError(`${path}: the first row must be a header of column names, found numbers (${header.slice(0, 3).join(', ')}…)`);
  }
  const dup = header.find((h, k) => header.indexOf(h) !== k);
  if (dup !== undefined) throw new DataError(`${path}: the column name '${dup}' appears twice in the header`);
  if (rows.length < 2) throw new DataError(`${path}: no rows (only a header)`);
  const c = header.length;
  const cells = new Float64Array((rows.length - 1) * c);
  for (let i = 1; i < rows.length; i++) for (let k = 0; k < c; k++) cells[(i - 1) * c + k] = parseCell(rows[i][k], path, i + 1, header[k]);
  return { header, cells, rows: rows.length - 1 };
}

/** The table's columns `cols` (in that order) as an n×cols.length matrix. */
function columns(t: CsvTable, cols: readonly number[]): Float64Array {
  const c = t.header.length;
  const out = new Float64Array(t.rows * cols.length);
  for (let i = 0; i < t.rows; i++) for (let j = 0; j < cols.length; j++) out[i * cols.length + j] = t.cells[i * c + cols[j]];
  return out;
}

function readCsv(path: string, labelColumn: string | undefined): Dataset {
  const t = readCsvTable(path);
  const { header } = t;
  if (header.length < 2) throw new DataError(`${path}: need at least two columns (inputs and a label), found ${header.length}`);
  const labelIndex = labelColumn === undefined ? header.length - 1 : header.indexOf(labelColumn);
  if (labelIndex < 0) throw new DataError(`${path}: label column '${labelColumn}' not found (columns: ${header.join(', ')})`);
  const inputs = header.map((_, k) => k).filter((k) => k !== labelIndex);
  return {
    n: t.rows,
    d: inputs.length,
    X: columns(t, inputs),
    y: columns(t, [labelIndex]),
    source: path,
    featureNames: inputs.map((k) => header[k]),
  };
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

function readNpyPair(path: string, labelsPath: string | undefined, maxBytes: number): Dataset {
  const arr = parseNpy(readBytes(path, maxBytes, '.npy file'), path);
  if (labelsPath === undefined) {
    const split = splitLastColumn(arr, path);
    const note = `${path}: its last column was taken as the labels, the first ${split.d} as the inputs (give a separate labels file to use every column as an input)`;
    return { ...split, source: path, notes: [note] };
  }
  const { n, d } = asInputs(arr, path);
  const y = asLabels(parseNpy(readBytes(labelsPath, maxBytes, '.npy file'), labelsPath), n, labelsPath);
  return { n, d, X: arr.data, y, source: `${path} + ${labelsPath}` };
}

/**
 * The arrays of an .npz, their unpacked sizes bounded before anything is inflated: a zip's
 * headers state each member's size, and the inflater writes no more than that (a member that
 * unpacks to more is cut there, and its .npy then reads as truncated).
 */
function unzipBounded(path: string, maxBytes: number, wanted: (name: string) => boolean): Record<string, Uint8Array> {
  const bytes = readBytes(path, maxBytes, '.npz file');
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!wanted(f.name)) return false;
        total += f.originalSize;
        if (total > maxBytes) throw new DataError(`${path}: its arrays unpack to more than ${formatBytes(maxBytes)} (${f.name} alone states ${formatBytes(f.originalSize)}); refused before unpacking`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${path}: not a readable .npz (zip) archive (${(err as Error).message})`);
  }
  return files;
}

const NPZ_ARRAYS = ['X.npy', 'x.npy', 'y.npy', 'Y.npy'];

/** The array names an .npz holds (nothing is unpacked). */
function npzNames(path: string): string[] {
  const names: string[] = [];
  try {
    unzipSync(readBytes(path), { filter: (f) => (names.push(f.name.replace(/\.npy$/, '')), false) });
  } catch {
    // listed as far as the archive could be read
  }
  return names;
}

function readNpz(path: string, maxBytes: number): Dataset {
  const files = unzipBounded(path, maxBytes, (name) => NPZ_ARRAYS.includes(name));
  const pick = (...names: string[]) => names.map((k) => files[`${k}.npy`]).find((b) => b !== undefined);
  const xb = pick('X', 'x');
  const yb = pick('y', 'Y');
  if (xb === undefined || yb === undefined) {
    throw new DataError(`${path}: expected arrays named 'X' and 'y' (np.savez(path, X=X, y=y)), found: ${npzNames(path).join(', ') || 'none'}`);
  }
  const X = parseNpy(xb, `${path}[X]`);
  const { n, d } = asInputs(X, `${path}[X]`);
  const y = asLabels(parseNpy(yb, `${path}[y]`), n, `${path}[y]`);
  return { n, d, X: X.data, y, source: path };
}

/** Inputs to predict on: X (n×d, in the model's column order), labels when the data carry them, and what was decided on the way. */
export interface PredictionInputs {
  n: number;
  X: Float64Array;
  y?: Float64Array;
  notes: string[];
}

/**
 * Inputs for prediction: labels are optional. A CSV's columns are matched to the model's input
 * names when the model has them (it was trained on a CSV): the inputs are taken by name, in the
 * model's order, whatever the file's order; a further column is the label (`labelColumn`, or the
 * one column left over); a missing input or a column that is neither is refused. Without names
 * (the model was trained on .npy data, or the data are .npy) columns go by position: d columns are
 * all inputs, d + 1 carry labels in the last (or `labelColumn`), and a note says so.
 */
export function loadInputs(path: string, d: number, opts: LoadOptions & { featureNames?: readonly string[] } = {}): PredictionInputs {
  regularFileSize(path);
  const format = formatOf(path);
  const max = opts.maxBytes ?? defaultMemoryLimit();
  if (format === 'npz' || opts.labelsPath !== undefined) {
    const ds = format === 'npz' ? readNpzInputs(path, max) : readNpyPair(path, opts.labelsPath, max);
    return checkInputs(ds, d, path, positional(path, opts.featureNames));
  }
  if (format === 'csv') return csvInputs(path, d, opts.featureNames, opts.labelColumn);
  const arr = parseNpy(readBytes(path, max, '.npy file'), path);
  const notes = positional(path, opts.featureNames);
  if (arr.shape.length === 2 && arr.shape[1] === d) return checkInputs({ n: arr.shape[0], d, X: arr.data }, d, path, notes);
  if (arr.shape.length === 2 && arr.shape[1] !== d + 1) throw new DataError(columnCountText(path, arr.shape[1], d));
  return checkInputs(splitLastColumn(arr, path), d, path, [...notes, `${path}: its last column was taken as the labels`]);
}

/** Columns taken by position: d are the inputs, d + 1 the inputs and a label; anything else is named so. */
function columnCountText(path: string, columns: number, d: number): string {
  return `${path}: ${columns} column(s), but the model takes d = ${d} inputs: give ${d} columns (inputs only) or ${d + 1} (inputs, then the label)`;
}

function positional(path: string, names: readonly string[] | undefined): string[] {
  return names ? [`${path}: an array has no column names; its columns are taken in the order of the model's inputs (${names.join(', ')})`] : [];
}

function csvInputs(path: string, d: number, names: readonly string[] | undefined, labelColumn: string | undefined): PredictionInputs {
  const t = readCsvTable(path);
  const { header } = t;
  const labelAt = labelColumn === undefined ? -1 : header.indexOf(labelColumn);
  if (labelColumn !== undefined && labelAt < 0) throw new DataError(`${path}: label column '${labelColumn}' not found (columns: ${header.join(', ')})`);
  if (names) {
    const missing = names.filter((nm) => !header.includes(nm));
    if (missing.length > 0) {
      throw new DataError(`${path}: the model's input column(s) ${missing.map((m) => `'${m}'`).join(', ')} are not in this file (its columns: ${header.join(', ')}; the model's: ${names.join(', ')})`);
    }
    const inputs = names.map((nm) => header.indexOf(nm));
    const rest = header.map((_, k) => k).filter((k) => !inputs.includes(k));
    const label = labelAt >= 0 ? labelAt : rest.length === 1 ? rest[0] : -1;
    const extra = rest.filter((k) => k !== label);
    if (extra.length > 0) {
      throw new DataError(`${path}: column(s) ${extra.map((k) => `'${header[k]}'`).join(', ')} are neither inputs of the model (${names.join(', ')}) nor the label${labelColumn === undefined ? ' (name the label column to use one of them)' : ''}`);
    }
    const notes = inputs.some((k, j) => k !== j) ? [`${path}: the columns are matched to the model's inputs by name (the file's order differs)`] : [];
    return checkInputs({ n: t.rows, d, X: columns(t, inputs), ...(label >= 0 ? { y: columns(t, [label]) } : {}) }, d, path, notes);
  }
  const notes = [`${path}: the model stores no input column names (it was not trained on a CSV file); the columns are taken by position`];
  if (header.length !== d && header.length !== d + 1) throw new DataError(columnCountText(path, header.length, d));
  if (header.length === d && labelColumn === undefined) return checkInputs({ n: t.rows, d, X: columns(t, header.map((_, k) => k)) }, d, path, notes);
  const label = labelAt >= 0 ? labelAt : header.length - 1;
  const inputs = header.map((_, k) => k).filter((k) => k !== label);
  return checkInputs({ n: t.rows, d: inputs.length, X: columns(t, inputs), y: columns(t, [label]) }, d, path, notes);
}

function checkInputs(ds: { n: number; d: number; X: Float64Array; y?: Float64Array }, d: number, where: string, notes: string[]): PredictionInputs {
  if (ds.d !== d) throw new DataError(`${where}: the model was trained on d = ${d} inputs, the data have d = ${ds.d}`);
  validateDataset({ ...ds, y: ds.y ?? new Float64Array(ds.n), source: where });
  return ds.y === undefined ? { n: ds.n, X: ds.X, notes } : { n: ds.n, X: ds.X, y: ds.y, notes };
}

function readNpzInputs(path: string, maxBytes: number): { n: number; d: number; X: Float64Array; y?: Float64Array } {
  const files = unzipBounded(path, maxBytes, (name) => NPZ_ARRAYS.includes(name));
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
