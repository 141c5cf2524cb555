/**
 * The trainer's conventions (train/types.ts), typed values, in words: the only place they become
 * text (figure subtitles, report pages, the CLI's summaries).
 */
import type { Precision, Scaling } from '../backend/types.js';
import type { Normalization } from '../data/normalize.js';
import type { Conventions } from '../train/types.js';
import { formatNumber } from './chart.js';

/** "ntk (κ = 1/√m)" or "none (κ = 1)". */
export const scalingText = (s: Scaling): string => (s === 'ntk' ? 'ntk (κ = 1/√m)' : 'none (κ = 1)');

/** "float64" or "float32". */
export const precisionText = (p: Precision): string => (p === 'f64' ? 'float64' : 'float32');

/** The stopping rule, "‖F(W,X) − y‖₂ ≤ ε (unsquared)". */
export const criterionText = (_c: Conventions['criterion']): string => '‖F(W,X) − y‖₂ ≤ ε (unsquared)';

/** "unit (each row x ↦ x/‖x‖₂)", "max (all rows x ↦ x/3.2)" or "none". */
export function normalizationText(n: Normalization): string {
  switch (n.kind) {
    case 'unit':
      return 'unit (each row x ↦ x/‖x‖₂)';
    case 'max':
      return `max (all rows x ↦ x/${n.scale})`;
    case 'none':
      return 'none';
  }
}

/**
 * "activation exp · scaling ntk (κ = 1/√m) · init gaussian, m = 4096, seed 0 · normalisation unit ·
 * precision float64 (native backend, 2 threads) · η = 0.01 (auto) · stop at ‖F(W,X) − y‖₂ ≤ ε (unsquared), ε = 0.01".
 * `omit` leaves out what varies across the runs of a figure (e.g. ['width', 'seed'] for a sweep).
 */
export function describeConventions(c: Omit<Conventions, 'threads'> & { threads?: number }, omit: readonly (keyof Conventions)[] = []): string {
  const has = (k: keyof Conventions) => !omit.includes(k);
  const parts: string[] = [];
  if (has('activation')) parts.push(`activation ${c.activation}`);
  if (has('scaling')) parts.push(`scaling ${c.scaling} (κ = ${c.scaling === 'ntk' ? (has('width') ? `1/√m = ${formatNumber(c.kappa)}` : '1/√m') : '1'})`);
  if (has('init')) {
    const extra = [has('width') ? `m = ${c.width}` : '', has('seed') ? `seed ${c.seed}` : ''].filter((s) => s.length > 0);
    parts.push(`init ${c.init}${extra.length > 0 ? `, ${extra.join(', ')}` : ''}`);
  }
  if (has('normalization')) parts.push(`normalisation ${normalizationText(c.normalization)}`);
  const threads = c.threads === undefined ? '' : `, ${c.threads} thread${c.threads === 1 ? '' : 's'}`;
  if (has('precision')) parts.push(`precision ${precisionText(c.precision)}${has('backend') ? ` (${c.backend} backend${threads})` : ''}`);
  if (has('eta')) parts.push(Number.isNaN(c.eta) || c.eta === null ? `η not computed${has('etaMode') ? ` (${c.etaMode})` : ''}` : `η = ${formatNumber(c.eta)}${has('etaMode') ? ` (${c.etaMode})` : ''}`);
  if (has('epsilon')) parts.push(`stop at ${criterionText(c.criterion)}, ε = ${formatNumber(c.epsilon)}`);
  return parts.join(' · ');
}
