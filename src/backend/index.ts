/**
 * Backend selection. Today only the reference backend exists; the native addon (native/) will be
 * loaded here, with a one-line notice and the reference as fallback when it cannot be loaded.
 */
import { OptionError } from '../errors.js';
import { ReferenceBackend } from './reference.js';
import type { Backend, Precision } from './types.js';

export type { Backend, Problem, Activation, Scaling, Precision } from './types.js';
export { ReferenceBackend } from './reference.js';

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
  if (name === 'native') {
    throw new OptionError('the native backend is not built in this version; use --backend reference');
  }
  if (precision !== 'f64') {
    throw new OptionError(`precision ${precision} needs the native backend; the reference backend is float64 only`);
  }
  return new ReferenceBackend();
}
