/**
 * The queue library against a real Redis (started here, see redis.ts): workers in this process,
 * each executing runs on its own threads as `overparam worker` does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { expandGrid, parseGrid } from '../../src/experiments/grid.js';
import type { RunResult } from '../../src/experiments/run.js';
import { runOne } from '../../src/experiments/run.js';
import { runId, type RunSpec } from '../../src/experiments/spec.js';
import { runSweep } from '../../src/experiments/sweep.js';
import { collectSweep } from '../../src/queue/collect.js';
import { KEY_PREFIX, parseQueueUrl, redisOptions, type QueueAddress } from '../../src/queue/connection.js';
import { enqueueSweep } from '../../src/queue/enqueue.js';
import { followSweep } from '../../src/queue/follow.js';
import { openQueue, type SweepQueue } from '../../src/queue/queue.js';
import { sweepStatus } from '../../src/queue/status.js';
import { QueueWorker, storeResult, type WorkerEvent } from '../../src/queue/worker.js';
import { REDIS_MISSING, TestRedis } from './redis.js';

const skip = REDIS_MISSING;
let redis: TestRedis;
const dir = mkdtempSync(join(tmpdir(), 'overparam-queue-'));
// short locks: a lost worker's run comes back within seconds, not the default 30 s
const FAST = { lockMs: 2000, stallMs: 1000 };

before(async () => {
  if (!skip) redis = await TestRedis.start();
});
after(async () => {
  await redis?.stop();
});

const grid = (widths: number[], seeds: number, epsilon = 1e-3): RunSpec[] => expandGrid(parseGrid({ n: [12], width: widths, seeds, epsilon, maxSteps: 3000, data: [{ d: 4 }] }));
const address = (name: string): QueueAddress => parseQueueUrl(redis.url, { name });
const lines = (path: string): RunResult[] =>
  readFileSync(path, 'utf-8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RunResult);
/** A result without how its execution went (wall time and thread count): what must be equal wherever the run ran. */
const withoutTime = (r: RunResult): Omit<RunResult, 'timeMs' | 'threads'> => {
  const { timeMs: _t, threads: _th, ...rest } = r;
  return rest;
};

async function settle(q: SweepQueue, specs: readonly RunSpec[], timeoutMs = 60_000) {
  const t0 = Date.now();
  return followSweep(q, specs, { intervalMs: 100, shouldStop: () => Date.now() - t0 > timeoutMs });
}

test('enqueueing the same sweep twice creates no duplicate runs', { skip }, async () => {
  const a = address('twice');
  const q = await openQueue(a);
  try {
    const specs = grid([64, 128], 3);
    const doubled = [...specs, ...specs]; // a grid that lists its runs twice, too
    const first = await enqueueSweep(q, doubled);
    assert.deepEqual(first, { total: 6, added: 6, queued: 0, done: 0, retried: 0 });
    const second = await enqueueSweep(q, specs);
    assert.deepEqual(second, { total: 6, added: 0, queued: 6, done: 0, retried: 0 });
    const counts = await q.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
    assert.equal(Object.values(counts).reduce((s, v) => s + v, 0), 6);
    const jobs = await q.queue.getJobs(['waiting']);
    assert.deepEqual(jobs.map((j) => j.id).sort(), specs.map(runId).sort());
    await q.queue.obliterate({ force: true });
  } finally {
    await q.close();
  }
});

test('two workers complete a sweep; the collected results equal a local sweep’s exactly', { skip }, async () => {
  const a = address('two');
  const specs = grid([64, 128], 3);
  const q = await openQueue(a);
  const seen: Record<string, string[]> = { w1: [], w2: [] };
  const log = (w: string) => (e: WorkerEvent) => {
    if (e.type === 'done') seen[w].push(e.id);
  };
  const w1 = await QueueWorker.start(a, { ...FAST, onEvent: log('w1') });
  const w2 = await QueueWorker.start(a, { ...FAST, onEvent: log('w2') });
  try {
    await enqueueSweep(q, specs);
    const st = await settle(q, specs);
    assert.equal(st?.done, specs.length);
    assert.equal(seen.w1.length + seen.w2.length, specs.length, 'each run executed once');
    assert.ok(seen.w1.length > 0 && seen.w2.length > 0, `both workers took runs: ${JSON.stringify(seen)}`);
    const queued = join(dir, 'queued.jsonl');
    const c = await collectSweep(q, specs, queued);
    assert.deepEqual({ written: c.written, missing: c.missing, rejected: c.rejected, failed: c.failed }, { written: 6, missing: [], rejected: [], failed: 0 });
    const local = join(dir, 'local.jsonl');
    await runSweep(specs, local, { workers: 1 });
    assert.deepEqual(lines(queued).map(withoutTime), lines(local).map(withoutTime));
    // collecting again adds nothing: the file already holds every run
    const again = await collectSweep(q, specs, queued);
    assert.equal(again.written, 0);
    assert.equal(again.inFile, 6);
    // a completed job whose result is gone (rejected at collection, say) is rerun by the next enqueue
    await q.redis.hdel(q.keys.results, runId(specs[0]));
    assert.deepEqual(await enqueueSweep(q, specs), { total: 6, added: 0, queued: 0, done: 5, retried: 1 });
    assert.equal((await settle(q, specs))?.done, 6);
  } finally {
    await Promise.all([w1.close(), w2.close()]);
    await q.close();
  }
});

test('a malformed, oversized or mislabelled job fails at once with its reason; status shows it', { skip }, async () => {
  const a = address('malformed');
  const q = await openQueue(a);
  const raw = new Queue(a.name, { connection: redisOptions(a), prefix: KEY_PREFIX });
  const w = await QueueWorker.start(a, FAST);
  try {
    const good = grid([64], 1)[0];
    await raw.add('run', { ...good, eta: 'fast' }, { jobId: 'bad-eta', attempts: 3 });
    await raw.add('run', { ...good, junk: 'x'.repeat(20_000) }, { jobId: 'too-big', attempts: 3 });
    await raw.add('run', good, { jobId: 'not-its-id', attempts: 3 });
    const deadline = Date.now() + 20_000;
    let failed = 0;
    while (Date.now() < deadline && (failed = await raw.getFailedCount()) < 3) await new Promise((r) => setTimeout(r, 100));
    assert.equal(failed, 3);
    const reasons = Object.fromEntries(await Promise.all(['bad-eta', 'too-big', 'not-its-id'].map(async (id) => [id, await raw.getJob(id)] as const)));
    assert.match(reasons['bad-eta']!.failedReason, /malformed run spec in job bad-eta: eta: η must be a positive number or 'auto', got fast/);
    assert.match(reasons['too-big']!.failedReason, /malformed run spec in job too-big: run spec too large/);
    assert.match(reasons['not-its-id']!.failedReason, /job not-its-id carries a run spec whose id is [0-9a-f]{16}: refused/);
    for (const j of Object.values(reasons)) assert.equal(j!.attemptsMade, 1, 'not retried');
    assert.equal(await q.redis.hlen(q.keys.results), 0);
  } finally {
    await w.close();
    await raw.close();
    await q.close();
  }
});

test('a run that ends in an error fails with its message, is written as a local sweep writes it, and is requeued by the next enqueue', { skip }, async () => {
  const a = address('errors');
  const q = await openQueue(a);
  const w = await QueueWorker.start(a, FAST);
  try {
    const specs = expandGrid(parseGrid({ n: [8], width: [64], seeds: 1, maxSteps: 10, data: [{ path: join(dir, 'no-such-file.csv') }] }));
    await enqueueSweep(q, specs);
    const st = await settle(q, specs);
    assert.equal(st?.failed, 1);
    assert.match(st!.failures[0].message, /no-such-file\.csv/);
    const c = await collectSweep(q, specs, join(dir, 'errors.jsonl'));
    assert.equal(c.failed, 1);
    const [line] = lines(join(dir, 'errors.jsonl'));
    assert.equal(line.status, 'error');
    assert.deepEqual(withoutTime(line), withoutTime(runOne(specs[0])));
    assert.equal((await collectSweep(q, specs, join(dir, 'errors.jsonl'))).written, 0, 'the same error is not written twice');
    const again = await enqueueSweep(q, specs);
    assert.equal(again.retried, 1);
    assert.equal((await settle(q, specs))?.retried, 1);
  } finally {
    await w.close();
    await q.close();
  }
});

test('a result that does not match its run is refused when stored and when collected', { skip }, async () => {
  const a = address('mismatch');
  const q = await openQueue(a);
  try {
    const specs = grid([64], 2);
    const [s0, s1] = specs;
    const r0 = runOne(s0);
    const r1 = runOne(s1);
    // storing: the result of run 1 offered as run 0's, and a forged id
    await assert.rejects(storeResult(q.redis, q.keys, runId(s0), s0, r1), /is the result of run/);
    await assert.rejects(storeResult(q.redis, q.keys, runId(s0), s0, { ...r0, spec: s1 }), /rejected/);
    assert.equal(await q.redis.hlen(q.keys.results), 0);
    // collecting: someone wrote run 1's result under run 0's id behind our back
    assert.equal(await storeResult(q.redis, q.keys, runId(s1), s1, r1), true);
    assert.equal(await storeResult(q.redis, q.keys, runId(s1), s1, r1), false, 'stored once');
    await q.redis.hset(q.keys.results, runId(s0), JSON.stringify(r1));
    const out = join(dir, 'mismatch.jsonl');
    const c = await collectSweep(q, specs, out);
    assert.equal(c.rejected.length, 1);
    assert.equal(c.rejected[0].id, runId(s0));
    assert.match(c.rejected[0].reason, /rejected/);
    assert.deepEqual(lines(out).map((r) => r.id), [runId(s1)]);
    assert.equal(await q.redis.hexists(q.keys.results, runId(s0)), 0, 'the bad entry is removed so the run can be redone');
  } finally {
    await q.close();
  }
});

test('Redis killed and restarted mid-sweep: the sweep completes with nothing lost', { skip }, async () => {
  const a = address('restart');
  // runs of about a second each (ε never reached), so that the restart falls mid-sweep although it
  // waits for Redis's once-a-second fsync (--appendfsync everysec) to have written the enqueued jobs
  const specs = expandGrid(parseGrid({ n: [64], width: [2048, 4096], seeds: 3, epsilon: 1e-12, maxSteps: 4000, data: [{ d: 8 }] }));
  const q = await openQueue(a);
  const events: WorkerEvent[] = [];
  const w1 = await QueueWorker.start(a, { ...FAST, onEvent: (e) => events.push(e) });
  const w2 = await QueueWorker.start(a, { ...FAST, onEvent: (e) => events.push(e) });
  try {
    await enqueueSweep(q, specs);
    const enqueued = Date.now();
    const errors: string[] = [];
    const following = followSweep(q, specs, { intervalMs: 100, onError: (m) => errors.push(m) });
    const t0 = Date.now();
    while ((await q.redis.hlen(q.keys.results)) < 2 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    // what Redis acknowledged in the last second before a SIGKILL may be lost by design (everysec): not this test's point
    while (Date.now() - enqueued < 1300) await new Promise((r) => setTimeout(r, 50));
    const before = await q.redis.hkeys(q.keys.results);
    assert.ok(before.length >= 2 && before.length < specs.length, `restart mid-sweep (${before.length} done)`);
    await new Promise((r) => setTimeout(r, 1100)); // the results read above are on disk now
    await redis.restart(800);
    let timer: NodeJS.Timeout | undefined;
    const st = await Promise.race([following, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), 60_000)))]);
    clearTimeout(timer);
    assert.ok(st, 'the follower finished');
    assert.equal(st.done, specs.length, JSON.stringify(st));
    const after = await q.redis.hkeys(q.keys.results);
    for (const id of before) assert.ok(after.includes(id), `result ${id} survived the restart`);
    const c = await collectSweep(q, specs, join(dir, 'restart.jsonl'));
    assert.deepEqual(c.missing, []);
    assert.equal(lines(join(dir, 'restart.jsonl')).length, specs.length);
    assert.ok(events.some((e) => e.type === 'error'), 'the workers saw the outage');
  } finally {
    await Promise.all([w1.close(), w2.close()]);
    await q.close();
  }
});

test('a run whose thread crashes each time is started at most --max-stalled + 1 times in all, then failed with the reason', { skip }, async () => {
  const a = address('crashing');
  const q = await openQueue(a);
  let starts = 0;
  // the run thread dies under every run (as a native crash or an out-of-memory kill of the thread would)
  const executor = { execute: async () => (starts++, Promise.reject(new Error('run thread exited with code 134'))), close: async () => {} };
  const events: WorkerEvent[] = [];
  const w = await QueueWorker.start(a, { ...FAST, maxStalled: 1, executor, onEvent: (e) => events.push(e) });
  try {
    const specs = grid([64], 1);
    await enqueueSweep(q, specs);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(await sweepStatus(q, specs)).failed) await new Promise((r) => setTimeout(r, 100));
    const s = await sweepStatus(q, specs);
    assert.equal(s.failed, 1, JSON.stringify(s));
    // without the bound, BullMQ would give it its 3 attempts (each a start) and more after stalls
    assert.equal(starts, 2, `${starts} starts`);
    assert.match(s.failures[0].message, /this run was started 2 times and its worker never finished it/);
    // enqueued again by a user: its starts count anew
    await enqueueSweep(q, specs);
    const again = Date.now() + 30_000;
    while (Date.now() < again && starts < 4) await new Promise((r) => setTimeout(r, 100));
    assert.equal(starts, 4);
  } finally {
    await w.close();
    await q.close();
  }
});
