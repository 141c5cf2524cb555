/**
 * Follows a queued sweep until no run is waiting or running. A Redis restart while following
 * is waited out: the client reconnects by itself, and a failed poll is reported and retried.
 */
import type { RunSpec } from '../experiments/spec.js';
import { scrub } from './connection.js';
import type { SweepQueue } from './queue.js';
import { isSettled, sweepStatus, type SweepStatus } from './status.js';

export interface FollowOptions {
  /** Between polls (ms, default 1000). */
  intervalMs?: number;
  onStatus?: (s: SweepStatus) => void;
  /** A poll that failed (Redis away); following goes on. */
  onError?: (message: string) => void;
  /** Checked between polls: true stops following (the runs stay queued). */
  shouldStop?: () => boolean;
}

/** The last status seen, settled unless following was stopped. */
export async function followSweep(q: SweepQueue, specs: readonly RunSpec[], opts: FollowOptions = {}): Promise<SweepStatus | undefined> {
  const interval = opts.intervalMs ?? 1000;
  let last: SweepStatus | undefined;
  for (;;) {
    if (opts.shouldStop?.()) return last;
    try {
      last = await sweepStatus(q, specs);
      opts.onStatus?.(last);
      if (isSettled(last)) return last;
    } catch (err) {
      opts.onError?.(scrub((err as Error).message, q.address));
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
