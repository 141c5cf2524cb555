/** The trainer's conventions (train/types.ts) as the sentence a figure's subtitle states. */
import type { Conventions } from '../train/types.js';
import { formatNumber } from './chart.js';

/**
 * "activation exp · scaling ntk (κ = 1/√m) · init gaussian, m = 4096, seed 0 · normalisation unit ·
 * precision f64 (native backend, 2 threads) · η = 0.01 (auto) · stop at ‖F(W,X) − y‖₂ ≤ ε (unsquared), ε = 0.01".
 * `omit` leaves out what varies across the runs of a figure (e.g. ['width', 'seed'] for a sweep).
 */
export function describeConventions(c: Conventions, omit: readonly (keyof Conventions)[] = []): string {
  const has = (k: keyof Conventions) => !omit.includes(k);
  const parts: string[] = [];
  if (has('activation')) parts.push(`activation ${c.activation}`);
  if (has('scaling')) parts.push(`scaling ${c.scaling} (κ = ${c.scaling === 'ntk' ? '1/√m' : formatNumber(c.kappa)})`);
  if (has('init')) {
    const extra = [has('width') ? `m = ${c.width}` : '', has('seed') ? `seed ${c.seed}` : ''].filter((s) => s.length > 0);
    parts.push(`init ${c.init}${extra.length > 0 ? `, ${extra.join(', ')}` : ''}`);
  }
  if (has('normalization')) parts.push(`normalisation ${c.normalization}`);
  if (has('precision')) parts.push(`precision ${c.precision}${has('backend') ? ` (${c.backend} backend, ${c.threads} thread${c.threads === 1 ? '' : 's'})` : ''}`);
  if (has('eta')) parts.push(`η = ${formatNumber(c.eta)}${has('etaMode') ? ` (${c.etaMode})` : ''}`);
  if (has('epsilon')) parts.push(`stop at ${c.criterion}, ε = ${formatNumber(c.epsilon)}`);
  return parts.join(' · ');
}
