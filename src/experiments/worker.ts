/** Worker thread body: runs the specs it is sent, one at a time, and posts back each result. */
import { parentPort } from 'node:worker_threads';
import { createBackend } from '../backend/index.js';
import type { Backend, Precision } from '../backend/types.js';
import { runOne } from './run.js';
import type { RunSpec } from './spec.js';

export interface WorkRequest {
  spec: RunSpec;
  threads: number;
  /** The memory one run may use (bytes); default the machine's free memory when the run starts. */
  maxMemory?: number;
}

const backends = new Map<Precision, Backend>();

parentPort!.on('message', (req: WorkRequest) => {
  let backend = backends.get(req.spec.precision);
  try {
    backend ??= createBackend({ precision: req.spec.precision, threads: req.threads });
    backends.set(req.spec.precision, backend);
  } catch {
    backend = undefined; // runOne reports the error as the run's result
  }
  parentPort!.postMessage(runOne(req.spec, backend, req.maxMemory));
});
