/**
 * The per-step history as a file: CSV whose first line is the column names, or JSON lines, one
 * object per step — each loads as numpy and pandas are usually called
 * (`numpy.genfromtxt(path, delimiter=',', names=True)`, `pandas.read_csv(path)`,
 * `pandas.read_json(path, lines=True)`). The conventions that produced it go beside it, in
 * `PATH.conventions.json`; both files are replaced together or not at all.
 */
import { basename, dirname, extname } from 'node:path';
import { writeFilesAtomic } from '../io/atomic.js';
import type { Conventions, History } from './types.js';

export function historyColumns(h: History): [string, (number | null)[]][] {
  const cols: [string, (number | null)[]][] = [
    ['step', h.residual.map((_, k) => k)],
    ['residual', h.residual],
    ['movement', h.movement],
  ];
  if (h.flipFraction) cols.push(['flip_fraction', h.flipFraction]);
  for (const [name, v] of Object.entries(h.extra ?? {})) cols.push([name, v]);
  return cols;
}

/** CSV: the header of column names, then one row per step; an empty cell where a monitor did not measure that step. */
export function historyCsv(h: History): string {
  const cols = historyColumns(h);
  const lines = [cols.map(([name]) => name).join(',')];
  for (let k = 0; k < h.residual.length; k++) lines.push(cols.map(([, v]) => (v[k] === null || v[k] === undefined ? '' : String(v[k]))).join(','));
  return lines.join('\n') + '\n';
}

/** JSON lines: one object per step (null where not measured). */
export function historyJsonl(h: History): string {
  const cols = historyColumns(h);
  const lines: string[] = [];
  for (let k = 0; k < h.residual.length; k++) lines.push(JSON.stringify(Object.fromEntries(cols.map(([name, v]) => [name, v[k] ?? null]))));
  return lines.join('\n') + '\n';
}

/** The sidecar of a history file: `history.csv` → `history.csv.conventions.json`. */
export const conventionsPath = (path: string): string => `${path}.conventions.json`;

/** Writes CSV, or JSON lines when the name ends in .jsonl / .ndjson / .json, and the conventions beside it. */
export function writeHistory(path: string, h: History, c: Conventions): void {
  const ext = extname(path).toLowerCase();
  const text = ['.jsonl', '.ndjson', '.json'].includes(ext) ? historyJsonl(h) : historyCsv(h);
  writeFilesAtomic(dirname(path), [
    { name: basename(path), data: text },
    { name: basename(conventionsPath(path)), data: JSON.stringify({ history: basename(path), conventions: c }, null, 2) + '\n' },
  ]);
}
