/**
 * Results files: JSON lines, one finished run per line (`RunResult`, kind "overparam-run").
 * Each line is appended with a single write as soon as its run finishes, so a killed sweep
 * loses only the runs in flight; a torn last line (killed mid-write) is ignored on reading and
 * cut off before the next append. Read from Python with
 *   [json.loads(l) for l in open(path) if l.strip()]
 */
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { DataError } from '../errors.js';
import type { Normalization } from '../data/normalize.js';
import { CRITERION, type Conventions } from '../train/types.js';
import type { RunResult } from './run.js';

export interface ResultsFile {
  results: RunResult[];
  /** Byte length of the well-formed prefix (everything up to the last complete line). */
  validBytes: number;
  /** True when a torn trailing line was found. */
  torn: boolean;
}

export function readResults(path: string): ResultsFile {
  if (!existsSync(path)) return { results: [], validBytes: 0, torn: false };
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new DataError(`${path}: cannot read results (${(err as Error).message})`);
  }
  const results: RunResult[] = [];
  let start = 0;
  let validBytes = 0;
  let line = 1;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) return { results, validBytes, torn: true }; // no newline: torn by a kill mid-write
    const text = buf.subarray(start, nl).toString('utf-8').trim();
    if (text.length > 0) {
      let obj: RunResult;
      try {
        obj = JSON.parse(text) as RunResult;
      } catch {
        throw new DataError(`${path}: line ${line} is not JSON (not a results file?)`);
      }
      if (obj?.kind !== 'overparam-run' || typeof obj.id !== 'string') throw new DataError(`${path}: line ${line} is not an overparam run result`);
      if (obj.conventions) obj.conventions = upgradeConventions(obj.conventions);
      results.push(obj);
    }
    start = nl + 1;
    validBytes = start;
    line++;
  }
  return { results, validBytes, torn: false };
}

/**
 * Conventions as this version types them. Results files written before conventions were typed
 * values hold them as text ("ntk (κ = 1/√m)", "unit (each row x ↦ x/‖x‖₂)", "float64"); those lines
 * keep their run ids (the spec is unchanged), so a sweep resumes over them and reports read them.
 */
export function upgradeConventions(c: Conventions): Conventions {
  const raw = c as unknown as Record<string, unknown>;
  const text = (k: string): string | undefined => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const scaling = text('scaling');
  const precision = text('precision');
  const norm = text('normalization');
  let normalization: Normalization = c.normalization;
  if (norm !== undefined) {
    const scale = /x\/([-+0-9.eE]+)\)/.exec(norm);
    normalization = norm.startsWith('max') && scale ? { kind: 'max', scale: Number(scale[1]) } : norm.startsWith('unit') ? { kind: 'unit' } : { kind: 'none' };
  }
  return {
    ...c,
    scaling: scaling?.startsWith('none') ? 'none' : scaling?.startsWith('ntk') ? 'ntk' : c.scaling,
    precision: precision === 'float32' ? 'f32' : precision === 'float64' ? 'f64' : c.precision,
    normalization,
    criterion: CRITERION,
  };
}

/** Appends results to a file; cuts a torn tail first. One write per line. */
export class ResultsWriter {
  private fd: number;
  constructor(readonly path: string) {
    const { validBytes, torn } = readResults(path);
    if (torn) truncateSync(path, validBytes);
    this.fd = openSync(path, 'a');
  }
  append(r: RunResult): void {
    writeSync(this.fd, JSON.stringify(r) + '\n');
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** The latest result per id (a rerun after an error replaces it). */
export function latestById(results: readonly RunResult[]): Map<string, RunResult> {
  const m = new Map<string, RunResult>();
  for (const r of results) m.set(r.id, r);
  return m;
}
