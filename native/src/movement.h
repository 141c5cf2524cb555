// src/model/movement.ts's movementStats, bit for bit (movement.cc).
#pragma once
#include <cstdint>

// out = [max, median, frobenius] of ‖w_r − w_r(0)‖₂ over the m neurons (W, W0: m×d); 0, or 1 if
// a movement is NaN (out untouched).
int ov_movement_stats(int64_t m, int d, const double* W, const double* W0, double* out);
