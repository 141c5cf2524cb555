// The C-level interface between the Node-API glue (addon.cc) and the per-ISA kernel units.
// Kept free of the standard library so that each ISA unit (compiled with its own -m flags)
// cannot leak instantiations of shared inline code into the others (see README: dispatch).
#pragma once
#include <cstdint>

extern "C" {

// Everything that stays fixed while W is trained (docs/theory.md §1). X points to n×d values of the
// kernel's element type (double for f64, float for f32); a, kappa are float64.
struct OvProblem {
  int n, d, m;
  const void* X;
  const double* a;
  double kappa;
  int act;  // 0 = exp, 1 = relu
};

// One table per (ISA, precision). All matrices are row-major; W and V are m×d (neuron-major).
struct OvKernels {
  const char* isa;   // "avx512", "avx2", "scalar"
  int lanes;         // SIMD lanes of the element type
  void (*forward)(const OvProblem*, const double* W, double* u, int threads);
  void (*gradient)(const OvProblem*, const double* W, const double* r, double* G, int threads);
  void (*step)(const OvProblem*, double* W, const double* r, double eta, double* u, int threads);
  void (*jvp)(const OvProblem*, const double* W, const double* V, double* out, int threads);
  void (*gram)(const OvProblem*, const double* W, double* H, int threads);
  int64_t (*flips)(const OvProblem*, const double* W0, const double* W, int threads);
  // y = exp(x) elementwise with the kernel's vector exp, in the kernel's precision (tests).
  void (*vexp)(const double* x, double* y, int64_t len);
  // Dense helpers (float64 always): y = A x for symmetric n×n A (full storage);
  // C = A B with A m×k, B k×n.
  void (*symv)(int n, const double* A, const double* x, double* y, int threads);
  void (*gemm)(int m, int n, int k, const double* A, const double* B, double* C, int threads);
  // In-place Cholesky A = L Lᵀ of a symmetric positive definite n×n A (lower triangle used and
  // overwritten with L; the strict upper triangle is zeroed). Returns 0, or k+1 if the leading
  // k+1 minor is not positive definite. Then solve (L Lᵀ) x = b in place of b.
  int (*potrf)(int n, double* A, int threads);
  void (*potrs)(int n, const double* L, double* b);
  // Throughput probes for the benchmark's roofline: `iters` rounds of independent FMAs
  // (counts 12·lanes FMAs a round) or vector exps (counts 256 exps a round) on each of
  // `threads` workers; the caller times them.
  void (*probe_fma)(int threads, int64_t iters);
  void (*probe_exp)(int threads, int64_t iters);
};

const OvKernels* ov_kernels_avx512(int f32);
const OvKernels* ov_kernels_avx2(int f32);
const OvKernels* ov_kernels_scalar(int f32);

// Thread pool (pool.cc): runs fn(ctx, task, worker) for task = 0..ntasks-1 on up to `threads`
// workers (the caller is worker 0) and returns when all are done. Tasks are claimed in order
// from an atomic counter; callers make results independent of which worker ran a task.
typedef void (*OvTaskFn)(void* ctx, int task, int worker);
void ov_parallel(int ntasks, int threads, OvTaskFn fn, void* ctx);
int ov_hardware_threads(void);

// 64-byte aligned scratch memory (pool.cc), zero-filled.
void* ov_alloc(int64_t bytes);
void ov_free(void* p);
}
