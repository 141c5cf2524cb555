/**
 * The reference backend: docs/theory.md §1–3 and §5 written out in plain TypeScript, float64, for
 * every network form. It is the oracle that every fast backend is tested against, so clarity wins
 * over speed: sample by sample, z_i = (⟨w_r, x_i⟩)_r, then the activation's own per-sample formula
 * (src/activations/) gives f(z_i, a) and the factors φ_ir = ∂f/∂z_ir, from which
 *   u_i = κ f(z_i, a),  ∂L/∂w_r = κ Σ_i r_i φ_ir x_i,  (JV)_i = κ Σ_r φ_ir ⟨v_r, x_i⟩,
 *   H_ij = κ² ⟨x_i, x_j⟩ Σ_r φ_ir φ_jr.
 * Sums over samples run in sample order, sums over neurons pairwise (src/activations/sum.ts) in
 * the forward pass and in order elsewhere.
 */
import type { Activation } from '../activations/types.js';
import type { Backend, Problem } from './types.js';

/** ⟨w_r, x_i⟩ */
function dot(W: Float64Array, r: number, X: Float64Array, i: number, d: number): number {
  let s = 0;
  const wo = r * d;
  const xo = i * d;
  for (let j = 0; j < d; j++) s += W[wo + j] * X[xo + j];
  return s;
}

/** z_r = ⟨w_r, x_i⟩ for r = 0 … m−1. */
function preActivations(p: Problem, W: Float64Array, i: number, z: Float64Array): void {
  for (let r = 0; r < p.m; r++) z[r] = dot(W, r, p.X, i, p.d);
}

export class ReferenceBackend implements Backend {
  readonly name = 'reference';
  readonly precision = 'f64' as const;
  readonly threads = 1;

  supports(_activation: Activation): boolean {
    return true;
  }

  // u_i = κ f(z_i, a)
  forward(p: Problem, W: Float64Array, u: Float64Array): void {
    const z = new Float64Array(p.m);
    const scratch = new Float64Array(2 * p.m);
    for (let i = 0; i < p.n; i++) {
      preActivations(p, W, i, z);
      u[i] = p.kappa * p.activation.sample(z, p.a, null, scratch);
    }
  }

  // ∂L/∂w_r = κ Σ_i r_i φ_ir x_i
  gradient(p: Problem, W: Float64Array, res: Float64Array, G: Float64Array): void {
    const { n, d, m, X, kappa } = p;
    const z = new Float64Array(m);
    const phi = new Float64Array(m);
    const scratch = new Float64Array(2 * m);
    G.fill(0, 0, m * d);
    for (let i = 0; i < n; i++) {
      preActivations(p, W, i, z);
      p.activation.sample(z, p.a, phi, scratch);
      for (let r = 0; r < m; r++) {
        const c = res[i] * phi[r];
        for (let j = 0; j < d; j++) G[r * d + j] += c * X[i * d + j];
      }
    }
    for (let k = 0; k < m * d; k++) G[k] *= kappa;
  }

  // W(k+1) = W(k) − η ∇L(W(k)), then u = F(W(k+1), X)
  step(p: Problem, W: Float64Array, res: Float64Array, eta: number, u: Float64Array): void {
    const G = new Float64Array(p.m * p.d);
    this.gradient(p, W, res, G);
    for (let k = 0; k < G.length; k++) W[k] -= eta * G[k];
    this.forward(p, W, u);
  }

  // (J V)_i = κ Σ_r φ_ir ⟨v_r, x_i⟩
  jvp(p: Problem, W: Float64Array, V: Float64Array, out: Float64Array): void {
    const { n, d, m, X, kappa } = p;
    const z = new Float64Array(m);
    const phi = new Float64Array(m);
    const scratch = new Float64Array(2 * m);
    for (let i = 0; i < n; i++) {
      preActivations(p, W, i, z);
      p.activation.sample(z, p.a, phi, scratch);
      let s = 0;
      for (let r = 0; r < m; r++) s += phi[r] * dot(V, r, X, i, d);
      out[i] = kappa * s;
    }
  }

  // H_ij = κ² ⟨x_i, x_j⟩ Σ_r φ_ir φ_jr, i.e. H = κ² (X Xᵀ) ∘ (Φ Φᵀ)
  gram(p: Problem, W: Float64Array, H: Float64Array): void {
    const { n, d, m, X, kappa } = p;
    const Phi = new Float64Array(n * m); // Φ_ir = φ_ir, sample-major
    const z = new Float64Array(m);
    const scratch = new Float64Array(2 * m);
    for (let i = 0; i < n; i++) {
      preActivations(p, W, i, z);
      p.activation.sample(z, p.a, Phi.subarray(i * m, (i + 1) * m), scratch);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let ss = 0;
        for (let r = 0; r < m; r++) ss += Phi[i * m + r] * Phi[j * m + r];
        let xx = 0;
        for (let t = 0; t < d; t++) xx += X[i * d + t] * X[j * d + t];
        H[i * n + j] = H[j * n + i] = kappa * kappa * xx * ss;
      }
    }
  }

  patternFlips(p: Problem, W0: Float64Array, W: Float64Array): number {
    const { n, d, m, X } = p;
    let flips = 0;
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < n; i++) {
        if (dot(W0, r, X, i, d) >= 0 !== dot(W, r, X, i, d) >= 0) flips++;
      }
    }
    return flips;
  }
}
