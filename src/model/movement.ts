/** How far the weights moved: R = max_r ‖w_r − w_r(0)‖₂ (docs/theory.md §4). W, W0: m×d neuron-major. */
export function movement(W: Float64Array, W0: Float64Array, m: number, d: number): number {
  let best = 0;
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = W[r * d + j] - W0[r * d + j];
      s += t * t;
    }
    if (s > best) best = s;
  }
  return Math.sqrt(best);
}
