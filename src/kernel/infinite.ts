/**
 * Infinite-width kernels (theory.md §3), for inputs X (n×d, row-major). Both are the limit of the
 * empirical NTK H(W(0)) with κ = 1/√m as m → ∞ (for κ = 1 it is the limit of H(W(0))/m; see
 * empirical.ts).
 */
import type { Activation } from '../backend/types.js';

/** G = X Xᵀ (n×n). */
export function inputGram(X: Float64Array, n: number, d: number): Float64Array {
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += X[i * d + t] * X[j * d + t];
      G[i * n + j] = G[j * n + i] = s;
    }
  }
  return G;
}

/**
 * Exp network: H^cts_ij = ⟨x_i,x_j⟩ · exp(‖x_i + x_j‖² / 2)  (theory.md §3, Gaussian MGF),
 * with ‖x_i + x_j‖² = ‖x_i‖² + ‖x_j‖² + 2⟨x_i,x_j⟩. For unit inputs: ρ e^{1+ρ}, diagonal e².
 */
export function hCts(X: Float64Array, n: number, d: number): Float64Array {
  const H = inputGram(X, n, d);
  const diag = Float64Array.from({ length: n }, (_, i) => H[i * n + i]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const g = H[i * n + j];
      // H^cts_ij = ⟨x_i,x_j⟩ exp(‖x_i+x_j‖²/2)   (theory.md §3)
      H[i * n + j] = H[j * n + i] = g * Math.exp(0.5 * (diag[i] + diag[j] + 2 * g));
    }
  }
  return H;
}

/**
 * ReLU baseline (Du et al. 2019): H^∞_ij = ⟨x_i,x_j⟩ (π − θ_ij) / (2π), θ_ij the angle between
 * x_i and x_j. The angle is computed as θ = 2·atan2(‖x̂_i − x̂_j‖, ‖x̂_i + x̂_j‖) of the unit vectors
 * (Kahan), accurate to a few ulps everywhere; acos of the rounded cosine would lose half the digits
 * near θ = 0 and π (and need clamping to [−1, 1] against NaN). A zero input gives a zero row.
 */
export function hInf(X: Float64Array, n: number, d: number): Float64Array {
  const H = inputGram(X, n, d);
  const U = new Float64Array(n * d); // unit rows (zero rows stay zero)
  for (let i = 0; i < n; i++) {
    const nrm = Math.sqrt(H[i * n + i]);
    if (nrm > 0) for (let t = 0; t < d; t++) U[i * d + t] = X[i * d + t] / nrm;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const g = H[i * n + j];
      let v = 0;
      if (H[i * n + i] > 0 && H[j * n + j] > 0) {
        let dm = 0;
        let dp = 0;
        for (let t = 0; t < d; t++) {
          const a = U[i * d + t];
          const b = U[j * d + t];
          dm += (a - b) * (a - b);
          dp += (a + b) * (a + b);
        }
        const theta = 2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp));
        // H^∞_ij = ⟨x_i,x_j⟩ (π − θ_ij)/(2π)   (theory.md §3, ReLU baseline)
        v = (g * (Math.PI - theta)) / (2 * Math.PI);
      }
      H[i * n + j] = H[j * n + i] = v;
    }
  }
  return H;
}

/** The infinite-width kernel of the given activation: H^cts for exp, H^∞ for ReLU. */
export function infiniteKernel(activation: Activation, X: Float64Array, n: number, d: number): Float64Array {
  return activation === 'exp' ? hCts(X, n, d) : hInf(X, n, d);
}
