/** The first connection to Redis: fail fast and clearly, then reconnect for ever. */
import { Redis } from 'ioredis';
import { describeAddress, redisOptions, scrub, type QueueAddress } from './connection.js';
import { QueueError } from './errors.js';

export interface ConnectOptions {
  /** How long the first connection may take before giving up (ms, default 10 000). */
  timeoutMs?: number;
  /** Connection errors after the first connection (Redis restarting): reported, then retried. */
  onError?: (err: Error) => void;
}

/**
 * A connected client, or a QueueError naming the cause (refused, wrong password, timeout) with
 * the password scrubbed. Later disconnections are retried for ever.
 */
export async function connectRedis(a: QueueAddress, opts: ConnectOptions = {}): Promise<Redis> {
  const client = new Redis({ ...redisOptions(a), lazyConnect: true });
  let last: Error | undefined;
  let connected = false;
  let refuse: ((err: Error) => void) | undefined;
  // an 'error' listener is also what stops ioredis printing "Unhandled error event" itself;
  // errors before the first connection end up in the QueueError below instead
  client.on('error', (err: Error) => {
    last = err;
    if (connected) opts.onError?.(err);
    // a wrong password will not get better by retrying: fail now, not at the timeout
    else if (/WRONGPASS|NOAUTH|NOPERM|invalid password/i.test(err.message)) refuse?.(err);
  });
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        refuse = reject;
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    await client.ping();
    connected = true;
  } catch (err) {
    client.disconnect();
    const cause = last?.message ?? (err as Error).message;
    throw new QueueError(scrub(`cannot connect to ${describeAddress(a)}: ${cause}`, a));
  } finally {
    clearTimeout(timer);
  }
  return client;
}
