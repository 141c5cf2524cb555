/**
 * A resumable sweep: runs every spec whose id has no finished result in the results file,
 * appending each result the moment it arrives. Rerunning the same sweep skips what is done,
 * so a killed sweep loses at most the runs in flight and nothing is ever duplicated.
 */
import { availableParallelism } from 'node:os';
import { createBackend } from '../backend/index.js';
import { runPool } from './pool.js';
import { ResultsWriter, latestById, readResults } from './results.js';
import { runMany, type RunResult } from './run.js';
import { runId, type RunSpec } from './spec.js';

/**
 * A run this small (n·m·d, synthetic data, native kernels) takes milliseconds, less than handing
 * it to a worker thread: a sweep of only such runs trains them in this thread, several per native
 * call (runMany: the runs spread over the threads). The same results, bit for bit.
 */
export const SMALL_RUN_WORK = 2 ** 20;

/** In-process batches hold at most this many runs, so that a kill loses little and progress keeps coming. */
const SMALL_BATCH = 64;

const isSmall = (s: RunSpec): boolean => s.data.kind === 'synthetic' && s.data.n * s.data.d * s.model.m <= SMALL_RUN_WORK && s.test === undefined;

export interface SweepProgress {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  last?: RunResult;
}

export interface SweepOptions {
  workers?: number;
  onProgress?: (p: SweepProgress) => void;
  shouldStop?: () => boolean;
  /** The memory one run may use (bytes). */
  maxMemory?: number;
  /** Small runs (SMALL_RUN_WORK) in this thread, several per native call (default true); false: always on worker threads. */
  inProcess?: boolean;
}

export interface SweepOutcome {
  /** One result per spec, in spec order (undefined for runs not executed because of a stop). */
  results: (RunResult | undefined)[];
  ran: number;
  skipped: number;
  failed: number;
  stopped: boolean;
}

/** A result counts as finished unless it is an error (errors are retried on the next run). */
export const isFinished = (r: RunResult | undefined): boolean => r !== undefined && r.status !== 'error';

export async function runSweep(specs: readonly RunSpec[], resultsPath: string, opts: SweepOptions = {}): Promise<SweepOutcome> {
  const ids = specs.map(runId);
  const seen = new Set<string>();
  const known = latestById(readResults(resultsPath).results);
  const pending: RunSpec[] = [];
  specs.forEach((s, k) => {
    if (seen.has(ids[k])) return; // the same run listed twice in a grid runs once
    seen.add(ids[k]);
    if (!isFinished(known.get(ids[k]))) pending.push(s);
  });
  const progress: SweepProgress = { total: seen.size, done: seen.size - pending.length, failed: 0, skipped: seen.size - pending.length };
  opts.onProgress?.(progress);
  const writer = new ResultsWriter(resultsPath);
  const onResult = (r: RunResult): void => {
    writer.append(r);
    known.set(r.id, r);
    progress.done++;
    if (r.status === 'error') progress.failed++;
    progress.last = r;
    opts.onProgress?.(progress);
  };
  try {
    if (pending.length > 0 && pending.every(isSmall) && (opts.inProcess ?? true)) {
      const threads = Math.max(1, opts.workers ?? availableParallelism());
      const backends = new Map<string, ReturnType<typeof createBackend>>();
      // batches of one precision each (the backend's), in the sweep's order within each
      const batches = (['f64', 'f32'] as const).flatMap((prec) => {
        const of = pending.filter((sp) => sp.precision === prec);
        return Array.from({ length: Math.ceil(of.length / SMALL_BATCH) }, (_, b) => of.slice(b * SMALL_BATCH, (b + 1) * SMALL_BATCH));
      });
      for (const batch of batches) {
        if (opts.shouldStop?.()) break;
        const prec = batch[0].precision;
        let backend = backends.get(prec);
        try {
          backend ??= createBackend({ precision: prec, threads });
          backends.set(prec, backend);
        } catch {
          backend = undefined; // runMany reports the error in each run's result
        }
        // each run's result is written as it ends; on a stop the runs in flight are dropped (a stopped run is not a result)
        await runMany(batch, { ...(backend ? { backend } : {}), ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}), ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}), onResult });
      }
    } else {
      await runPool(pending, {
        ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
        ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
        ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}),
        onResult,
      });
    }
  } finally {
    writer.close();
  }
  const results = ids.map((id) => known.get(id));
  const ranNow = progress.done - progress.skipped;
  return { results, ran: ranNow, skipped: progress.skipped, failed: progress.failed, stopped: ranNow < pending.length };
}
