/**
 * Runs specs on worker threads, one run per thread at a time. The queue worker never trains on
 * its main thread: a training blocks its thread for seconds to hours, and the main thread must
 * stay free to renew BullMQ's job locks — a lock not renewed in time makes the job look
 * stalled, and another worker would start it again.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../experiments/pool.js';
import type { RunResult } from '../experiments/run.js';
import type { RunSpec } from '../experiments/spec.js';
import type { WorkRequest } from '../experiments/worker.js';

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class RunExecutor {
  private readonly slots: Slot[] = [];
  private closing = false;
  /** Backend threads per run: the cores shared out among the concurrent runs. */
  readonly threadsPerRun: number;

  constructor(
    readonly concurrency: number,
    readonly maxMemory?: number,
  ) {
    this.threadsPerRun = Math.max(1, Math.floor(availableParallelism() / concurrency));
  }

  /** Executes one run on a free thread (threads are started lazily and reused). */
  execute(spec: RunSpec): Promise<RunResult> {
    let slot = this.slots.find((s) => !s.busy);
    if (!slot) {
      if (this.slots.length >= this.concurrency) return Promise.reject(new Error('executor: more runs than its concurrency'));
      slot = { worker: startWorker(), busy: false };
      this.slots.push(slot);
    }
    const s = slot;
    s.busy = true;
    return new Promise<RunResult>((resolve, reject) => {
      const done = (): void => {
        s.worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        s.busy = false;
      };
      const onMessage = (r: RunResult): void => {
        done();
        resolve(r);
      };
      // a thread that dies (out of memory, a crash) is replaced; the job fails and is retried
      const drop = (): void => {
        const k = this.slots.indexOf(s);
        if (k >= 0) this.slots.splice(k, 1);
      };
      const onError = (err: Error): void => {
        done();
        drop();
        void s.worker.terminate();
        reject(new Error(`run thread failed: ${err.message}`));
      };
      const onExit = (code: number): void => {
        done();
        drop();
        reject(new Error(this.closing ? 'abandoned: the worker was stopped' : `run thread exited with code ${code}`));
      };
      s.worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      const req: WorkRequest = { spec, threads: this.threadsPerRun, ...(this.maxMemory !== undefined ? { maxMemory: this.maxMemory } : {}) };
      s.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
