/**
 * Backend selection: 'auto' takes the native addon when it loads (reporting nothing) and
 * otherwise the reference backend, with one notice saying why; 'native' insists on the addon.
 */
import { OptionError } from '../errors.js';
import { loadAddon, NativeBackend } from './native.js';
import { ReferenceBackend } from './reference.js';
import type { Backend, Precision } from './types.js';

export type { Backend, Problem, Activation, Scaling, Precision } from './types.js';
export { ReferenceBackend } from './reference.js';
export { NativeBackend, availableIsas } from './native.js';
export type { NativeIsa, NativeOptions } from './native.js';

export type BackendName = 'auto' | 'reference' | 'native';

export interface BackendRequest {
  name?: BackendName;
  precision?: Precision;
  threads?: number;
  /** Called once with a human-readable notice (e.g. why a fallback happened). */
  onNotice?: (message: string) => void;
}

export function createBackend(req: BackendRequest = {}): Backend {
  const name = req.name ?? 'auto';
  const precision = req.precision ?? 'f64';
  if (name !== 'auto' && name !== 'reference' && name !== 'native') {
    throw new OptionError(`unknown backend "${String(name)}"; use auto, reference or native`);
  }
  if (precision !== 'f64' && precision !== 'f32') {
    throw new OptionError(`unknown precision "${String(precision)}"; use f64 or f32`);
  }
  if (req.threads !== undefined && (!Number.isInteger(req.threads) || req.threads < 1)) {
    throw new OptionError(`threads must be a positive integer, got ${req.threads}`);
  }
  if (name === 'native' || name === 'auto') {
    const l = loadAddon();
    if ('addon' in l) return new NativeBackend({ precision, threads: req.threads });
    if (name === 'native') throw new OptionError(`--backend native is unavailable: ${l.error}`);
    if (precision !== 'f64') {
      throw new OptionError(`precision f32 needs the native backend, which is unavailable: ${l.error}`);
    }
    req.onNotice?.(`using the reference backend: ${l.error}`);
    return new ReferenceBackend();
  }
  if (precision !== 'f64') {
    throw new OptionError(`precision ${precision} needs the native backend; the reference backend is float64 only`);
  }
  return new ReferenceBackend();
}
