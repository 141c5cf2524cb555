// Portable scalar kernels: the same blocked algorithm with one lane, exp from the C library (cosh
// and sinh are built from it exactly as on the vector ISAs, common.inl).
#include <math.h>
#include <stdint.h>

#include "api.h"

#define OV_INLINE inline __attribute__((always_inline))

namespace ov_scalar {

template <class TT, int NV_>
struct VS {
  typedef TT T;
  typedef TT R;
  static const int L = 1, NV = NV_, MR = 2, MRJ = 2, JB = 4, GMR = 4, GNR = 1;
  static const bool ROWSUMS = false;  // flush_chunk's plain loop
  OV_INLINE static R zero() { return 0; }
  OV_INLINE static R set1(T a) { return a; }
  OV_INLINE static R load(const T* p) { return *p; }
  OV_INLINE static R loadu(const T* p) { return *p; }
  OV_INLINE static void store(T* p, R a) { *p = a; }
  OV_INLINE static void storeu(T* p, R a) { *p = a; }
  OV_INLINE static R fmadd(R a, R b, R c) { return a * b + c; }
  OV_INLINE static R mul(R a, R b) { return a * b; }
  OV_INLINE static R add(R a, R b) { return a + b; }
  OV_INLINE static R sub(R a, R b) { return a - b; }
  OV_INLINE static R exp(R a) { return sizeof(T) == 4 ? (T)expf((float)a) : (T)::exp((double)a); }
  OV_INLINE static R exp_nc(R a) { return exp(a); }
  static constexpr double EXP_SAFE = 0;
  OV_INLINE static R div(R a, R b) { return a / b; }
  OV_INLINE static R abs(R a) { return sizeof(T) == 4 ? (T)fabsf((float)a) : (T)fabs((double)a); }
  OV_INLINE static R max(R a, R b) { return a > b ? a : b; }  // like vmaxpd: b when either is NaN
  typedef bool Mask;
  OV_INLINE static Mask lt(R a, R b) { return a < b; }
  OV_INLINE static R select(Mask k, R a, R b) { return k ? a : b; }
  OV_INLINE static R relu(R z) { return z > 0 ? z : 0; }
  OV_INLINE static R step(R z) { return z >= 0 ? 1 : 0; }
  OV_INLINE static unsigned ge0(R z) { return z >= 0 ? 1u : 0u; }
  OV_INLINE static T hsum(R a) { return a; }
};

typedef VS<double, 4> VD;
typedef VS<float, 4> VF;

#include "kernels.inl"

static const OvKernels kD = make_table<VD, VD, VD>("scalar");  // one lane: no narrower panels
static const OvKernels kF = make_table<VF, VF, VD>("scalar");

}  // namespace ov_scalar

extern "C" const OvKernels* ov_kernels_scalar(int f32) { return f32 ? &ov_scalar::kF : &ov_scalar::kD; }
