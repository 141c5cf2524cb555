/**
 * The sum over neurons used by every reference computation: a balanced binary tree split at the
 * midpoint, sequential leaves of ≤ NEURON_LEAF terms, and the top level always split at ⌊m/2⌋
 * however small m is. Two halves of equal length are summed by identical trees, so with coupled
 * initialisation (second half = first half with negated a_r) the two partial sums are exact
 * negatives and F(W(0), x) = 0 exactly (docs/theory.md §3). Pairwise summation also bounds the
 * rounding error by O(log m) ulps instead of O(m). The native backend splits at ⌊m/2⌋ the same way.
 */

/** Terms summed sequentially at the leaves of the reduction tree. */
export const NEURON_LEAF = 64;

/** Σ_{r0 ≤ r < r1} t_r as the tree above; `top` marks the root call. */
export function pairwiseSum(t: Float64Array, r0 = 0, r1 = t.length, top = true): number {
  if (r1 - r0 <= NEURON_LEAF && !(top && r1 - r0 >= 2)) {
    let s = 0;
    for (let r = r0; r < r1; r++) s += t[r];
    return s;
  }
  const mid = r0 + Math.floor((r1 - r0) / 2);
  return pairwiseSum(t, r0, mid, false) + pairwiseSum(t, mid, r1, false);
}
