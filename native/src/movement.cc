// The movement statistics of src/model/movement.ts (movementStats), scalar float64, the same
// bits: each ‖w_r − w_r(0)‖² summed over j in order, their total in neuron order, the maximum as
// the TypeScript finds it, and the median as the same order statistic (any selection returns the
// same element); built with -ffp-contract=off, without -ffast-math. The kernel monitor runs it at
// every observation, where the TypeScript's first calls ran in V8's interpreter.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "movement.h"

int ov_movement_stats(int64_t m, int d, const double* W, const double* W0, double* out) {
  std::vector<double> sq((size_t)m);
  double total = 0, top = 0;
  for (int64_t r = 0; r < m; r++) {
    const double* w = W + r * d;
    const double* w0 = W0 + r * d;
    double s = 0;
    for (int j = 0; j < d; j++) {
      const double t = w[j] - w0[j];
      s += t * t;
    }
    sq[(size_t)r] = s;
    total += s;
    if (s > top) top = s;
    else if (s != s) return 1;  // NaN: the TypeScript's sorted route decides
  }
  const int64_t mid = m >> 1;
  std::nth_element(sq.begin(), sq.begin() + mid, sq.end());
  const double upper = sq[(size_t)mid];
  double lower = 0;  // for even m: the largest of the mid smallest
  if (m % 2 == 0)
    for (int64_t r = 0; r < mid; r++)
      if (sq[(size_t)r] > lower) lower = sq[(size_t)r];
  out[0] = std::sqrt(top);
  out[1] = m % 2 == 1 ? std::sqrt(upper) : (std::sqrt(lower) + std::sqrt(upper)) / 2;
  out[2] = std::sqrt(total);
  return 0;
}
