// The C-level interface between the Node-API glue (addon.cc) and the per-ISA kernel units.
// Kept free of the standard library so that each ISA unit (compiled with its own -m flags)
// cannot leak instantiations of shared inline code into the others (see README: dispatch).
#pragma once
#include <cstdint>

extern "C" {

// Native kernel ids of the network forms: the field `native` of src/model/activations/*.ts.
// F(W, x) = κ Σ_r a_r σ(⟨w_r, x⟩) for the pointwise forms (docs/theory.md §1, §5);
// F(W, x) = κ m Σ_r a_r s_r(x), s = softmax over the neurons of z_r = ⟨w_r, x⟩, for OV_ACT_SOFTMAX.
// Ids are never reused; addon.cc refuses any other value (RangeError) and info() lists the ids
// this build has. The kernels keep internal variants at ids ≥ OV_ACT_COUNT (common.inl).
enum OvActivation {
  OV_ACT_EXP = 0,      // σ = σ' = e^z
  OV_ACT_RELU = 1,     // σ = max(0, z), σ' = 1{z ≥ 0} (Du et al.)
  OV_ACT_COSH = 2,     // σ = cosh, σ' = sinh
  OV_ACT_SINH = 3,     // σ = sinh, σ' = cosh
  OV_ACT_SOFTMAX = 4,  // the softmax-normalised network, φ_ir = m s_ir (a_r − c_i)
  OV_ACT_COUNT = 5     // one past the last public id
};

// Elementwise functions of the test entry point vfun (the kernels' own vector exp, cosh, sinh).
enum OvVfun { OV_VF_EXP = 0, OV_VF_COSH = 1, OV_VF_SINH = 2, OV_VF_COUNT = 3 };

// Everything that stays fixed while W is trained (docs/theory.md §1). X points to n×d values of the
// kernel's element type (double for f64, float for f32); a, kappa are float64.
struct OvProblem {
  int n, d, m;
  const void* X;
  const double* a;
  double kappa;
  int act;  // an OvActivation, 0 ≤ act < OV_ACT_COUNT; the kernels write NaN for any other
};

// One table per (ISA, precision). All matrices are row-major; W and V are m×d (neuron-major).
struct OvKernels {
  const char* isa;   // "avx512", "avx2", "scalar"
  int lanes;         // SIMD lanes of the element type
  void (*forward)(const OvProblem*, const double* W, double* u, int threads);
  void (*gradient)(const OvProblem*, const double* W, const double* r, double* G, int threads);
  void (*step)(const OvProblem*, double* W, const double* r, double eta, double* u, int threads);
  // The same step, many times on one problem. run_begin sets up the scratch once and takes a copy
  // of W (and of W(0) when W0 is not null, for the movement; flips ≠ 0 with ReLU and W0: also its
  // sign patterns); null when out of memory or for an unknown act. run_step takes one step from
  // the run's current weights, with step()'s bits: u = F(W_new, X), *move2 = max_r ‖w_r − w_r(0)‖²
  // of W_new (0 without W0), *finite = whether W_new is finite, *flips = flips(W0, W_new) when
  // counted (else 0). run_accept makes W_new the current weights (else the next run_step starts
  // again from the old ones); run_store copies the current weights into W (m×d); run_end frees
  // the run. The problem must outlive the run.
  void* (*run_begin)(const OvProblem*, const double* W, const double* W0, int flips, int threads);
  void (*run_step)(void* run, const double* r, double eta, double* u, double* move2, int* finite, int64_t* flips);
  void (*run_accept)(void* run);
  // A run on two threads as a team, each thread running the same loop of steps: run_team says
  // whether the run can (begun on 2 threads, a pointwise form, small enough that each thread forms
  // its own diag(r)X). Then for step k = 0, 1, … thread `part` (0, 1) calls run_half for its half
  // of the neurons, from the weights in buffer `cur` (0 at the start, flipped by each accepted
  // step) with its own copy of r, waits for the other thread's run_half of step k, and calls
  // run_join for u and the reports, which are run_step's, bit for bit, on both threads.
  // run_set_cur records the final `cur` before run_store.
  int (*run_team)(void* run);
  void (*run_half)(void* run, int part, int cur, const double* r, double eta, int64_t step);
  void (*run_join)(void* run, int part, int64_t step, double* u, double* move2, int* finite, int64_t* flips);
  void (*run_set_cur)(void* run, int cur);
  void (*run_store)(void* run, double* W);
  void (*run_end)(void* run);
  void (*jvp)(const OvProblem*, const double* W, const double* V, double* out, int threads);
  void (*gram)(const OvProblem*, const double* W, double* H, int threads);
  int64_t (*flips)(const OvProblem*, const double* W0, const double* W, int threads);
  // y = f(x) elementwise, f = exp, cosh or sinh (OvVfun) as the kernels compute it, in the
  // kernel's precision (accuracy tests); an unknown fn writes NaN.
  void (*vfun)(int fn, const double* x, double* y, int64_t len);
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

// 64-byte aligned scratch memory (pool.cc), zero-filled; ov_alloc_raw leaves it as it comes, for
// buffers the caller fills completely. Both are released by ov_free.
void* ov_alloc(int64_t bytes);
void* ov_alloc_raw(int64_t bytes);
void ov_free(void* p);
}
