/**
 * Small statistics for the scaling fits: ordinary and weighted least squares on log-log data, and
 * Student's t and normal quantiles for their confidence intervals (through the regularised
 * incomplete beta function, evaluated by its continued fraction with the modified Lentz method).
 */

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~1e-15 relative). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x); // reflection
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let k = 1; k < 9; k++) a += c[k] / (x + k);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of I_x(a, b) (converges for x < (a+1)/(a+b+2)). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b; // symmetry I_x(a,b) = 1 − I_{1−x}(b,a)
}

/** P(T ≤ t) for Student's t with ν degrees of freedom. */
export function studentTCdf(t: number, nu: number): number {
  if (t * t < nu) {
    // near the centre, P(|T| < t) = I_{t²/(ν+t²)}(½, ν/2) keeps full precision (ν/(ν+t²) would round to 1)
    const inner = 0.5 * incompleteBeta((t * t) / (nu + t * t), 0.5, nu / 2);
    return t >= 0 ? 0.5 + inner : 0.5 - inner;
  }
  const tail = 0.5 * incompleteBeta(nu / (nu + t * t), nu / 2, 0.5); // P(T > |t|)
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with ν degrees of freedom (bisection on the CDF). */
export function studentTQuantile(p: number, nu: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile level must lie in (0,1), got ${p}`);
  let lo = -1e4;
  let hi = 1e4;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, nu) < p) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(mid))) break;
  }
  return (lo + hi) / 2;
}

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** erf(x) = 2/√π · e^{−x²} Σ_{n≥0} 2ⁿ x^{2n+1} / (1·3·…·(2n+1)) (Abramowitz & Stegun 7.1.6). */
function erfSeries(x: number): number {
  // every term is positive, so no cancellation; used only for |x| < 2 where it needs < 40 terms
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** erfc(x) = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))) for x > 0 (A&S 7.1.14), by modified Lentz. */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  // K = x + a₁/(x + a₂/(x + …)) with a_n = n/2
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 2000; n++) {
    const an = n / 2;
    d = x + an * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = x + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** Complementary error function erfc(x) = 1 − erf(x), to ~1e-16 relative for x ≥ 0. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  // below 2, 1 − erf loses at most ~2 digits (erfc(2) ≈ 4.7e-3); above it the fraction converges fast
  return x < 2 ? 1 - erfSeries(x) : erfcContinuedFraction(x);
}

/** Standard normal CDF Φ(x) = ½ erfc(−x/√2). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / SQRT2);
}

/** Φ⁻¹(p): Acklam's rational approximation (relative error 1.15e-9) refined by one Halley step on Φ. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile level must lie in (0,1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    // upper tail through 1 − p, which is exact in floating point for p ≥ ½ (Sterbenz)
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley: e = Φ(x) − p, u = e/φ(x); in the upper tail e comes from the tail 1 − Φ(x) so that it keeps its digits
  const e = x > 0 ? 1 - p - 0.5 * erfc(x / SQRT2) : 0.5 * erfc(-x / SQRT2) - p;
  const u = e * SQRT_2PI * Math.exp((x * x) / 2);
  const refined = x - u / (1 + (x * u) / 2);
  // for p below ~1e-300, exp(x²/2) overflows; Acklam's value is then kept
  return Number.isFinite(refined) ? refined : x;
}

export interface PowerLawFit {
  /** b in m* ≈ C·n^b (the slope on log-log axes). */
  exponent: number;
  /** C. */
  constant: number;
  /** Standard error of the exponent. */
  stderr: number;
  /** Confidence interval of the exponent at `level` (null with fewer than 3 points). */
  ci: [number, number] | null;
  level: number;
  points: number;
  r2: number;
}

/** Least squares of log y = log C + b log x, with a t-based confidence interval for b. */
export function fitPowerLaw(x: readonly number[], y: readonly number[], level = 0.95): PowerLawFit {
  const pts = x.map((xi, k) => [xi, y[k]] as const).filter(([a, b]) => a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b));
  const k = pts.length;
  if (k < 2) throw new RangeError('a power-law fit needs at least two positive points');
  const lx = pts.map(([a]) => Math.log(a));
  const ly = pts.map(([, b]) => Math.log(b));
  const mx = lx.reduce((s, v) => s + v, 0) / k;
  const my = ly.reduce((s, v) => s + v, 0) / k;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < k; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) ** 2;
  }
  if (sxx === 0) throw new RangeError('a power-law fit needs at least two distinct x values');
  const b = sxy / sxx;
  const a = my - b * mx;
  let sse = 0;
  for (let i = 0; i < k; i++) sse += (ly[i] - a - b * lx[i]) ** 2;
  const stderr = k > 2 ? Math.sqrt(sse / (k - 2) / sxx) : NaN;
  const q = k > 2 ? studentTQuantile(0.5 + level / 2, k - 2) : NaN;
  return {
    exponent: b,
    constant: Math.exp(a),
    stderr,
    ci: k > 2 ? [b - q * stderr, b + q * stderr] : null,
    level,
    points: k,
    r2: syy > 0 ? 1 - sse / syy : 1,
  };
}

export type WeightedPowerLawFit = PowerLawFit & {
  weighted: true;
  /** σ̂² = Σ w r² / (k − 2): 1 when the scatter matches the stated errors (NaN with two points). */
  dispersion: number;
};

/**
 * Weighted least squares of ln y = ln C + b ln x with weights w = 1/logSe² (logSe_i: standard error
 * of ln y_i); stderr(b) = √(max(1, σ̂²)/S_xx,w), σ̂² = Σ w r²/(k−2), and a t_{k−2} interval.
 * Every point passed is used, so the caller drops censored points first; one that has no finite
 * positive x, y or logSe is refused. With two points there is no scatter to estimate: the stderr
 * is the one the weights imply, √(1/S_xx,w), and the interval uses the normal quantile.
 */
export function fitPowerLawWeighted(x: readonly number[], y: readonly number[], logSe: readonly number[], level = 0.95): WeightedPowerLawFit {
  const k = x.length;
  if (y.length !== k || logSe.length !== k) throw new RangeError(`x, y and logSe must have the same length, got ${k}, ${y.length}, ${logSe.length}`);
  if (k < 2) throw new RangeError('a power-law fit needs at least two points');
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must lie in (0,1), got ${level}`);
  for (let i = 0; i < k; i++) {
    if (!(Number.isFinite(x[i]) && x[i] > 0 && Number.isFinite(y[i]) && y[i] > 0)) throw new RangeError(`point ${i} is not positive and finite: (${x[i]}, ${y[i]})`);
    if (!(Number.isFinite(logSe[i]) && logSe[i] > 0)) throw new RangeError(`point ${i} has no finite positive standard error: ${logSe[i]}`);
  }
  const w = logSe.map((se) => 1 / (se * se));
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  let sw = 0;
  let swx = 0;
  let swy = 0;
  for (let i = 0; i < k; i++) {
    sw += w[i];
    swx += w[i] * lx[i];
    swy += w[i] * ly[i];
  }
  const mx = swx / sw;
  const my = swy / sw;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < k; i++) {
    sxx += w[i] * (lx[i] - mx) ** 2;
    sxy += w[i] * (lx[i] - mx) * (ly[i] - my);
    syy += w[i] * (ly[i] - my) ** 2;
  }
  if (sxx === 0) throw new RangeError('a power-law fit needs at least two distinct x values');
  const b = sxy / sxx;
  const a = my - b * mx;
  let sse = 0;
  for (let i = 0; i < k; i++) sse += w[i] * (ly[i] - a - b * lx[i]) ** 2;
  const dispersion = k > 2 ? sse / (k - 2) : NaN;
  // a scatter smaller than the stated errors is luck, not precision: never below what the weights give
  const stderr = Math.sqrt((k > 2 ? Math.max(1, dispersion) : 1) / sxx);
  const quantile = k > 2 ? studentTQuantile(0.5 + level / 2, k - 2) : normalQuantile(0.5 + level / 2);
  return {
    exponent: b,
    constant: Math.exp(a),
    stderr,
    ci: [b - quantile * stderr, b + quantile * stderr],
    level,
    points: k,
    r2: syy > 0 ? 1 - sse / syy : 1,
    weighted: true,
    dispersion,
  };
}
