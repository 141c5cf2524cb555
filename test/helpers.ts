/** Small shared test utilities: random problems and an independent matrix-form implementation. */
import type { Problem } from '../src/backend/types.js';
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
