/**
 * The trainer's settings, each checked once, here: train() and the run descriptions of
 * experiments/ use the same checks, so a bad value gets the same message whichever way it came.
 * Errors name the setting by its field (docs: RunSpec); the CLI words it as its flag.
 */
import { OptionError } from '../errors.js';

/** ε of the stopping rule ‖r‖₂ ≤ ε: a positive finite number. */
export function checkEpsilon(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new OptionError(`ε must be a positive number, got ${String(v)}`, { field: 'epsilon' });
  return v;
}

/** Step size η: a positive finite number, or 'auto' (η = 1/λ_max(H(W(0)))). */
export function checkEta(v: unknown): number | 'auto' {
  if (v === 'auto') return v;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new OptionError(`η must be a positive number or 'auto', got ${String(v)}`, { field: 'eta' });
  return v;
}

/** Step budget: a non-negative integer. */
export function checkMaxSteps(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new OptionError(`the step budget must be a non-negative integer, got ${String(v)}`, { field: 'maxSteps' });
  return v;
}

/** Kernel monitoring interval: 0 (off) or every K ≥ 1 steps. */
export function checkMonitorEvery(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new OptionError(`the monitoring interval must be a non-negative integer, got ${String(v)}`, { field: 'monitorEvery' });
  return v;
}

/** Divergence factor: a positive number. */
export function checkDivergenceFactor(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new OptionError(`the divergence factor must be a positive number, got ${String(v)}`, { field: 'divergenceFactor' });
  return v;
}

/** The output factor α of the centred model (docs/theory.md §6): a positive finite number. */
export function checkAlpha(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new OptionError(`α must be a positive number, got ${String(v)}`, { field: 'alpha' });
  return v;
}

/** The interval of the held-out residual: a positive integer. */
export function checkTestEvery(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new OptionError(`the test interval must be a positive integer, got ${String(v)}`, { field: 'testEvery' });
  return v;
}

/** How often onStep is called at the least: a positive integer (or Infinity: only at k = 0 and the last step's batch). */
export function checkReportEvery(v: unknown): number {
  if (v === Infinity) return v;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new OptionError(`the report interval must be a positive integer, got ${String(v)}`, { field: 'reportEvery' });
  return v;
}

/** A monitor's observation interval (TrainMonitor.every): a positive integer. */
export function checkMonitorCadence(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new RangeError(`a monitor's interval must be a positive integer, got ${String(v)}`);
  return v;
}
