/**
 * An open sweep queue as the submitting side sees it: BullMQ's Queue (the jobs) and a plain
 * client for our result keys. Workers open their own (worker.ts).
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, type ConnectOptions } from './client.js';
import { KEY_PREFIX, redisOptions, scrub, type QueueAddress } from './connection.js';
import { queueKeys, type QueueKeys } from './keys.js';

/** The BullMQ job name of a run (the job id is the run id). */
export const JOB_NAME = 'run';

/**
 * Attempts of one job. A run that ends in status 'error' is not retried (a run is deterministic:
 * it would fail again); these attempts are for the worker's own failures (a crashed run thread,
 * a lost connection while storing). A worker killed mid-run is a stall, counted separately.
 */
export const JOB_OPTIONS: JobsOptions = { attempts: 3, backoff: { type: 'fixed', delay: 2000 } };

export interface SweepQueue {
  address: QueueAddress;
  queue: Queue;
  redis: Redis;
  keys: QueueKeys;
  close(): Promise<void>;
}

export async function openQueue(address: QueueAddress, opts: ConnectOptions = {}): Promise<SweepQueue> {
  const redis = await connectRedis(address, opts);
  const queue = new Queue(address.name, { connection: redisOptions(address), prefix: KEY_PREFIX });
  queue.on('error', (err: Error) => opts.onError?.(new Error(scrub(err.message, address))));
  await queue.waitUntilReady();
  return {
    address,
    queue,
    redis,
    keys: queueKeys(address),
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** Runs `f` over `items` with at most `width` calls in flight (keeps pipelines bounded). */
export async function mapChunked<T, R>(items: readonly T[], width: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let k = 0; k < items.length; k += width) out.push(...(await Promise.all(items.slice(k, k + width).map(f))));
  return out;
}

/** HEXISTS for many fields in one round trip. */
export async function hexistsMany(redis: Redis, key: string, fields: readonly string[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let k = 0; k < fields.length; k += 1000) {
    const p = redis.pipeline();
    for (const f of fields.slice(k, k + 1000)) p.hexists(key, f);
    const res = (await p.exec()) ?? [];
    for (const [err, v] of res) {
      if (err) throw err;
      out.push(v === 1);
    }
  }
  return out;
}
