/**
 * Where each run of a sweep stands. "Done" means its result is stored (the authority, whatever
 * BullMQ's job says); the other states come from BullMQ.
 */
import type { RunSpec } from '../experiments/spec.js';
import { distinctRuns } from './enqueue.js';
import { hexistsMany, mapChunked, type SweepQueue } from './queue.js';

export interface FailedRun {
  id: string;
  /** The error the run (or the worker refusing it) ended with. */
  message: string;
  attempts: number;
}

export interface SweepStatus {
  total: number;
  /** Waiting for a worker (including retries waiting for their back-off). */
  queued: number;
  running: number;
  done: number;
  failed: number;
  /** Not in the queue at all (never enqueued, or removed). */
  missing: number;
  /** Runs started more than once: a worker died under them or a retry after a failure. */
  retried: number;
  /** The failed runs with their messages (at most `maxFailed`). */
  failures: FailedRun[];
}

export async function sweepStatus(q: SweepQueue, specs: readonly RunSpec[], opts: { maxFailed?: number } = {}): Promise<SweepStatus> {
  const { ids } = distinctRuns(specs);
  const done = await hexistsMany(q.redis, q.keys.results, ids);
  const retriedFlags = await smismember(q, ids);
  const open = ids.filter((_, k) => !done[k]);
  const states = await mapChunked(open, 200, (id) => q.queue.getJobState(id));
  const s: SweepStatus = { total: ids.length, queued: 0, running: 0, done: ids.length - open.length, failed: 0, missing: 0, retried: retriedFlags.filter(Boolean).length, failures: [] };
  const failedIds: string[] = [];
  states.forEach((st, k) => {
    if (st === 'active') s.running++;
    else if (st === 'failed') {
      s.failed++;
      failedIds.push(open[k]);
    } else if (st === 'unknown' || st === 'completed') s.missing++; // completed without a result: its result was rejected
    else s.queued++;
  });
  for (const id of failedIds.slice(0, opts.maxFailed ?? 20)) {
    try {
      const job = await q.queue.getJob(id);
      s.failures.push({ id, message: job?.failedReason ?? '(job removed)', attempts: job?.attemptsMade ?? 0 });
    } catch {
      s.failures.push({ id, message: '(the job cannot be read: its data is not JSON)', attempts: 0 });
    }
  }
  return s;
}

/** True once no run is waiting or running (every run is done, failed or missing). */
export const isSettled = (s: SweepStatus): boolean => s.queued === 0 && s.running === 0;

async function smismember(q: SweepQueue, ids: readonly string[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let k = 0; k < ids.length; k += 1000) {
    const chunk = ids.slice(k, k + 1000);
    if (chunk.length === 0) continue;
    const res = (await q.redis.smismember(q.keys.retried, ...chunk)) as number[];
    out.push(...res.map((v) => v === 1));
  }
  return out;
}
