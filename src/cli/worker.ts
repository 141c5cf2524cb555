/** `overparam worker`: execute a queued sweep's runs, on this machine, until stopped. */
import { Command } from 'commander';
import { describeRun } from '../experiments/spec.js';
import { describeAddress } from '../queue/connection.js';
import type { WorkerEvent } from '../queue/worker.js';
import { intOption, memoryOption } from './options.js';
import { addQueueOptions, resolveAddress, withScrubbedErrors, type QueueCliOptions } from './queue-options.js';
import { EXIT, warn } from './run.js';

interface WorkerCliOptions extends QueueCliOptions {
  concurrency: string;
  lockMs: string;
  stallMs: string;
  maxStalled: string;
  untilEmpty?: boolean;
  maxMemory?: string;
  json?: boolean;
  quiet?: boolean;
}

export function workerCommand(): Command {
  const cmd = new Command('worker')
    .summary('execute the runs of queued sweeps (sweep --queue) on this machine')
    .description(
      'Takes runs from the job queue in Redis, trains each on this machine, and stores its result in Redis under ' +
        'its run id. Start one worker per machine (it uses all cores) on as many machines as you like. A worker ' +
        'that dies loses nothing: its run is handed to another worker once its lock expires (--lock-ms). ' +
        'Ctrl-C or SIGTERM finishes the run in progress and exits; a second one abandons it to the queue.',
    );
  addQueueOptions(cmd, true)
    .option('--concurrency <count>', 'runs at once; the cores are shared out among them', '1')
    .option('--lock-ms <ms>', "a job's lock: a dead worker's run goes to another worker this long after its last renewal", '30000')
    .option('--stall-ms <ms>', 'how often to look for runs of dead workers', '30000')
    .option('--max-stalled <count>', 'times a run may lose its worker before it is failed', '3')
    .option('--until-empty', 'exit once nothing is waiting or running in the queue')
    .option('--max-memory <size>', "memory one run may use, e.g. 8G (default: the machine's free memory when the run starts); a larger run fails with the size it would need")
    .option('--json', 'one JSON line per event on stdout')
    .option('--quiet', 'no line per run')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  OVERPARAM_REDIS_PASSWORD=… overparam worker --queue redis://redis-host:6379/0\n` +
        '  overparam worker --queue redis://:password@10.0.0.5:6379 --concurrency 2 --until-empty',
    )
    .action(async (o: WorkerCliOptions) => {
      process.exitCode = await runWorkerCli(o);
    });
  return cmd;
}

function eventLine(e: WorkerEvent): string | undefined {
  switch (e.type) {
    case 'start':
      return `started ${e.id}: ${describeRun(e.spec)}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`;
    case 'done': {
      const r = e.result;
      const res = r.residual === null ? '' : `, residual ${r.residual.toPrecision(3)}`;
      return `finished ${e.id}: ${r.status} in ${r.steps} steps${res} (${(r.timeMs / 1000).toFixed(1)} s)${e.stored ? '' : ' — already stored by another worker'}`;
    }
    case 'skip':
      return `skipped ${e.id}: its result is already stored`;
    case 'failed':
      return e.willRetry ? `returned ${e.id} to the queue: ${e.message}` : `failed ${e.id}: ${e.message}`;
    case 'stalled':
      return `run ${e.id} lost its worker: handed out again`;
    case 'error':
      return undefined;
  }
}

async function runWorkerCli(o: WorkerCliOptions): Promise<number> {
  const address = resolveAddress(o);
  const concurrency = intOption('concurrency', o.concurrency, 1);
  const lockMs = intOption('lock-ms', o.lockMs, 100);
  const stallMs = intOption('stall-ms', o.stallMs, 100);
  const maxStalled = intOption('max-stalled', o.maxStalled, 0);
  const maxMemory = memoryOption(o.maxMemory);
  // Redis errors come in bursts while it is away: show each distinct one at most every 10 s
  const lastShown = new Map<string, number>();
  const onEvent = (e: WorkerEvent): void => {
    if (o.json) {
      const { type } = e;
      const out = e.type === 'done' ? { type, id: e.id, status: e.result.status, steps: e.result.steps, stored: e.stored, timeMs: e.result.timeMs } : e.type === 'start' ? { type, id: e.id, attempt: e.attempt } : e;
      process.stdout.write(JSON.stringify({ ...out, t: Date.now() }) + '\n');
    }
    if (e.type === 'error') {
      const now = Date.now();
      if (now - (lastShown.get(e.message) ?? 0) < 10_000) return;
      lastShown.set(e.message, now);
      warn(`redis: ${e.message} (retrying)`);
      return;
    }
    const line = eventLine(e);
    if (line && !o.quiet && !o.json) process.stderr.write(`${line}\n`);
  };
  return withScrubbedErrors(address, async () => {
    // loaded on demand (as in sweep --queue): BullMQ is slow to load
    const { QueueWorker } = await import('../queue/worker.js');
    const worker = await QueueWorker.start(address, { concurrency, lockMs, stallMs, maxStalled, onEvent, ...(maxMemory !== undefined ? { maxMemory } : {}) });
    if (!o.quiet && !o.json) process.stderr.write(`overparam worker on ${describeAddress(address)}: ${concurrency} run(s) at a time\n`);
    let signals = 0;
    let emptyTimer: NodeJS.Timeout | undefined;
    const stopped = new Promise<number>((resolve) => {
      const onSignal = (sig: NodeJS.Signals): void => {
        signals++;
        if (signals === 1) {
          if (!o.quiet) warn(`${sig}: finishing the run in progress, then exiting (${sig} again abandons it to the queue)`);
          void worker.close().then(() => resolve(EXIT.ok));
        } else {
          void worker.close(true).then(() => resolve(130));
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      if (o.untilEmpty) {
        // twice empty in a row: a run just handed back by a stall check is not missed
        let empties = 0;
        const check = (): void => {
          void worker
            .queueIsEmpty()
            .then((empty) => {
              empties = empty ? empties + 1 : 0;
              if (empties >= 2 && signals === 0) {
                signals = 1;
                void worker.close().then(() => resolve(EXIT.ok));
              } else emptyTimer = setTimeout(check, 1000);
            })
            .catch(() => (emptyTimer = setTimeout(check, 1000)));
        };
        emptyTimer = setTimeout(check, 1000);
      }
    });
    const code = await stopped;
    clearTimeout(emptyTimer);
    if (!o.quiet && !o.json) process.stderr.write('overparam worker: stopped\n');
    return code;
  });
}
