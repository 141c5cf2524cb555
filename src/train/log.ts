/**
 * The per-step history as a file: CSV (first line a '#' comment with the conventions, which
 * numpy.loadtxt and pandas.read_csv(comment='#') skip) or JSON lines (first line the conventions).
 */
import { extname } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
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

export function historyCsv(h: History, c: Conventions): string {
  const cols = historyColumns(h);
  const lines = [
    `# overparam history: ${Object.entries(c)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join('; ')}`,
    cols.map(([name]) => name).join(','),
  ];
  // an empty cell where a monitor did not measure that step
  for (let k = 0; k < h.residual.length; k++) lines.push(cols.map(([, v]) => (v[k] === null || v[k] === undefined ? '' : String(v[k]))).join(','));
  return lines.join('\n') + '\n';
}

export function historyJsonl(h: History, c: Conventions): string {
  const cols = historyColumns(h);
  const lines = [JSON.stringify({ conventions: c })];
  for (let k = 0; k < h.residual.length; k++) lines.push(JSON.stringify(Object.fromEntries(cols.map(([name, v]) => [name, v[k]]))));
  return lines.join('\n') + '\n';
}

/** Writes CSV, or JSON lines when the name ends in .jsonl / .ndjson / .json. */
export function writeHistory(path: string, h: History, c: Conventions): void {
  const ext = extname(path).toLowerCase();
  writeFileAtomic(path, ['.jsonl', '.ndjson', '.json'].includes(ext) ? historyJsonl(h, c) : historyCsv(h, c));
}
