/** Small shared test utilities: random problems and an independent matrix-form implementation. */
import type { Backend, Problem } from '../src/backend/types.js';
import { resolveActivation, type ActivationInput } from '../src/activations/index.js';
import { Rng } from '../src/random/xoshiro.js';

export function randomProblem(n: number, d: number, m: number, activation: ActivationInput, kappa: number, seed: number): { p: Problem; W: Float64Array } {
  const rng = new Rng(seed, 'test');
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (X[i * d + j] = rng.normal()) ** 2;
    for (let j = 0; j < d; j++) X[i * d + j] /= Math.sqrt(s);
  }
  const y = rng.fillNormal(new Float64Array(n));
  const a = Float64Array.from({ length: m }, () => rng.sign());
  const W = rng.fillNormal(new Float64Array(m * d));
  return { p: { n, d, m, X, y, a, kappa, activation: resolveActivation(activation) }, W };
}

/** ‖a − b‖ / ‖b‖ (or ‖a − b‖ when b = 0). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < b.length; k++) {
    num += (a[k] - b[k]) ** 2;
    den += b[k] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/**
 * docs/theory.md §2's matrix form, written independently of the backends with 2-D arrays:
 * Z = X W (n×m), E = σ(Z), S = σ'(Z), u = κ E a, ∇L = κ Xᵀ (diag(r) S diag(a)) (d×m); for the
 * softmax network (§5): P = row-wise softmax(Z), c = P a, u = κ m c,
 * ∇L = κ m Xᵀ (diag(r) (P ∘ (1aᵀ − c1ᵀ))).
 * W is taken in docs/theory.md's d×m orientation: Wdm[j][r].
 */
export function matrixForm(p: Problem, Wdm: number[][]) {
  const { n, d, m, X, y, a, kappa, activation } = p;
  const Xm = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => X[i * d + j]));
  const Z = Xm.map((x) => Array.from({ length: m }, (_, r) => x.reduce((s, xj, j) => s + xj * Wdm[j][r], 0)));
  let u: number[];
  let Gfac: number[][]; // ∂u_i/∂z_ir / κ
  if (activation.form === 'softmax') {
    const P = Z.map((row) => {
      const mx = Math.max(...row);
      const e = row.map((z) => Math.exp(z - mx));
      const s = e.reduce((acc, v) => acc + v, 0);
      return e.map((v) => v / s);
    });
    const c = P.map((row) => row.reduce((s, v, r) => s + v * a[r], 0));
    u = c.map((ci) => kappa * m * ci);
    Gfac = P.map((row, i) => row.map((v, r) => m * v * (a[r] - c[i])));
  } else {
    const sig = activation.sigma!;
    const dsig = activation.dsigma!;
    u = Z.map((row) => kappa * row.reduce((s, z, r) => s + sig(z) * a[r], 0));
    Gfac = Z.map((row) => row.map((z, r) => dsig(z) * a[r]));
  }
  const res = u.map((ui, i) => ui - y[i]);
  const grad = Array.from({ length: d }, (_, j) => Array.from({ length: m }, (_, r) => kappa * Xm.reduce((s, x, i) => s + x[j] * res[i] * Gfac[i][r], 0)));
  return { u, res, grad };
}

/** Neuron-major flat W (m×d) → docs/theory.md's d×m nested array. */
export function toDm(W: Float64Array, m: number, d: number): number[][] {
  return Array.from({ length: d }, (_, j) => Array.from({ length: m }, (_, r) => W[r * d + j]));
}

/** y = A v for a row-major rows×cols matrix A. */
export function matVec(A: ArrayLike<number>, rows: number, cols: number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += A[i * cols + j] * v[j];
    out[i] = s;
  }
  return out;
}

/**
 * The Jacobian of u(W) = F(W, X) at W, n×(m·d), built row by row from the backend's gradient of
 * ½‖r‖² at the unit residual r = e_i: that gradient is exactly ∂u_i/∂W (docs/theory.md §2).
 */
export function jacobianRows(backend: Backend, p: Problem, W: Float64Array): Float64Array {
  const P = p.m * p.d;
  const J = new Float64Array(p.n * P);
  const G = new Float64Array(P);
  for (let i = 0; i < p.n; i++) {
    const e = new Float64Array(p.n);
    e[i] = 1;
    backend.gradient(p, W, e, G);
    J.set(G, i * P);
  }
  return J;
}

/** H^cts(x, x') = ⟨x, x'⟩ exp(‖x + x'‖²/2) (docs/theory.md §3), rows of A (na×d) against rows of B (nb×d), written out independently of src/. */
export function hCtsClosedForm(A: ArrayLike<number>, na: number, B: ArrayLike<number>, nb: number, d: number): Float64Array {
  const K = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let k = 0; k < nb; k++) {
      let g = 0;
      let s = 0;
      for (let j = 0; j < d; j++) {
        g += A[i * d + j] * B[k * d + j];
        s += (A[i * d + j] + B[k * d + j]) ** 2;
      }
      K[i * nb + k] = g * Math.exp(s / 2);
    }
  }
  return K;
}
