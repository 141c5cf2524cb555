// AVX2 + FMA kernels (compiled with -mavx2 -mfma). No 16-entry register table here, so exp
// reduces to |r| ≤ ln2/2 and uses a longer polynomial; 2^k is built in two halves so that
// subnormal results round once and overflow gives +Inf (README.md, "vector exp").
#include <immintrin.h>
#include <stdint.h>

#include "api.h"

#define OV_INLINE inline __attribute__((always_inline))

namespace ov_avx2 {

OV_INLINE static __m256d exp_pd(__m256d x) {
  const __m256d shifter = _mm256_set1_pd(0x1.8p52);
  x = _mm256_max_pd(_mm256_set1_pd(-746.0), x);  // NaN in x passes through (second operand)
  x = _mm256_min_pd(_mm256_set1_pd(710.0), x);
  __m256d kd = _mm256_fmadd_pd(x, _mm256_set1_pd(0x1.71547652b82fep+0), shifter);
  __m256d k = _mm256_sub_pd(kd, shifter);
  __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(0x1.62e42fefa39efp-1), x);
  r = _mm256_fnmadd_pd(k, _mm256_set1_pd(0x1.abc9e3b39803fp-56), r);
  // e^r − 1 = r + r²·P(r), Taylor to degree 13 (truncation < 5e-18 at |r| = ln2/2)
  static const double c[12] = {1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
                               1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};
  __m256d p = _mm256_set1_pd(c[11]);
  for (int i = 10; i >= 0; i--) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c[i]));
  __m256d y = _mm256_add_pd(_mm256_set1_pd(1.0), _mm256_fmadd_pd(_mm256_mul_pd(r, r), p, r));
  __m256d k1 = _mm256_floor_pd(_mm256_mul_pd(k, _mm256_set1_pd(0.5)));
  __m256d k2 = _mm256_sub_pd(k, k1);
  // 2^k1 and 2^k2 as bit patterns: ((k + 1023 + shifter) − shifter) << 52
  const __m256i sb = _mm256_castpd_si256(shifter);
  const __m256d bias = _mm256_set1_pd(0x1.8p52 + 1023);
  __m256d s1 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(k1, bias)), sb), 52));
  __m256d s2 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(k2, bias)), sb), 52));
  return _mm256_mul_pd(_mm256_mul_pd(y, s1), s2);
}

OV_INLINE static __m256 exp_ps(__m256 x) {
  const __m256 shifter = _mm256_set1_ps(0x1.8p23f);
  x = _mm256_max_ps(_mm256_set1_ps(-104.0f), x);
  x = _mm256_min_ps(_mm256_set1_ps(89.0f), x);
  __m256 kd = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shifter);
  __m256 k = _mm256_sub_ps(kd, shifter);
  __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0x1.62e430p-1f), x);
  r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-0x1.05c610p-29f), r);
  __m256 p = _mm256_set1_ps(1.0f / 5040);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  __m256 y = _mm256_add_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_mul_ps(r, r), p, r));
  __m256i ki = _mm256_sub_epi32(_mm256_castps_si256(kd), _mm256_castps_si256(shifter));
  __m256i k1 = _mm256_srai_epi32(ki, 1);
  __m256i k2 = _mm256_sub_epi32(ki, k1);
  __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, _mm256_set1_epi32(127)), 23));
  __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, _mm256_set1_epi32(127)), 23));
  return _mm256_mul_ps(_mm256_mul_ps(y, s1), s2);
}

struct VD {
  typedef double T;
  typedef __m256d R;
  static const int L = 4, NV = 2, MR = 4, MRJ = 2, JB = 4, GMR = 2, GNR = 4;
  // s[i] = ((0 + g[i][0]) + g[i][1]) + … + g[i][3] for the MR = 4 rows of g (4×4, row-major): the
  // lanes of each row added in order, the rows side by side after a 4×4 transpose
  static const bool ROWSUMS = true;
  OV_INLINE static void rowsums(const double* g, double* s) {
    __m256d r0 = _mm256_loadu_pd(g), r1 = _mm256_loadu_pd(g + 4), r2 = _mm256_loadu_pd(g + 8), r3 = _mm256_loadu_pd(g + 12);
    __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
    __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
    __m256d acc = _mm256_add_pd(_mm256_setzero_pd(), _mm256_permute2f128_pd(t0, t2, 0x20));  // column 0
    acc = _mm256_add_pd(acc, _mm256_permute2f128_pd(t1, t3, 0x20));                         // column 1
    acc = _mm256_add_pd(acc, _mm256_permute2f128_pd(t0, t2, 0x31));                         // column 2
    acc = _mm256_add_pd(acc, _mm256_permute2f128_pd(t1, t3, 0x31));                         // column 3
    _mm256_storeu_pd(s, acc);
  }
  OV_INLINE static R zero() { return _mm256_setzero_pd(); }
  OV_INLINE static R set1(T a) { return _mm256_set1_pd(a); }
  OV_INLINE static R load(const T* p) { return _mm256_loadu_pd(p); }
  OV_INLINE static R loadu(const T* p) { return _mm256_loadu_pd(p); }
  OV_INLINE static void store(T* p, R a) { _mm256_storeu_pd(p, a); }
  OV_INLINE static void storeu(T* p, R a) { _mm256_storeu_pd(p, a); }
  OV_INLINE static R fmadd(R a, R b, R c) { return _mm256_fmadd_pd(a, b, c); }
  OV_INLINE static R mul(R a, R b) { return _mm256_mul_pd(a, b); }
  OV_INLINE static R add(R a, R b) { return _mm256_add_pd(a, b); }
  OV_INLINE static R sub(R a, R b) { return _mm256_sub_pd(a, b); }
  OV_INLINE static R exp(R a) { return exp_pd(a); }
  OV_INLINE static R exp_nc(R a) { return exp_pd(a); }
  static constexpr double EXP_SAFE = 0;
  OV_INLINE static R div(R a, R b) { return _mm256_div_pd(a, b); }
  OV_INLINE static R abs(R a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
  OV_INLINE static R max(R a, R b) { return _mm256_max_pd(a, b); }
  typedef __m256d Mask;
  OV_INLINE static Mask lt(R a, R b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }  // false on NaN
  OV_INLINE static R select(Mask k, R a, R b) { return _mm256_blendv_pd(b, a, k); }  // k ? a : b
  OV_INLINE static R relu(R z) { return _mm256_max_pd(z, _mm256_setzero_pd()); }
  OV_INLINE static R step(R z) {
    return _mm256_and_pd(_mm256_cmp_pd(z, _mm256_setzero_pd(), _CMP_GE_OQ), _mm256_set1_pd(1.0));
  }
  OV_INLINE static unsigned ge0(R z) { return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(z, _mm256_setzero_pd(), _CMP_GE_OQ)); }
  OV_INLINE static T hsum(R a) {
    alignas(32) T b[4];
    _mm256_store_pd(b, a);
    return (b[0] + b[1]) + (b[2] + b[3]);
  }
};

struct VF {
  typedef float T;
  typedef __m256 R;
  static const int L = 8, NV = 2, MR = 4, MRJ = 2, JB = 4, GMR = 2, GNR = 4;
  static const bool ROWSUMS = false;  // flush_chunk's plain loop
  OV_INLINE static R zero() { return _mm256_setzero_ps(); }
  OV_INLINE static R set1(T a) { return _mm256_set1_ps(a); }
  OV_INLINE static R load(const T* p) { return _mm256_loadu_ps(p); }
  OV_INLINE static R loadu(const T* p) { return _mm256_loadu_ps(p); }
  OV_INLINE static void store(T* p, R a) { _mm256_storeu_ps(p, a); }
  OV_INLINE static void storeu(T* p, R a) { _mm256_storeu_ps(p, a); }
  OV_INLINE static R fmadd(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  OV_INLINE static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  OV_INLINE static R add(R a, R b) { return _mm256_add_ps(a, b); }
  OV_INLINE static R sub(R a, R b) { return _mm256_sub_ps(a, b); }
  OV_INLINE static R exp(R a) { return exp_ps(a); }
  OV_INLINE static R exp_nc(R a) { return exp_ps(a); }
  static constexpr double EXP_SAFE = 0;
  OV_INLINE static R div(R a, R b) { return _mm256_div_ps(a, b); }
  OV_INLINE static R abs(R a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  OV_INLINE static R max(R a, R b) { return _mm256_max_ps(a, b); }
  typedef __m256 Mask;
  OV_INLINE static Mask lt(R a, R b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  OV_INLINE static R select(Mask k, R a, R b) { return _mm256_blendv_ps(b, a, k); }
  OV_INLINE static R relu(R z) { return _mm256_max_ps(z, _mm256_setzero_ps()); }
  OV_INLINE static R step(R z) {
    return _mm256_and_ps(_mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GE_OQ), _mm256_set1_ps(1.0f));
  }
  OV_INLINE static unsigned ge0(R z) { return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GE_OQ)); }
  OV_INLINE static T hsum(R a) {
    alignas(32) T b[8];
    _mm256_store_ps(b, a);
    T s = 0;
    for (int l = 0; l < 8; l++) s += b[l];
    return s;
  }
};

#include "kernels.inl"

// narrow panels (NV = 1) for small widths: narrow.inl
static const OvKernels kD = make_table<VD, OvNarrow<VD>, VD>("avx2");
static const OvKernels kF = make_table<VF, OvNarrow<VF>, VD>("avx2");

}  // namespace ov_avx2

extern "C" const OvKernels* ov_kernels_avx2(int f32) { return f32 ? &ov_avx2::kF : &ov_avx2::kD; }
