/**
 * A resumable sweep: runs every spec whose id has no finished result in the results file,
 * appending each result the moment it arrives. Rerunning the same sweep skips what is done,
 * so a killed sweep loses at most the runs in flight and nothing is ever duplicated.
 */
import { runPool } from './pool.js';
import { ResultsWriter, latestById, readResults } from './results.js';
import type { RunResult } from './run.js';
import { runId, type RunSpec } from './spec.js';

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
  try {
    await runPool(pending, {
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
      ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}),
      onResult: (r) => {
        writer.append(r);
        known.set(r.id, r);
        progress.done++;
        if (r.status === 'error') progress.failed++;
        progress.last = r;
        opts.onProgress?.(progress);
      },
    });
  } finally {
    writer.close();
  }
  const results = ids.map((id) => known.get(id));
  const ranNow = progress.done - progress.skipped;
  return { results, ran: ranNow, skipped: progress.skipped, failed: progress.failed, stopped: ranNow < pending.length };
}
