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

/** The distribution of the neurons' movements ‖w_r − w_r(0)‖₂ (docs/theory.md §6, laziness), in three numbers. */
export interface MovementStats {
  /** max_r ‖w_r − w_r(0)‖₂ = R (the same bits as `movement`). */
  max: number;
  /** The median over r of ‖w_r − w_r(0)‖₂ (the mean of the middle two for even m). */
  median: number;
  /** ‖W − W(0)‖_F = (Σ_r ‖w_r − w_r(0)‖₂²)^{1/2}. */
  frobenius: number;
}

export function movementStats(W: Float64Array, W0: Float64Array, m: number, d: number): MovementStats {
  const sq = new Float64Array(m);
  let total = 0;
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = W[r * d + j] - W0[r * d + j];
      s += t * t;
    }
    sq[r] = s;
    total += s;
  }
  sq.sort();
  const mid = m >> 1;
  // sqrt is monotone: the median of the norms is the root of the median of their squares
  const median = m % 2 === 1 ? Math.sqrt(sq[mid]) : (Math.sqrt(sq[mid - 1]) + Math.sqrt(sq[mid])) / 2;
  return { max: Math.sqrt(sq[m - 1]), median, frobenius: Math.sqrt(total) };
}
