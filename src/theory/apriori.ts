/**
 * Everything docs/theory.md §4 says before training, in one record (for `overparam bounds` and for the
 * a-priori column of a run report). Inputs that are unknown are omitted; rows that need them are
 * then omitted too (never guessed). All values are on the NTK scale (κ = 1/√m), σ = exp.
 */
import {
  PAPER_WIDTH_ORDER,
  bHighProb,
  concentrationBound,
  etaFromD,
  rStar as rStarOf,
  stepsFromD,
  widthFromB,
  widthFromC,
} from './bounds.js';
import { solveWidthB, solveWidthC } from './implicit.js';
import type { ImplicitWidth } from './implicit.js';

export interface APrioriInput {
  readonly n: number;
  /** λ = λ_min(H^cts). */
  readonly lambda: number;
  readonly delta: number;
  /** Target ‖r(T)‖ ≤ ε. */
  readonly eps: number;
  /** ‖r(0)‖² (measured, or expectedR0Sq). */
  readonly r0Sq: number;
  /** Width of an actual run: gives the high-probability B(m) and the concentration bound. */
  readonly m?: number;
  /** Observed B = max |⟨w_r(0), x_i⟩| of an actual initialisation (preferred over B(m) when given). */
  readonly observedB?: number;
}

export interface APrioriBounds {
  readonly paperOrder: string;
  /** B used below: the observed one if given, else B(m) = √(2 ln(2mn/δ)) if m is given, else NaN. */
  readonly B: number;
  readonly bSource: 'observed' | 'high-probability' | 'none';
  /** √(2 ln(2mn/δ)) at the given m (NaN without m). */
  readonly bHighProb: number;
  readonly rStar: number;
  /** 32 n² e^{4B} ln(2n²/δ)/λ² at that B (§4B). */
  readonly widthFromB: number;
  /** 16 n e^{2(B+R*)} ‖r(0)‖²/(λ² R*²) at that B (§4C). */
  readonly widthFromC: number;
  /** n e^{2B} √(2 ln(2n²/δ)/m) at the given m (§4B); NaN without m. */
  readonly concentrationBound: number;
  /** λ/(4 n² e^{4(B+R*)}) (§4D). */
  readonly eta: number;
  /** ⌈ln(‖r(0)‖²/ε²)/(ηλ/2)⌉ with that η (§4D). */
  readonly steps: number;
  /** Conditions B and C with B = B(m) solved for m (always available). */
  readonly implicitWidthB: ImplicitWidth;
  readonly implicitWidthC: ImplicitWidth;
}

export function aPrioriBounds(o: APrioriInput): APrioriBounds {
  const { n, lambda, delta, eps, r0Sq } = o;
  const bhp = o.m !== undefined ? bHighProb(o.m, n, delta) : NaN;
  const B = o.observedB ?? bhp;
  const bSource = o.observedB !== undefined ? 'observed' : o.m !== undefined ? 'high-probability' : 'none';
  const rs = Number.isFinite(B) ? rStarOf(lambda, n, B) : NaN;
  const eta = Number.isFinite(B) ? etaFromD(lambda, n, B, rs) : NaN;
  return {
    paperOrder: PAPER_WIDTH_ORDER,
    B,
    bSource,
    bHighProb: bhp,
    rStar: rs,
    widthFromB: Number.isFinite(B) ? widthFromB(n, B, lambda, delta) : NaN,
    widthFromC: Number.isFinite(B) ? widthFromC(n, B, rs, r0Sq, lambda) : NaN,
    concentrationBound: o.m !== undefined && Number.isFinite(B) ? concentrationBound(n, B, o.m, delta) : NaN,
    eta,
    steps: Number.isFinite(eta) && eta > 0 ? stepsFromD(r0Sq, eps, eta, lambda) : NaN,
    implicitWidthB: solveWidthB(n, lambda, delta),
    implicitWidthC: solveWidthC(n, lambda, delta, r0Sq),
  };
}
