/**
 * `overparam sweep … --queue URL`: the sweep on a job queue. Default: enqueue the runs, follow
 * the workers' progress, then collect the results into the results file. `--status` and
 * `--collect` do one of those steps alone, from any machine, at any time.
 */
import { runsBar } from './progress.js';
import type { Grid } from '../experiments/grid.js';
import type { RunResult } from '../experiments/run.js';
import type { RunSpec } from '../experiments/spec.js';
import { summarize } from '../experiments/summary.js';
import { OptionError } from '../errors.js';
import { collectSweep, type CollectOutcome } from '../queue/collect.js';
import { describeAddress, type QueueAddress } from '../queue/connection.js';
import { enqueueSweep, type EnqueueOutcome } from '../queue/enqueue.js';
import { followSweep } from '../queue/follow.js';
import { openQueue, type SweepQueue } from '../queue/queue.js';
import { sweepStatus, type SweepStatus } from '../queue/status.js';
import { intOption } from './options.js';
import { resolveAddress, withScrubbedErrors } from './queue-options.js';
import { EXIT, warn } from './run.js';
import type { SweepCliOptions } from './sweep-options.js';
import { summaryLines } from './sweep-summary.js';

export async function runQueuedSweepCli(grid: Grid, specs: RunSpec[], o: SweepCliOptions): Promise<number> {
  if (o.status && o.collect) throw new OptionError('--status and --collect: choose one');
  if (o.workers !== undefined) throw new OptionError('--workers is for a local sweep; with --queue, start `overparam worker` on each machine');
  const pollMs = intOption('poll-ms', o.pollMs, 50);
  const address = resolveAddress(o);
  return withScrubbedErrors(address, async () => {
    const q = await openQueue(address, { onError: () => {} });
    try {
      // `return await`: the queue is closed in `finally`, after the step is done
      if (o.status) return await printStatus(q, specs, o);
      if (o.collect) return await finish(q, grid, specs, o, undefined, undefined);
      const enq = await enqueueSweep(q, specs);
      if (!o.json) process.stderr.write(`${describeAddress(address)}: ${enq.total} runs — ${enq.added} enqueued, ${enq.queued} already queued, ${enq.done} already done, ${enq.retried} failed runs requeued\n`);
      if (!o.follow) {
        if (o.json) process.stdout.write(JSON.stringify({ command: 'sweep', queue: describeAddress(address), enqueued: enq }, null, 2) + '\n');
        else process.stderr.write('start `overparam worker --queue …` on each machine; `--status` shows progress, `--collect` writes the results\n');
        return EXIT.ok;
      }
      const last = await follow(q, specs, o, pollMs, address);
      if (last === undefined) return 130;
      return await finish(q, grid, specs, o, enq, last);
    } finally {
      await q.close();
    }
  });
}

async function follow(q: SweepQueue, specs: readonly RunSpec[], o: SweepCliOptions, pollMs: number, address: QueueAddress): Promise<SweepStatus | undefined> {
  const bar = runsBar('{value}/{total} runs | {running} running | {queued} queued | {failed} failed | {retried} retried | ETA {eta_formatted}', o.progress && !o.json);
  let started = false;
  let stop = false;
  const onSigint = (): void => {
    if (stop) process.exit(130);
    stop = true;
  };
  process.on('SIGINT', onSigint);
  let lastError = 0;
  try {
    const last = await followSweep(q, specs, {
      intervalMs: pollMs,
      shouldStop: () => stop,
      onError: (m) => {
        // Redis away: say so once in a while, keep following
        if (Date.now() - lastError > 10_000) warn(`redis: ${m} (retrying)`);
        lastError = Date.now();
      },
      onStatus: (s) => {
        if (!bar) return;
        const payload = { running: s.running, queued: s.queued, failed: s.failed, retried: s.retried };
        if (!started) {
          bar.start(s.total, s.done + s.failed, payload);
          started = true;
        } else bar.update(s.done + s.failed, payload);
      },
    });
    if (stop) {
      bar?.stop();
      warn(`stopped following; the runs stay queued on ${describeAddress(address)} (--status to look, the same command to follow again)`);
      return undefined;
    }
    return last;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
  }
}

function statusText(s: SweepStatus): string {
  return `${s.total} runs: ${s.done} done, ${s.running} running, ${s.queued} queued, ${s.failed} failed, ${s.retried} retried${s.missing ? `, ${s.missing} not enqueued` : ''}`;
}

async function printStatus(q: SweepQueue, specs: readonly RunSpec[], o: SweepCliOptions): Promise<number> {
  const s = await sweepStatus(q, specs);
  if (o.json) {
    process.stdout.write(JSON.stringify({ command: 'sweep', queue: describeAddress(q.address), status: s }, null, 2) + '\n');
  } else {
    const lines = [`${describeAddress(q.address)}: ${statusText(s)}`];
    for (const f of s.failures) lines.push(`  failed ${f.id}: ${f.message}`);
    if (s.failed > s.failures.length) lines.push(`  … and ${s.failed - s.failures.length} more failed`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return EXIT.ok;
}

async function finish(q: SweepQueue, grid: Grid, specs: readonly RunSpec[], o: SweepCliOptions, enq: EnqueueOutcome | undefined, status: SweepStatus | undefined): Promise<number> {
  const c: CollectOutcome = await collectSweep(q, specs, o.results);
  for (const r of c.rejected) warn(`rejected the stored result of run ${r.id}: ${r.reason} (removed; enqueue the sweep again to rerun it)`);
  const done = c.results.filter((r): r is RunResult => r !== undefined);
  const failedRuns = status?.failures ?? [];
  if (o.json) {
    const { results: _r, ...collected } = c;
    process.stdout.write(
      JSON.stringify(
        { command: 'sweep', queue: describeAddress(q.address), results: o.results, total: c.total, ...(enq ? { enqueued: enq } : {}), ...(status ? { status } : {}), collected, failed: c.failed, grid, groups: summarize(done) },
        null,
        2,
      ) + '\n',
    );
  } else {
    const head = `overparam sweep: ${c.total} runs on ${describeAddress(q.address)} (${c.written} written now, ${c.inFile} already in the file, ${c.failed} failed, ${c.missing.length} not finished) → ${o.results}`;
    const extra = failedRuns.filter((f) => !done.some((r) => r.id === f.id)).slice(0, 5).map((f) => `  failed ${f.id}: ${f.message}`);
    process.stdout.write([head, ...summaryLines(grid, done), ...extra].join('\n') + '\n');
  }
  return c.failed > 0 || c.missing.length > 0 || c.rejected.length > 0 ? EXIT.notConverged : EXIT.ok;
}
