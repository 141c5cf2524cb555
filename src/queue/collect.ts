/**
 * Writes a queued sweep's results into a results file, the same lines a local sweep writes:
 * one RunResult per run, in the sweep's order, appended after what the file already holds
 * (runs already finished in the file are skipped), so `threshold` and `report` read it as they
 * read a local sweep's. Every stored result is checked against its run before it is written.
 */
import { ResultsWriter, latestById, readResults } from '../experiments/results.js';
import type { RunResult } from '../experiments/run.js';
import type { RunSpec } from '../experiments/spec.js';
import { isFinished } from '../experiments/sweep.js';
import { distinctRuns } from './enqueue.js';
import type { SweepQueue } from './queue.js';
import { verifyResult } from './verify.js';

export interface RejectedResult {
  id: string;
  reason: string;
}

export interface CollectOutcome {
  /** Distinct runs in the sweep. */
  total: number;
  /** Lines appended now. */
  written: number;
  /** Runs already finished in the file. */
  inFile: number;
  /** Runs that ended in an error (their error result is in the file, as a local sweep writes it). */
  failed: number;
  /** Runs with no result yet. */
  missing: string[];
  /** Stored results that did not match their run: not written, and removed from Redis so that
   * enqueueing the sweep again reruns them. */
  rejected: RejectedResult[];
  /** One entry per distinct run, in sweep order (undefined: no result). */
  results: (RunResult | undefined)[];
}

// delete a hash field only if it still holds the value we judged (a worker may have replaced it)
const HDEL_IF_EQUAL = "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0";

async function hmgetChunked(q: SweepQueue, key: string, ids: readonly string[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  // results are ~50 kB each: 50 per round trip keeps replies a few MB
  for (let k = 0; k < ids.length; k += 50) {
    const chunk = ids.slice(k, k + 50);
    if (chunk.length) out.push(...(await q.redis.hmget(key, ...chunk)));
  }
  return out;
}

const sameRun = (a: RunResult | undefined, b: RunResult): boolean =>
  a !== undefined && JSON.stringify({ ...a, timeMs: 0 }) === JSON.stringify({ ...b, timeMs: 0 });

export async function collectSweep(q: SweepQueue, specs: readonly RunSpec[], resultsPath: string): Promise<CollectOutcome> {
  const runs = distinctRuns(specs);
  const known = latestById(readResults(resultsPath).results);
  const need = runs.ids.filter((id) => !isFinished(known.get(id)));
  const stored = await hmgetChunked(q, q.keys.results, need);
  const byId = new Map<string, string | null>(need.map((id, k) => [id, stored[k]]));
  const errorIds = need.filter((id) => byId.get(id) === null);
  const errors = await hmgetChunked(q, q.keys.errors, errorIds);
  const errorById = new Map<string, string | null>(errorIds.map((id, k) => [id, errors[k]]));
  const out: CollectOutcome = { total: runs.ids.length, written: 0, inFile: 0, failed: 0, missing: [], rejected: [], results: [] };
  const writer = new ResultsWriter(resultsPath);
  try {
    for (let k = 0; k < runs.ids.length; k++) {
      const id = runs.ids[k];
      const spec = runs.specs[k];
      const prior = known.get(id);
      if (isFinished(prior)) {
        out.inFile++;
        out.results.push(prior);
        continue;
      }
      let r: RunResult | undefined;
      const json = byId.get(id) ?? errorById.get(id) ?? null;
      const key = byId.get(id) ? q.keys.results : q.keys.errors;
      if (json !== null) {
        try {
          r = verifyResult(json, { id, spec });
        } catch (err) {
          out.rejected.push({ id, reason: (err as Error).message });
          await q.redis.eval(HDEL_IF_EQUAL, 1, key, id, json);
        }
      }
      if (r === undefined) {
        if (!out.rejected.some((x) => x.id === id)) out.missing.push(id);
        out.results.push(undefined);
        continue;
      }
      if (r.status === 'error') out.failed++;
      // an error already recorded in the file is not written again on every collect
      if (!sameRun(prior, r)) {
        writer.append(r);
        out.written++;
      }
      out.results.push(r);
    }
  } finally {
    writer.close();
  }
  return out;
}
