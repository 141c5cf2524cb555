/**
 * Backend selection: 'auto' takes the native addon when it loads and has a kernel for the
 * activation (reporting nothing), and otherwise the reference backend, with one notice saying why;
 * 'native' insists on the addon (and on its having the activation's kernel).
 */
import { availableParallelism } from 'node:os';
import { OptionError } from '../errors.js';
import { loadAddon, NativeBackend } from './native.js';
import { ReferenceBackend } from './reference.js';
import type { Activation, Backend, Precision } from './types.js';

export type { Backend, Problem, Activation, ActivationName, Scaling, Precision } from './types.js';
export { ReferenceBackend } from './reference.js';
export { NativeBackend, availableIsas } from './native.js';
export type { NativeIsa, NativeOptions } from './native.js';

export type BackendName = 'auto' | 'reference' | 'native';

export interface BackendRequest {
  name?: BackendName;
  precision?: Precision;
  threads?: number;
  /** The activation to be run: 'auto' then takes the native addon only if it has its kernel. */
  activation?: Activation;
  /** Called once with a human-readable notice (e.g. why a fallback happened). */
  onNotice?: (message: string) => void;
}

/** Each thread is an OS thread of the native pool: more than this is a typing error, not a machine. */
export const MAX_THREADS = 1024;

export function createBackend(req: BackendRequest = {}): Backend {
  const name = req.name ?? 'auto';
  const precision = req.precision ?? 'f64';
  if (name !== 'auto' && name !== 'reference' && name !== 'native') {
    throw new OptionError(`unknown backend "${String(name)}" (expected one of: auto, reference, native)`, { field: 'backend' });
  }
  if (precision !== 'f64' && precision !== 'f32') {
    throw new OptionError(`unknown precision "${String(precision)}" (expected one of: f64, f32)`, { field: 'precision' });
  }
  if (req.threads !== undefined && (!Number.isInteger(req.threads) || req.threads < 1 || req.threads > MAX_THREADS)) {
    throw new OptionError(`threads must be an integer from 1 to ${MAX_THREADS}, got ${req.threads}`, { field: 'threads' });
  }
  const act = req.activation;
  if (name === 'native' || name === 'auto') {
    const l = loadAddon();
    if ('addon' in l) {
      const nb = new NativeBackend({ precision, threads: req.threads });
      if (!act || nb.supports(act)) {
        const cores = availableParallelism();
        if (req.threads !== undefined && req.threads > cores) req.onNotice?.(`${req.threads} threads on ${cores} core(s): the same bits as with fewer threads, only slower`);
        return nb;
      }
      const why = `the native backend has no kernel for the activation '${act.name}'`;
      if (name === 'native') throw new OptionError(`${why}; use the reference backend`, { field: 'backend' });
      if (precision !== 'f64') throw new OptionError(`precision f32 needs the native backend, and ${why}`, { field: 'precision' });
      req.onNotice?.(`using the reference backend: ${why}`);
      return new ReferenceBackend();
    }
    if (name === 'native') throw new OptionError(`the native backend is unavailable: ${l.error}`, { field: 'backend' });
    if (precision !== 'f64') {
      throw new OptionError(`precision f32 needs the native backend, which is unavailable: ${l.error}`, { field: 'precision' });
    }
    req.onNotice?.(`using the reference backend: ${l.error}`);
    return new ReferenceBackend();
  }
  if (precision !== 'f64') {
    throw new OptionError(`precision ${precision} needs the native backend; the reference backend is float64 only`, { field: 'precision' });
  }
  return new ReferenceBackend();
}
