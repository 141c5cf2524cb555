/**
 * Confidence intervals for a success probability from k successes in s trials (the fraction of
 * seeds at which GD reached ε), and the standard normal quantile they need.
 */
import { incompleteBeta, normalQuantile } from './stats.js';

// the normal functions live in stats.ts (fitPowerLawWeighted needs them too); re-exported here, where the intervals use them
export { erfc, normalCdf, normalQuantile } from './stats.js';

function checkCounts(k: number, s: number, level: number): void {
  if (!Number.isInteger(s) || s < 1) throw new RangeError(`number of trials must be an integer ≥ 1, got ${s}`);
  if (!Number.isInteger(k) || k < 0 || k > s) throw new RangeError(`number of successes must be an integer in [0, ${s}], got ${k}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must lie in (0,1), got ${level}`);
}

/** Wilson score interval (k + z²/2 ± z √(k(s−k)/s + z²/4)) / (s + z²), z = Φ⁻¹(½ + level/2). */
export function wilsonInterval(k: number, s: number, level = 0.95): [number, number] {
  checkCounts(k, s, level);
  const z = normalQuantile(0.5 + level / 2);
  const z2 = z * z;
  const centre = (k + z2 / 2) / (s + z2);
  const half = (z * Math.sqrt((k * (s - k)) / s + z2 / 4)) / (s + z2);
  // at k = 0 or k = s the bound is exactly 0 or 1 in exact arithmetic; rounding would leave ±1e-17
  const lo = k === 0 ? 0 : Math.max(0, centre - half);
  const hi = k === s ? 1 : Math.min(1, centre + half);
  return [lo, hi];
}

/** x with I_x(a, b) = target, by bisection on [0, 1] (I_x is increasing in x). */
function betaQuantile(target: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 2000; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break; // adjacent doubles
    if (incompleteBeta(mid, a, b) < target) lo = mid;
    else hi = mid;
    // relative tolerance, so that bounds near 0 (k = 1 of many trials) keep their digits too
    if (hi - lo <= 1e-13 * hi) break;
  }
  return 0.5 * (lo + hi);
}

/**
 * Clopper–Pearson exact interval: lo = B⁻¹(α/2; k, s−k+1), hi = B⁻¹(1−α/2; k+1, s−k), the p at which
 * P(X ≥ k | p) = α/2 and P(X ≤ k | p) = α/2 (P(X ≥ k | p) = I_p(k, s−k+1)).
 */
export function clopperPearsonInterval(k: number, s: number, level = 0.95): [number, number] {
  checkCounts(k, s, level);
  const alpha = 1 - level;
  const lo = k === 0 ? 0 : betaQuantile(alpha / 2, k, s - k + 1);
  const hi = k === s ? 1 : betaQuantile(1 - alpha / 2, k + 1, s - k);
  return [lo, hi];
}
