/**
 * Small statistics for the scaling fits: ordinary least squares on log-log data, and Student's t
 * quantiles for its confidence interval (through the regularised incomplete beta function,
 * evaluated by its continued fraction with the modified Lentz method).
 */

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~1e-15 relative). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61503916999185, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
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
