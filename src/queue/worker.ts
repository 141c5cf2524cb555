/**
 * A queue worker: takes runs from the queue, executes them on worker threads (executor.ts) and
 * stores each result in Redis under its run id.
 *
 * Delivery is at least once: a job whose worker dies is handed out again after its lock
 * expires (BullMQ's stall check). Results are exactly once: a result is stored with HSETNX, so a
 * run executed twice is stored once — and a worker first checks whether the result exists
 * already, so a redelivered run that had finished is not executed again. A result is stored
 * before its job is marked completed: a crash between the two costs a redelivery, never a result.
 */
import { hostname } from 'node:os';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunResult } from '../experiments/run.js';
import type { RunSpec } from '../experiments/spec.js';
import { connectRedis } from './client.js';
import { KEY_PREFIX, redisOptions, scrub, type QueueAddress } from './connection.js';
import { RunExecutor } from './executor.js';
import { queueKeys, type QueueKeys } from './keys.js';
import { checkResult, POISONED, specOfJob } from './verify.js';

export interface QueueWorkerOptions {
  /** Runs executed at once (default 1); the cores are shared out among them. */
  concurrency?: number;
  /** The memory one run may use (bytes); default the machine's free memory when it starts. */
  maxMemory?: number;
  /** How long a job's lock lasts without renewal (ms, default 30 000): a dead worker's run is
   * handed out again this long after its last renewal (plus up to two stall intervals). */
  lockMs?: number;
  /** How often this worker looks for stalled jobs (ms, default 30 000). */
  stallMs?: number;
  /** Stalls a job may survive before it is failed (default 3). */
  maxStalled?: number;
  /** Shown as the job's processedBy (default host:pid). */
  name?: string;
  /** First connection timeout (ms, default 10 000). */
  connectTimeoutMs?: number;
  onEvent?: (e: WorkerEvent) => void;
  /** What executes a run (default: worker threads, executor.ts); another one lets tests make runs crash. */
  executor?: RunExecutorLike;
}

/** The part of RunExecutor the worker uses. */
export interface RunExecutorLike {
  execute(spec: RunSpec): Promise<RunResult>;
  close(): Promise<void>;
}

export type WorkerEvent =
  | { type: 'start'; id: string; spec: RunSpec; attempt: number }
  | { type: 'done'; id: string; result: RunResult; stored: boolean }
  | { type: 'skip'; id: string }
  /** willRetry: the job goes back to the queue (after a short back-off) for another attempt. */
  | { type: 'failed'; id: string; message: string; willRetry: boolean }
  | { type: 'stalled'; id: string }
  | { type: 'error'; message: string };

type RunJob = Job<unknown, string, string>;

/**
 * Stores a result under its run id once. Refuses (DataError) a result that is not the result of
 * the run: its id must be runId(result.spec) and both must equal the job's. Returns false when
 * a result was already stored (the run was executed twice; the first one stays).
 */
export async function storeResult(redis: Redis, keys: QueueKeys, id: string, spec: RunSpec, r: RunResult): Promise<boolean> {
  checkResult(r, { id, spec });
  const json = JSON.stringify(r);
  if (r.status === 'error') {
    await redis.hset(keys.errors, id, json);
    return true;
  }
  const stored = (await redis.hsetnx(keys.results, id, json)) === 1;
  await redis.hdel(keys.errors, id);
  return stored;
}

/**
 * Replaces the data of every queued or running job whose data is not JSON by a marker that the
 * worker refuses with that reason (verify.ts, POISONED): BullMQ parses a job's data before it hands
 * the job over, so without this such a job would stay "running" for ever and --until-empty never end.
 */
export async function markUnreadableJobs(redis: Redis, queueName: string): Promise<number> {
  const base = `${KEY_PREFIX}:${queueName}`;
  const ids = new Set<string>();
  for (const list of ['wait', 'active', 'paused']) for (const id of await redis.lrange(`${base}:${list}`, 0, -1)) ids.add(id);
  for (const set of ['delayed', 'prioritized']) for (const id of await redis.zrange(`${base}:${set}`, 0, -1)) ids.add(id);
  let marked = 0;
  for (const id of ids) {
    const data = await redis.hget(`${base}:${id}`, 'data');
    if (data === null) continue;
    try {
      JSON.parse(data);
    } catch {
      const shown = data.length > 60 ? `${JSON.stringify(data.slice(0, 60))}…` : JSON.stringify(data);
      await redis.hset(`${base}:${id}`, 'data', JSON.stringify({ [POISONED]: `it began ${shown}` }));
      marked++;
    }
  }
  return marked;
}

/**
 * The jobs in a worker's hands: from the moment it takes one until BullMQ has marked it completed
 * or failed in Redis. A gentle stop waits for none to be left, and then has nothing that closing
 * the connections at once could lose.
 */
class JobsInHand {
  private readonly ids = new Set<string>();
  private waiting: (() => void)[] = [];
  take(id: string): void {
    this.ids.add(id);
  }
  release(id: string): void {
    this.ids.delete(id);
    if (this.ids.size === 0) for (const wake of this.waiting.splice(0)) wake();
  }
  /** Resolves once no job is in hand. */
  none(): Promise<void> {
    return this.ids.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
}

export class QueueWorker {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly address: QueueAddress,
    private readonly worker: Worker<unknown, string, string>,
    private readonly queue: Queue,
    private readonly redis: Redis,
    private readonly executor: RunExecutorLike,
    private readonly janitor: NodeJS.Timeout,
    private readonly inHand: JobsInHand,
  ) {}

  static async start(address: QueueAddress, opts: QueueWorkerOptions = {}): Promise<QueueWorker> {
    const emit = opts.onEvent ?? (() => {});
    const onError = (err: Error): void => emit({ type: 'error', message: scrub(err.message, address) });
    const redis = await connectRedis(address, { onError, ...(opts.connectTimeoutMs !== undefined ? { timeoutMs: opts.connectTimeoutMs } : {}) });
    const keys = queueKeys(address);
    const concurrency = opts.concurrency ?? 1;
    const executor = opts.executor ?? new RunExecutor(concurrency, opts.maxMemory);
    const maxStalled = opts.maxStalled ?? 3;
    // the first start, and one more for each loss of a worker the run may survive
    const maxStarts = maxStalled + 1;

    const inHand = new JobsInHand();
    const process = async (job: RunJob): Promise<string> => {
      const id = job.id ?? '';
      inHand.take(id);
      let spec: RunSpec;
      try {
        spec = specOfJob(job.id, job.data);
      } catch (err) {
        // a malformed job fails at once: retrying cannot make it well-formed
        throw new UnrecoverableError((err as Error).message);
      }
      const attempt = job.attemptsStarted;
      if (attempt > 1 || job.stalledCounter > 0) await redis.sadd(keys.retried, id);
      // every start counts, whatever brought the run back (a dead worker's stall, a crashed run
      // thread's retry): a run that keeps killing its workers is failed, not handed out for ever
      const starts = await redis.hincrby(keys.starts, id, 1);
      if (starts > maxStarts) {
        throw new UnrecoverableError(`this run was started ${starts - 1} times and its worker never finished it (a crash, or the machine ran out of memory): failed, not handed out again`);
      }
      if (await redis.hexists(keys.results, id)) {
        emit({ type: 'skip', id });
        return 'stored-before';
      }
      emit({ type: 'start', id, spec, attempt });
      const r = await executor.execute(spec);
      const stored = await storeResult(redis, keys, id, spec, r);
      // a run is deterministic: one that ended in an error would end in it again
      if (r.status === 'error') throw new UnrecoverableError(r.message);
      emit({ type: 'done', id, result: r, stored });
      return stored ? 'stored' : 'duplicate';
    };

    const worker = new Worker<unknown, string, string>(address.name, process, {
      connection: redisOptions(address),
      prefix: KEY_PREFIX,
      concurrency,
      name: opts.name ?? `${hostname()}:${globalThis.process.pid}`,
      lockDuration: opts.lockMs ?? 30_000,
      stalledInterval: opts.stallMs ?? 30_000,
      maxStalledCount: maxStalled,
      // an idle worker's blocking wait: short enough that close() is prompt
      drainDelay: 1,
      autorun: false,
    });
    worker.on('error', onError);
    worker.on('completed', (job) => inHand.release(job.id ?? ''));
    worker.on('failed', (job, err) => {
      if (job) inHand.release(job.id ?? '');
      const willRetry = job !== undefined && !(err instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
      emit({ type: 'failed', id: job?.id ?? '?', message: scrub(err.message, address), willRetry });
    });
    worker.on('stalled', (id) => emit({ type: 'stalled', id }));
    const queue = new Queue(address.name, { connection: redisOptions(address), prefix: KEY_PREFIX });
    queue.on('error', onError);
    await worker.waitUntilReady();
    await markUnreadableJobs(redis, address.name).catch((err: Error) => onError(err));
    const janitor = setInterval(() => void markUnreadableJobs(redis, address.name).catch((err: Error) => onError(err)), opts.stallMs ?? 30_000);
    janitor.unref();
    const w = new QueueWorker(address, worker, queue, redis, executor, janitor, inHand);
    void worker.run().catch(onError);
    return w;
  }

  /** True when nothing is waiting or running anywhere in the queue. */
  async queueIsEmpty(): Promise<boolean> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(c).every((v) => v === 0);
  }

  /**
   * Stops taking runs. Gently (the default): the runs in progress finish and are stored first.
   * Forced: they are abandoned, and the queue hands them out again once their locks expire.
   */
  close(force = false): Promise<void> {
    clearInterval(this.janitor);
    if (force) {
      return (async () => {
        await this.executor.close();
        await this.worker.close(true);
        await this.queue.close();
        this.redis.disconnect();
      })();
    }
    // BullMQ's own gentle close waits on Redis, for ever where Redis is gone meanwhile (a worker
    // stopped while Redis was down never exited). Instead: take no new job (a local pause, no
    // Redis round trip), let the jobs in hand finish and be marked done in Redis, then close as a
    // forced stop does — which then abandons nothing.
    this.stopping ??= (async () => {
      await this.worker.pause(true);
      await this.inHand.none();
      await this.executor.close();
      await this.worker.close(true);
      await this.queue.close();
      this.redis.disconnect();
    })();
    return this.stopping;
  }
}
