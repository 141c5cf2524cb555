/**
 * Gauss–Hermite quadrature for Gaussian expectations: the limit kernel of an activation that has no
 * closed form (docs/theory.md §5, "any activation"), H(x, x') = ⟨x, x'⟩ E[σ'(u) σ'(v)] with
 * (u, v) ~ N(0, [[‖x‖², ⟨x,x'⟩], [⟨x,x'⟩, ‖x'‖²]]), as neural-tangents' ElementwiseNumerical does.
 */

export interface GaussRule {
  /** Nodes g_k and weights w_k with Σ_k w_k f(g_k) ≈ E[f(g)], g ~ N(0, 1). */
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const cache = new Map<number, GaussRule>();

/**
 * The K-point rule for N(0, 1): exact for polynomials of degree ≤ 2K − 1. The physicists' nodes t_k
 * (roots of H_K) by Newton's method on the orthonormal recurrence, from the usual asymptotic first
 * guesses; then g_k = √2 t_k and w_k = (weight of t_k)/√π.
 */
export function gaussHermite(K: number): GaussRule {
  if (!Number.isInteger(K) || K < 1 || K > 200) throw new RangeError(`quadrature degree must be an integer in [1, 200], got ${K}`);
  const hit = cache.get(K);
  if (hit) return hit;
  const t = new Float64Array(K);
  const w = new Float64Array(K);
  const PIM4 = Math.pow(Math.PI, -0.25);
  let z = 0;
  for (let i = 0; i < (K + 1) >> 1; i++) {
    if (i === 0) z = Math.sqrt(2 * K + 1) - 1.85575 * Math.pow(2 * K + 1, -1 / 6);
    else if (i === 1) z -= (1.14 * Math.pow(K, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * t[0];
    else if (i === 3) z = 1.91 * z - 0.91 * t[1];
    else z = 2 * z - t[i - 2];
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      // p_j: the orthonormal Hermite functions' polynomial part, p_j = z √(2/j) p_{j−1} − √((j−1)/j) p_{j−2}
      let p1 = PIM4;
      let p2 = 0;
      for (let j = 1; j <= K; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * K) * p2; // p_K'
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    t[i] = z;
    t[K - 1 - i] = -z;
    w[i] = w[K - 1 - i] = 2 / (pp * pp);
  }
  const nodes = Float64Array.from(t, (v) => Math.SQRT2 * v);
  const weights = Float64Array.from(w, (v) => v / Math.sqrt(Math.PI));
  const rule = { nodes, weights };
  cache.set(K, rule);
  return rule;
}

/**
 * E[f(u) h(v)] for (u, v) ~ N(0, [[q, g], [g, q']]) by the K×K product rule after the Cholesky factor
 * of the 2×2 covariance: u = √q g₁, v = (g/√q) g₁ + √(q' − g²/q) g₂ (a negative rounding of the
 * last radicand, for parallel inputs, is taken as 0).
 */
export function gaussian2(f: (u: number) => number, h: (v: number) => number, g: number, q: number, qp: number, K: number): number {
  const { nodes, weights } = gaussHermite(K);
  const su = Math.sqrt(Math.max(q, 0));
  const c = su > 0 ? g / su : 0;
  const sv = Math.sqrt(Math.max(qp - c * c, 0));
  let total = 0;
  for (let k = 0; k < K; k++) {
    const fu = f(su * nodes[k]);
    if (fu === 0) continue;
    let inner = 0;
    for (let l = 0; l < K; l++) inner += weights[l] * h(c * nodes[k] + sv * nodes[l]);
    total += weights[k] * fu * inner;
  }
  return total;
}
