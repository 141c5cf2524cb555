/**
 * λ_min of a symmetric positive definite matrix for the benchmark: Cholesky H = L Lᵀ (native
 * potrf), then Lanczos with full reorthogonalisation on H⁻¹ (each product is two triangular
 * solves, native potrs); the largest Ritz value θ of H⁻¹ gives λ_min = 1/θ. Ritz values of
 * the tridiagonal T_k come from Sturm-sequence bisection. A minimal routine for the benchmark
 * only; the project's eigensolvers live in src/linalg/.
 */
import type { NativeBackend } from '../src/backend/native.js';

/** Largest eigenvalue of the symmetric tridiagonal matrix (alpha, beta) by bisection. */
function tridiagMax(alpha: number[], beta: number[]): number {
  const k = alpha.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < k; i++) {
    const r = (i > 0 ? Math.abs(beta[i - 1]) : 0) + (i < k - 1 ? Math.abs(beta[i]) : 0);
    lo = Math.min(lo, alpha[i] - r);
    hi = Math.max(hi, alpha[i] + r);
  }
  // count of eigenvalues < x (Sturm sequence of the LDLᵀ pivots)
  const below = (x: number): number => {
    let c = 0;
    let q = 1;
    for (let i = 0; i < k; i++) {
      q = alpha[i] - x - (i > 0 ? (beta[i - 1] * beta[i - 1]) / q : 0);
      if (q === 0) q = -1e-300;
      if (q < 0) c++;
    }
    return c;
  };
  for (let it = 0; it < 200 && hi - lo > 1e-15 * Math.max(Math.abs(hi), Math.abs(lo)); it++) {
    const mid = 0.5 * (lo + hi);
    if (below(mid) >= k) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

export interface LambdaMin {
  value: number;
  iterations: number;
}

export function lambdaMin(nb: NativeBackend, n: number, H: Float64Array, tol = 1e-12): LambdaMin {
  const L = Float64Array.from(H);
  const info = nb.potrf(n, L);
  if (info !== 0) throw new Error(`matrix not positive definite (minor ${info})`);
  const V: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(1 + i * 0.7531) + 0.1; // fixed, not orthogonal to anything in particular
  let s = Math.hypot(...v);
  for (let i = 0; i < n; i++) v[i] /= s;
  let theta = 0;
  let prev = 0;
  const maxIt = Math.min(n, 400);
  for (let k = 0; k < maxIt; k++) {
    V.push(v);
    const w = Float64Array.from(v);
    nb.potrs(n, L, w); // w = H⁻¹ v
    let a = 0;
    for (let i = 0; i < n; i++) a += w[i] * v[i];
    alpha.push(a);
    // full reorthogonalisation, twice (Gram–Schmidt), against every Lanczos vector
    for (let pass = 0; pass < 2; pass++) {
      for (const q of V) {
        let c = 0;
        for (let i = 0; i < n; i++) c += w[i] * q[i];
        for (let i = 0; i < n; i++) w[i] -= c * q[i];
      }
    }
    s = 0;
    for (let i = 0; i < n; i++) s += w[i] * w[i];
    s = Math.sqrt(s);
    if ((k + 1) % 5 === 0 || s === 0) {
      theta = tridiagMax(alpha, beta);
      if (Math.abs(theta - prev) <= tol * theta || s === 0) return { value: 1 / theta, iterations: k + 1 };
      prev = theta;
    }
    beta.push(s);
    v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = w[i] / s;
  }
  return { value: 1 / tridiagMax(alpha, beta), iterations: maxIt };
}
