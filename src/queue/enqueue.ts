/**
 * Enqueues a sweep: one BullMQ job per distinct run, with the run id as job id. Idempotent:
 * runs already finished (their result is stored) or already queued are left alone, so the same
 * sweep can be enqueued any number of times, from any machine, and adds each run once.
 * Runs that failed are put back in the queue (as a local sweep retries its errors).
 */
import { runId, type RunSpec } from '../experiments/spec.js';
import { JOB_NAME, JOB_OPTIONS, hexistsMany, mapChunked, type SweepQueue } from './queue.js';

export interface EnqueueOutcome {
  /** Distinct runs in the sweep. */
  total: number;
  added: number;
  /** Already waiting or running. */
  queued: number;
  /** Result already stored. */
  done: number;
  /** Failed before and put back in the queue. */
  retried: number;
}

/** Distinct run ids and their specs, in first-seen order (a grid may list a run twice). */
export function distinctRuns(specs: readonly RunSpec[]): { ids: string[]; specs: RunSpec[] } {
  const seen = new Set<string>();
  const out = { ids: [] as string[], specs: [] as RunSpec[] };
  for (const s of specs) {
    const id = runId(s);
    if (seen.has(id)) continue;
    seen.add(id);
    out.ids.push(id);
    out.specs.push(s);
  }
  return out;
}

export async function enqueueSweep(q: SweepQueue, specs: readonly RunSpec[]): Promise<EnqueueOutcome> {
  const runs = distinctRuns(specs);
  const done = await hexistsMany(q.redis, q.keys.results, runs.ids);
  const open = runs.ids.map((id, k) => ({ id, spec: runs.specs[k] })).filter((_, k) => !done[k]);
  const states = await mapChunked(open, 200, (r) => q.queue.getJobState(r.id));
  const toAdd = open.filter((_, k) => states[k] === 'unknown');
  // finished in BullMQ but without a stored result: failed, or its result was rejected/removed
  const toRetry = open.filter((_, k) => states[k] === 'failed' || states[k] === 'completed');
  for (let k = 0; k < toAdd.length; k += 500) {
    // BullMQ's add is atomic per job id: two submitters racing still create each job once
    await q.queue.addBulk(toAdd.slice(k, k + 500).map((r) => ({ name: JOB_NAME, data: r.spec, opts: { ...JOB_OPTIONS, jobId: r.id } })));
  }
  let retried = 0;
  for (const r of toRetry) {
    const job = await q.queue.getJob(r.id);
    const state = await job?.getState();
    if (!job || (state !== 'failed' && state !== 'completed')) continue; // moved on meanwhile
    // asked for again by a user: its count of starts begins anew (worker.ts bounds it per enqueue)
    await q.redis.hdel(q.keys.starts, r.id);
    await job.retry(state, { resetAttemptsMade: true });
    retried++;
  }
  const total = runs.ids.length;
  const nDone = done.filter(Boolean).length;
  return { total, added: toAdd.length, queued: total - nDone - toAdd.length - retried, done: nDone, retried };
}
