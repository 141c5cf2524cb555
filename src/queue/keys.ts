/**
 * Redis keys of one queue beside BullMQ's own (which share the `overparam:<name>:` prefix).
 * Run ids are 16 hex digits, so these names cannot collide with BullMQ's per-job keys.
 */
import { KEY_PREFIX, type QueueAddress } from './connection.js';

export interface QueueKeys {
  /** Hash run id → RunResult JSON: finished runs (converged, budget, diverged), written once. */
  results: string;
  /** Hash run id → RunResult JSON of the latest run that ended in status 'error'. */
  errors: string;
  /** Set of run ids that were started more than once (a worker died, a retry after a failure). */
  retried: string;
  /** Hash run id → how many times a worker started it: bounds the redeliveries of a run that kills its workers. */
  starts: string;
}

export function queueKeys(a: Pick<QueueAddress, 'name'>): QueueKeys {
  const base = `${KEY_PREFIX}:${a.name}`;
  return { results: `${base}:results`, errors: `${base}:errors`, retried: `${base}:retried`, starts: `${base}:starts` };
}
