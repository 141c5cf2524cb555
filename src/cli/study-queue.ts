/**
 * The width study's rounds on the job queue: each round's runs are enqueued, followed until no run
 * waits or runs, and collected into the results file, from which the next round is planned. The
 * runs are the same specs a local study runs, so the results are the same bits.
 */
import { collectSweep } from '../queue/collect.js';
import { describeAddress } from '../queue/connection.js';
import { enqueueSweep } from '../queue/enqueue.js';
import { followSweep } from '../queue/follow.js';
import { openQueue } from '../queue/queue.js';
import type { RunSpec } from '../experiments/spec.js';
import { resolveAddress, withScrubbedErrors, type QueueCliOptions } from './queue-options.js';
import { warn } from './run.js';

export async function queueExecutor(
  o: QueueCliOptions,
  resultsPath: string,
  pollMs: number,
  shouldStop: () => boolean,
  talk: boolean,
): Promise<{ execute: (specs: RunSpec[]) => Promise<void>; close: () => Promise<void> }> {
  const address = resolveAddress(o);
  const q = await withScrubbedErrors(address, () => openQueue(address, { onError: () => {} }));
  let lastError = 0;
  return {
    execute: (specs) =>
      withScrubbedErrors(address, async () => {
        const enq = await enqueueSweep(q, specs);
        if (talk) process.stderr.write(`${describeAddress(address)}: ${enq.total} runs — ${enq.added} enqueued, ${enq.queued} already queued, ${enq.done} already done, ${enq.retried} failed runs requeued\n`);
        let shown = -1;
        await followSweep(q, specs, {
          intervalMs: pollMs,
          shouldStop,
          onError: (m) => {
            if (Date.now() - lastError > 10_000) warn(`redis: ${m} (retrying)`);
            lastError = Date.now();
          },
          onStatus: (s) => {
            if (talk && s.done + s.failed !== shown) {
              shown = s.done + s.failed;
              process.stderr.write(`  ${s.done}/${s.total} done, ${s.running} running, ${s.queued} queued, ${s.failed} failed\n`);
            }
          },
        });
        if (shouldStop()) return;
        const c = await collectSweep(q, specs, resultsPath);
        for (const r of c.rejected) warn(`rejected the stored result of run ${r.id}: ${r.reason}`);
        if (c.missing.length > 0) warn(`${c.missing.length} run(s) of this round have no result on the queue (e.g. ${c.missing.slice(0, 3).join(', ')}): are workers running? The next round asks for them again`);
      }),
    close: () => q.close(),
  };
}
