/**
 * Runs many specs on worker threads (one run per worker at a time). Each run is deterministic
 * from its spec, so the number of workers changes only the order in which results arrive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RunResult } from './run.js';
import type { RunSpec } from './spec.js';
import type { WorkRequest } from './worker.js';

export interface PoolOptions {
  /** Worker threads (default: all cores, at most the number of runs). */
  workers?: number;
  /** Called in the main thread as each run finishes. */
  onResult?: (r: RunResult) => void;
  /** Checked before each new run is handed out; true stops handing out (runs in flight finish). */
  shouldStop?: () => boolean;
  /** The memory one run may use (bytes). */
  maxMemory?: number;
}

// Built, the worker is worker.js beside this file. Run from sources under tsx (tests), the worker
// is worker.ts, and worker threads do not inherit tsx's loader hooks: register them first.
const fromSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);

export function startWorker(url: URL = workerUrl): Worker {
  if (!fromSource) return new Worker(url);
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true });
}

export async function runPool(specs: readonly RunSpec[], opts: PoolOptions = {}): Promise<RunResult[]> {
  const cores = availableParallelism();
  const nWorkers = Math.max(1, Math.min(opts.workers ?? cores, specs.length));
  const threads = Math.max(1, Math.floor(cores / nWorkers));
  const results: RunResult[] = [];
  if (specs.length === 0) return results;
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: nWorkers }, () => {
        const w = startWorker();
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          const feed = (): void => {
            if (next >= specs.length || opts.shouldStop?.()) {
              resolve();
              return;
            }
            const req: WorkRequest = { spec: specs[next++], threads, ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}) };
            w.postMessage(req);
          };
          w.on('message', (r: RunResult) => {
            results.push(r);
            try {
              opts.onResult?.(r);
            } catch (err) {
              // e.g. the results file cannot take the line (disk full): hand out nothing more
              next = specs.length;
              reject(err);
              return;
            }
            feed();
          });
          w.on('error', reject);
          w.on('exit', (code) => {
            if (code !== 0) reject(new Error(`worker exited with code ${code}`));
          });
          feed();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
