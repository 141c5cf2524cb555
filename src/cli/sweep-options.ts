/** The options of `overparam sweep`, local or on a queue (sweep.ts parses them, sweep-queue.ts runs a queued sweep). */
import type { QueueCliOptions } from './queue-options.js';
import type { RunOptionValues } from './run-options.js';

export interface SweepCliOptions extends RunOptionValues, QueueCliOptions {
  results: string;
  workers?: string;
  json?: boolean;
  progress: boolean;
  status?: boolean;
  collect?: boolean;
  follow: boolean;
  pollMs: string;
  maxMemory?: string;
}
