/**
 * The a-posteriori certificate of docs/theory.md §4: each condition of the argument, evaluated on
 * the values measured along an actual run, side by side with its threshold. All kernel quantities
 * are on the NTK scale (H / (κ² m), see kernel/empirical.ts), and η is the matching effective step
 * η κ² m (= η for "ntk" scaling), so that the thresholds of §4 apply whatever the scaling.
 *
 * The rows with the exp network's constants (R*, the step-size bound) are produced only where the
 * activation's table entry says §4 is derived for it (exp); for every other network (ReLU, cosh,
 * sinh, softmax, user-defined) the measured rows (λ_min, kernel distances, contraction) remain, and
 * the certificate carries the activation's note on why the others do not apply.
 */
import type { Activation } from '../activations/types.js';
import { contractionFactor, etaFromD, rStar as rStarOf } from './bounds.js';

export interface CertificateInput {
  readonly activation: Activation;
  readonly n: number;
  /** λ = λ_min of the infinite-width kernel H^lim of the activation. */
  readonly lambda: number;
  /** Effective step on the NTK scale, η κ² m. */
  readonly eta: number;
  /** Observed B = max |⟨w_r(0), x_i⟩|. */
  readonly B: number;
  /** R* from λ, n, B (docs/theory.md §4A); computed when omitted. */
  readonly rStar?: number;
  /** min over monitored k of λ_min(H(W(k))). */
  readonly minLambdaMin: number;
  /** ‖H(W(0)) − H^lim‖₂; NaN if not measured. */
  readonly initDistance: number;
  /** max over monitored k of ‖H(W(k)) − H(W(0))‖₂. */
  readonly maxKernelDrift: number;
  /** max over monitored k of the movement R(k) = max_r ‖w_r(k) − w_r(0)‖₂. */
  readonly maxMovement: number;
  /** max of ‖r(k+1)‖² / ‖r(k)‖² over steps (NaN if none observed). */
  readonly maxContraction: number;
  /** true when maxContraction is over single steps; false when some were averaged over intervals. */
  readonly contractionPerStep: boolean;
}

export interface CertificateRow {
  readonly name: string;
  readonly measured: number;
  readonly threshold: number;
  /** "≤": held when measured ≤ threshold; "≥": when measured ≥ threshold. */
  readonly comparison: '≤' | '≥';
  /** false also when the measured value or the threshold is not finite (not measured). */
  readonly held: boolean;
  /** Where the condition comes from, e.g. "docs/theory.md §4A". */
  readonly ref: string;
  readonly note?: string;
}

function row(name: string, measured: number, comparison: '≤' | '≥', threshold: number, ref: string, note?: string): CertificateRow {
  const finite = Number.isFinite(measured) && Number.isFinite(threshold);
  const held = finite && (comparison === '≤' ? measured <= threshold : measured >= threshold);
  const r: CertificateRow = { name, measured, threshold, comparison, held, ref };
  return note === undefined && finite ? r : { ...r, note: note ?? 'not measured' };
}

/** Said on every row whose threshold is made of λ when λ is 0 (to rounding; linalg/eigh.ts kernelLambdaMin) or below. */
export const SINGULAR_NOTE = 'no threshold: λ = 0';

/** Said once for a certificate whose λ is not positive. */
export const SINGULAR_TEXT = 'λ = λ_min(H^lim) is 0 to rounding: the limit kernel is singular (repeated inputs, or x and −x for cosh and sinh), so no threshold of docs/theory.md §4 can be drawn from it';

/** The rows of the certificate, in the order of docs/theory.md §4 (A, B, C, D). */
export function certificate(c: CertificateInput): CertificateRow[] {
  const { eta, n, B } = c;
  const singular = !(c.lambda > 0);
  // a singular kernel gives λ = 0 or a rounding-level negative λ: no threshold is drawn from it
  const lambda = singular ? Number.NaN : c.lambda;
  const rows: CertificateRow[] = [];
  // §4A: ‖H(W(k)) − H(W(0))‖₂ ≤ λ/4
  rows.push(row('max_k ‖H(W(k)) − H(W(0))‖₂', c.maxKernelDrift, '≤', lambda / 4, 'docs/theory.md §4A'));
  // §4B: ‖H(W(0)) − H^lim‖₂ ≤ λ/4
  rows.push(row(`‖H(W(0)) − ${c.activation.limit.symbol}‖₂`, c.initDistance, '≤', lambda / 4, 'docs/theory.md §4B'));
  // §4C–D: λ_min(H(W(k))) ≥ λ/2 along the run
  rows.push(row('min_k λ_min(H(W(k)))', c.minLambdaMin, '≥', lambda / 2, 'docs/theory.md §4C'));
  if (c.activation.theory.apriori) {
    const rs = c.rStar ?? rStarOf(lambda, n, B);
    // §4A/C: R(k) ≤ R* = ½ ln(1 + λ/(4 n e^{2B}))
    rows.push(row('max_k R(k) = max_k max_r ‖w_r(k) − w_r(0)‖₂', c.maxMovement, '≤', rs, 'docs/theory.md §4A'));
    // §4D: η ≤ λ / (4 n² e^{4(B+R*)})
    rows.push(row('η (NTK scale, η κ² m)', eta, '≤', etaFromD(lambda, n, B, rs), 'docs/theory.md §4D'));
  }
  // §4D: ‖r(k+1)‖²/‖r(k)‖² ≤ 1 − ηλ/2
  if (singular) {
    for (let k = 0; k < rows.length; k++) rows[k] = { ...rows[k], held: false, note: SINGULAR_NOTE };
  }
  rows.push(
    row(
      'max_k ‖r(k+1)‖² / ‖r(k)‖²',
      c.maxContraction,
      '≤',
      contractionFactor(eta, lambda),
      'docs/theory.md §4D',
      singular ? SINGULAR_NOTE : c.contractionPerStep ? undefined : 'some ratios are per-step averages over monitoring intervals',
    ),
  );
  return rows;
}
