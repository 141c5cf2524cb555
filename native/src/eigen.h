// Dense symmetric eigen-routines (eigen.cc): the TypeScript ones of src/linalg, bit for bit.
#pragma once

// T = QᵀAQ: a holds A (n×n, row-major, lower triangle read) on entry and the reflectors on
// return; d, e (e[i] = T[i][i−1], e[0] = 0) and h (length n) are written.
void ov_tridiagonalize(int n, double* a, double* d, double* e, double* h);
// Maps `count` eigenvectors of T (rows of Z) to eigenvectors of A, in place.
void ov_apply_q(int n, const double* a, const double* h, double* Z, int count);
// Implicit QL: d ← eigenvalues (unsorted), e destroyed, Zt (or null) rotated along. 0, or −1 if
// it did not converge.
int ov_tridiagonal_ql(int n, double* d, double* e, double* Zt);
// The ks[c]-th smallest eigenvalues of T (0 ≤ ks[c] < n) by bisection on Sturm counts into
// out[c], two recurrences interleaved (each one's bits those of one bisection alone).
void ov_bisect_eigenvalues(int n, const double* d, const double* e, const int* ks, int count, double* out);
// out[0], out[1] = λ_min, λ_max of A and out[2], out[3] = those of B − C (n×n, row-major, symmetric):
// two reductions, side by side on up to `threads` workers, each one's bits those of the routines
// above alone. 0, or 1 where an entry of A or B − C is not finite (out untouched).
int ov_extremes_pair(int n, const double* A, const double* B, const double* C, int threads, double* out);

// G = X Xᵀ (X: n×d, row-major), each entry summed over the coordinates in order from 0, as
// src/activations/kernel.ts's inputGram: the lower triangle, mirrored.
void ov_input_gram(int n, int d, const double* X, double* G);
