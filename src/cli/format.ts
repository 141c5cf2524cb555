/** Human-readable summaries. Every block states the conventions that produced its numbers. */
import { criterionText, normalizationText, precisionText, scalingText } from '../report/conventions.js';
import type { Conventions } from '../train/types.js';

export function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}

export function conventionRows(c: Conventions): [string, string][] {
  return [
    ['activation', c.activation],
    ['scaling', `${scalingText(c.scaling)}, κ = ${c.kappa.toPrecision(6)}`],
    ['initialisation', `${c.init}, width m = ${c.width}, seed ${c.seed}`],
    ['normalisation', normalizationText(c.normalization)],
    ['precision', `${precisionText(c.precision)} (${c.backend} backend, ${c.threads} thread${c.threads === 1 ? '' : 's'})`],
    // NaN: the run was stopped before η = 1/λ_max(H(W(0))) was known (its JSON holds null)
    ['step size', Number.isNaN(c.eta) ? `η not computed (${c.etaMode}; stopped before λ_max was known)` : `η = ${c.eta.toPrecision(6)} (${c.etaMode})`],
    ['criterion', `${criterionText(c.criterion)}, ε = ${c.epsilon}`],
  ];
}

export const fmt = (v: number, digits = 6): string => (Number.isFinite(v) ? v.toPrecision(digits) : String(v));
