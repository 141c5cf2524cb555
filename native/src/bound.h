// src/theory/bounds.ts's observedB, bit for bit, in O(md + nd) for the usual inputs (bound.cc).
#pragma once
#include <cstdint>

// B = max_{r,i} |⟨w_r, x_i⟩| over the m rows of W (m×d) and the n rows of X (n×d), each ⟨w_r, x_i⟩
// summed over the d coordinates in order; NaN if any of them is NaN (Math.max lets NaN stick).
double ov_observed_b(int64_t n, int d, const double* X, int64_t m, const double* W);
