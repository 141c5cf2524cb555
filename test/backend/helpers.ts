/** Shared fixtures for the backend tests: seeded problems and error measures. */
import { Rng } from '../../src/random/xoshiro.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { Backend, Problem } from '../../src/backend/types.js';
import { resolveActivation, type ActivationInput } from '../../src/activations/index.js';
import { powerIteration } from '../../src/linalg/power.js';

export function makeProblem(
  n: number,
  d: number,
  m: number,
  activation: ActivationInput,
  scaling: 'ntk' | 'none',
  seed = 1,
): { p: Problem; W: Float64Array } {
  const rng = new Rng(seed, `problem-${n}-${d}-${m}`);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = rng.normal();
      X[i * d + j] = v;
      s += v * v;
    }
    const norm = Math.sqrt(s);
    for (let j = 0; j < d; j++) X[i * d + j] /= norm; // unit rows (docs/theory.md §1)
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.normal();
  const a = new Float64Array(m);
  for (let r = 0; r < m; r++) a[r] = rng.sign();
  const W = new Float64Array(m * d);
  rng.fillNormal(W);
  const kappa = scaling === 'ntk' ? 1 / Math.sqrt(m) : 1;
  return { p: { n, d, m, X, y, a, kappa, activation: resolveActivation(activation) }, W };
}

export { relErr } from '../helpers.js';

export function bitEqual(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return false;
  return true;
}

/** η = 1/λ_max(H(W)) from the reference Gram matrix: a step size at which GD is stable (docs/theory.md §3). */
export function stableEta(p: Problem, W: Float64Array): number {
  const H = new Float64Array(p.n * p.n);
  new ReferenceBackend().gram(p, W, H);
  const apply = (v: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < p.n; i++) {
      let s = 0;
      for (let j = 0; j < p.n; j++) s += H[i * p.n + j] * v[j];
      out[i] = s;
    }
  };
  const lmax = powerIteration(apply, new Float64Array(p.n).fill(1), { tol: 1e-6 }).value;
  return 1 / lmax;
}

/**
 * Every method of a backend at (W, r): forward, gradient, jvp along V, gram, and one step of size
 * eta from a copy of W, so that two backends can be compared output by output.
 */
export function everyMethod(b: Backend, p: Problem, W: Float64Array, r: Float64Array, V: Float64Array, eta: number): Record<string, Float64Array> {
  const n = p.n;
  const u = new Float64Array(n);
  b.forward(p, W, u);
  const g = new Float64Array(W.length);
  b.gradient(p, W, r, g);
  const j = new Float64Array(n);
  b.jvp(p, W, V, j);
  const h = new Float64Array(n * n);
  b.gram(p, W, h);
  const Ws = Float64Array.from(W);
  const s = new Float64Array(n);
  b.step(p, Ws, r, eta, s);
  return { forward: u, gradient: g, jvp: j, gram: h, 'step W': Ws, 'step u': s };
}
