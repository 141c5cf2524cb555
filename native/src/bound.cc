// Observed B = max_{r,i} |⟨w_r(0), x_i⟩| (docs/theory.md §4), the value of src/theory/bounds.ts's
// observedB bit for bit: each ⟨w_r, x_i⟩ is summed over j in order from 0 (built with
// -ffp-contract=off, without -ffast-math), so the maximum is the same element. The neurons are
// pruned as src/theory/monitor.ts's observedBPruned (its TypeScript specification) does:
// |⟨w_r, x_i⟩| ≤ ‖w_r‖ max_i ‖x_i‖ (Cauchy–Schwarz), so once the 32 neurons of largest norm have
// set b, only those with ‖w_r‖ max‖x‖ ≥ b (widened by 1e-9 relative) can hold the maximum. The
// kernel monitor computes B once per run, where the TypeScript's first calls ran in V8's interpreter.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "bound.h"

namespace {

// max over the rows `rows` of W and all samples of |⟨w_r, x_i⟩|, folded into b as Math.max does
// (a NaN sticks: NaN > b and b > NaN are both false)
double max_abs_dot(int64_t n, int d, const double* X, const double* W, const std::vector<int64_t>& rows, double b) {
  for (int64_t r : rows) {
    const double* w = W + r * d;
    for (int64_t i = 0; i < n; i++) {
      const double* x = X + i * d;
      double z = 0;
      for (int t = 0; t < d; t++) z += w[t] * x[t];
      const double a = std::fabs(z);
      if (a > b || a != a) b = a;
    }
  }
  return b;
}

double squared_norm(const double* v, int d) {
  double s = 0;
  for (int t = 0; t < d; t++) s += v[t] * v[t];
  return s;
}

}  // namespace

double ov_observed_b(int64_t n, int d, const double* X, int64_t m, const double* W) {
  std::vector<double> norms((size_t)m);
  bool finite = true;
  for (int64_t r = 0; r < m; r++) {
    const double s = squared_norm(W + r * d, d);
    norms[(size_t)r] = std::sqrt(s);
    if (!std::isfinite(s)) finite = false;
  }
  for (int64_t k = 0; k < n * d; k++)
    if (!std::isfinite(X[k])) finite = false;
  double x2 = 0;
  for (int64_t i = 0; i < n; i++) {
    const double s = squared_norm(X + i * d, d);
    if (s > x2) x2 = s;
  }
  std::vector<int64_t> rows;
  if (!finite || !std::isfinite(x2)) {
    // non-finite inputs: every neuron, as observedB
    rows.resize((size_t)m);
    for (int64_t r = 0; r < m; r++) rows[(size_t)r] = r;
    return max_abs_dot(n, d, X, W, rows, 0);
  }
  const double xMax = std::sqrt(x2) * (1 + 1e-9);
  // the (m − 32)-th smallest norm (0-based; the smallest when m ≤ 32): the sorted array's entry
  std::vector<double> sorted(norms);
  const int64_t at = std::max<int64_t>(0, m - 32);
  std::nth_element(sorted.begin(), sorted.begin() + at, sorted.end());
  const double threshold = sorted[(size_t)at];
  for (int64_t r = 0; r < m; r++)
    if (norms[(size_t)r] >= threshold) rows.push_back(r);
  const double b = max_abs_dot(n, d, X, W, rows, 0);
  rows.clear();
  for (int64_t r = 0; r < m; r++)
    if (norms[(size_t)r] < threshold && norms[(size_t)r] * (1 + 1e-9) * xMax >= b) rows.push_back(r);
  return max_abs_dot(n, d, X, W, rows, b);
}
