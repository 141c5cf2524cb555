/**
 * The width at which a success-rate curve crosses a level q, read from a logistic fit in ln m:
 * p(m) = σ(logit q + b (ln m − t)), t = ln m_q, b ≥ 0, fitted by maximum likelihood over the
 * binomial counts, with a profile-likelihood interval for t. Unlike the grid threshold of
 * threshold.ts it uses every probed width and says how sure the crossing is.
 */
import { normalQuantile } from './binomial.js';

export interface RatePoint {
  m: number;
  successes: number;
  trials: number;
}

export type ThresholdStatus = 'estimated' | 'censored-below' | 'censored-above' | 'open-interval' | 'insufficient';

export interface ThresholdEstimate {
  /** The success probability q at which the threshold is read (½, or 1 − δ). */
  q: number;
  /** Confidence level of the interval. */
  level: number;
  status: ThresholdStatus;
  /** Maximum-likelihood m_q; null unless status is 'estimated' or 'open-interval'. */
  m: number | null;
  /** Profile-likelihood interval in m; a side is null when the likelihood does not drop far enough inside the probed range. */
  ci: [number | null, number | null] | null;
  /** Fitted b of p(m) = σ(a + b ln m) at the maximum (per unit of ln m). */
  slope: number | null;
  /** Why, in one sentence, when the status is not 'estimated' (or a caveat about the fit); '' otherwise. */
  note: string;
}

/**
 * Cap on the slope b per unit of ln m: perfectly separated data (all fail, then all succeed) would
 * otherwise drive b → ∞; with the cap the likelihood is nearly flat across the gap and finite.
 */
export const LOGISTIC_SLOPE_MAX = 50;

/** ln σ(z) = −ln(1 + e^{−z}), without overflow for either sign of z. */
function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

interface Curve {
  /** ln m, increasing. */
  x: number[];
  k: number[];
  s: number[];
}

/** ℓ(t, b) = Σ k ln p + (s−k) ln(1−p), p = σ(c + b(x − t)). */
function logLik(cv: Curve, c: number, t: number, b: number): number {
  let l = 0;
  for (let i = 0; i < cv.x.length; i++) {
    const eta = c + b * (cv.x[i] - t);
    if (cv.k[i] > 0) l += cv.k[i] * logSigmoid(eta);
    if (cv.s[i] > cv.k[i]) l += (cv.s[i] - cv.k[i]) * logSigmoid(-eta);
  }
  return l;
}

/** ∂ℓ/∂b = Σ (k − s p)(x − t) and ∂²ℓ/∂b² = −Σ s p(1−p)(x − t)² (≤ 0: ℓ is concave in b). */
function slopeDerivatives(cv: Curve, c: number, t: number, b: number): [number, number] {
  let g = 0;
  let h = 0;
  for (let i = 0; i < cv.x.length; i++) {
    const dx = cv.x[i] - t;
    const p = sigmoid(c + b * dx);
    g += (cv.k[i] - cv.s[i] * p) * dx;
    h -= cv.s[i] * p * (1 - p) * dx * dx;
  }
  return [g, h];
}

/** argmax over b ∈ [0, bMax] of ℓ(t, b): Newton on ∂ℓ/∂b, kept inside a sign bracket (bisection when a step leaves it). */
function bestSlope(cv: Curve, c: number, t: number, bMax: number, start: number): number {
  if (slopeDerivatives(cv, c, t, 0)[0] <= 0) return 0;
  if (slopeDerivatives(cv, c, t, bMax)[0] >= 0) return bMax;
  let lo = 0; // ∂ℓ/∂b > 0
  let hi = bMax; // ∂ℓ/∂b < 0
  let b = start > 0 && start < bMax ? start : 1;
  for (let it = 0; it < 200; it++) {
    const [g, h] = slopeDerivatives(cv, c, t, b);
    if (g > 0) lo = b;
    else if (g < 0) hi = b;
    else return b;
    let next = h < 0 ? b - g / h : NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - b) <= 1e-12 * Math.max(1, b) || hi - lo <= 1e-12 * Math.max(1, b)) return next;
    b = next;
  }
  return b;
}

const fmt = (v: number): string => String(Number(v.toPrecision(4)));

/**
 * m_q with p(m_q) = q for the logistic model p(m) = σ(logit q + b (ln m − ln m_q)), b ∈ [0, 50]:
 * maximum likelihood over t = ln m_q ∈ [ln m_min, ln m_max] of the profile ℓ_p(t) = max_b ℓ(t, b),
 * interval {t : 2(ℓ_p(t̂) − ℓ_p(t)) ≤ χ²₁(level)} (Wilks). Points with no trials are ignored and
 * repeated widths are merged; a curve already ≥ q at its smallest width, or still < q at its
 * largest, is reported censored rather than extrapolated.
 */
export function logisticThreshold(points: readonly RatePoint[], q: number, level = 0.95): ThresholdEstimate {
  if (!(q > 0 && q < 1)) throw new RangeError(`threshold level q must lie in (0,1), got ${q}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must lie in (0,1), got ${level}`);
  const merged = new Map<number, { k: number; s: number }>();
  for (const p of points) {
    if (!(Number.isFinite(p.m) && p.m > 0)) throw new RangeError(`width must be finite and positive, got ${p.m}`);
    if (!Number.isInteger(p.trials) || p.trials < 0) throw new RangeError(`trials must be a non-negative integer, got ${p.trials} at m = ${p.m}`);
    if (!Number.isInteger(p.successes) || p.successes < 0 || p.successes > p.trials) {
      throw new RangeError(`successes must be an integer in [0, trials], got ${p.successes} of ${p.trials} at m = ${p.m}`);
    }
    if (p.trials === 0) continue;
    const acc = merged.get(p.m) ?? { k: 0, s: 0 };
    acc.k += p.successes;
    acc.s += p.trials;
    merged.set(p.m, acc);
  }
  const widths = [...merged.keys()].sort((a, b) => a - b);
  const base = { q, level, m: null, ci: null, slope: null };
  if (widths.length < 2) {
    return { ...base, status: 'insufficient', note: `only ${widths.length} distinct width${widths.length === 1 ? '' : 's'} with trials: a curve needs at least two` };
  }
  const cv: Curve = { x: widths.map(Math.log), k: widths.map((m) => merged.get(m)!.k), s: widths.map((m) => merged.get(m)!.s) };
  const n = widths.length;
  const mMin = widths[0];
  const mMax = widths[n - 1];
  const rateMin = cv.k[0] / cv.s[0];
  const rateMax = cv.k[n - 1] / cv.s[n - 1];
  if (rateMin >= q) {
    return { ...base, status: 'censored-below', note: `rate ${fmt(rateMin)} ≥ ${fmt(q)} already at the smallest width ${fmt(mMin)}: the threshold lies below the probed range` };
  }
  if (rateMax < q) {
    return { ...base, status: 'censored-above', note: `rate ${fmt(rateMax)} < ${fmt(q)} still at the largest width ${fmt(mMax)}: the threshold lies above the probed range` };
  }

  const c = Math.log(q) - Math.log1p(-q);
  const bMax = LOGISTIC_SLOPE_MAX;
  const xLo = cv.x[0];
  const xHi = cv.x[n - 1];
  let warm = 1;
  const profile = (t: number): number => {
    warm = bestSlope(cv, c, t, bMax, warm);
    return logLik(cv, c, t, warm);
  };

  // a grid finer than the likelihood's narrowest feature (1/bMax in t) so that no local maximum hides between nodes
  const cells = Math.min(4000, Math.max(200, Math.ceil(((xHi - xLo) * bMax) / 0.5)));
  const grid: number[] = [];
  const values: number[] = [];
  for (let i = 0; i <= cells; i++) {
    const t = i === cells ? xHi : xLo + ((xHi - xLo) * i) / cells;
    grid.push(t);
    values.push(profile(t));
  }
  let iBest = 0;
  for (let i = 1; i <= cells; i++) if (values[i] > values[iBest]) iBest = i;

  // golden section on the two cells around the best node
  const invPhi = (Math.sqrt(5) - 1) / 2;
  let a = grid[Math.max(0, iBest - 1)];
  let d = grid[Math.min(cells, iBest + 1)];
  let x1 = d - invPhi * (d - a);
  let x2 = a + invPhi * (d - a);
  let f1 = profile(x1);
  let f2 = profile(x2);
  while (d - a > 1e-11) {
    if (f1 >= f2) {
      d = x2;
      x2 = x1;
      f2 = f1;
      x1 = d - invPhi * (d - a);
      f1 = profile(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + invPhi * (d - a);
      f2 = profile(x2);
    }
  }
  let tHat = f1 >= f2 ? x1 : x2;
  let lHat = Math.max(f1, f2);
  if (values[iBest] > lHat) {
    tHat = grid[iBest];
    lHat = values[iBest];
  }
  const bHat = bestSlope(cv, c, tHat, bMax, 1);

  const chi2 = normalQuantile(0.5 + level / 2) ** 2; // χ²₁(level) = z²_{(1+level)/2}
  const cut = lHat - chi2 / 2;
  // walk out from t̂ over the grid to the first node below the cut, then bisect that cell: the innermost crossing
  const crossing = (dir: -1 | 1): number | null => {
    let inner = tHat;
    let i0 = iBest;
    while (i0 >= 0 && i0 <= cells && (dir < 0 ? grid[i0] >= tHat : grid[i0] <= tHat)) i0 += dir;
    for (let i = i0; i >= 0 && i <= cells; i += dir) {
      if (values[i] < cut) {
        let lo = inner; // at or above the cut
        let hi = grid[i]; // below it
        while (Math.abs(hi - lo) > 1e-11) {
          const mid = 0.5 * (lo + hi);
          if (profile(mid) >= cut) lo = mid;
          else hi = mid;
        }
        return 0.5 * (lo + hi);
      }
      inner = grid[i];
    }
    return null;
  };
  const tLo = crossing(-1);
  const tHi = crossing(1);
  const ci: [number | null, number | null] = [tLo === null ? null : Math.exp(tLo), tHi === null ? null : Math.exp(tHi)];
  const open = tLo === null || tHi === null;
  let note = '';
  if (open) {
    const sides = [tLo === null ? `below (to ${fmt(mMin)})` : '', tHi === null ? `above (to ${fmt(mMax)})` : ''].filter(Boolean).join(' or ');
    note = `the likelihood does not fall by χ²₁(${fmt(level)})/2 ${sides} inside the probed widths: the interval is open on that side`;
  } else if (bHat >= bMax) {
    note = `the fitted slope reached its cap ${bMax} per unit of ln m (separated data): the interval reflects the gap between probed widths`;
  }
  return { q, level, status: open ? 'open-interval' : 'estimated', m: Math.exp(tHat), ci, slope: bHat, note };
}
