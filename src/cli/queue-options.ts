/** Queue options shared by `sweep --queue` and `worker`, and the scrubbing of their errors. */
import type { Command } from 'commander';
import { OverparamError } from '../errors.js';
import { DEFAULT_QUEUE_NAME, parseQueueUrl, redactUrls, scrub, type QueueAddress } from '../queue/connection.js';
import { QueueError } from '../queue/errors.js';

export interface QueueCliOptions {
  queue?: string;
  queueName: string;
}

/** The variable that may hold the Redis password, keeping it out of `ps` and shell history. */
export const PASSWORD_ENV = 'OVERPARAM_REDIS_PASSWORD';

export function addQueueOptions(cmd: Command, required: boolean): Command {
  const help = `Redis of the job queue: redis://[:password@]HOST:PORT[/DB] (password also from $${PASSWORD_ENV})`;
  if (required) cmd.requiredOption('--queue <url>', help);
  else cmd.option('--queue <url>', help);
  return cmd.option('--queue-name <name>', 'queue name: sweeps on one Redis stay apart by name', DEFAULT_QUEUE_NAME);
}

export function resolveAddress(o: QueueCliOptions): QueueAddress {
  const pw = process.env[PASSWORD_ENV];
  return parseQueueUrl(o.queue ?? '', { name: o.queueName, ...(pw ? { password: pw } : {}) });
}

/**
 * Runs a queue command with every error's message scrubbed of the password; errors from Redis
 * or BullMQ (not ours) become QueueErrors (exit code 5).
 */
export async function withScrubbedErrors<T>(a: QueueAddress | undefined, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    const message = a ? scrub((err as Error)?.message ?? String(err), a) : redactUrls((err as Error)?.message ?? String(err));
    if (err instanceof OverparamError) {
      err.message = message;
      throw err;
    }
    throw new QueueError(`queue: ${message}`);
  }
}
