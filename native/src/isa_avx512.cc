// AVX-512 kernels (compiled with -mavx512f -mavx512dq -mavx512vl -mavx512bw -mfma; called only
// after the loader has checked __builtin_cpu_supports). Exp: README.md, "vector exp".
#include <immintrin.h>
#include <stdint.h>

#include "api.h"

#define OV_INLINE inline __attribute__((always_inline))

namespace ov_avx512 {

// e^x for 8 doubles: x = (16q + j)·ln2/16 + r with |r| ≤ ln2/32; e^x = 2^q · 2^{j/16} · e^r.
// k = 16q + j comes from the shifter trick (kd = x·16/ln2 + 1.5·2^52 rounds to an integer whose
// low 4 bits are j); 2^{j/16} from a 16-entry table held in two registers (vpermt2pd); e^r − 1 by
// a degree-7 Taylor polynomial (truncation < 1e-18 at |r| = ln2/32); 2^q by vscalefpd, which
// gives +Inf on overflow and 0 (through correctly rounded subnormals) on underflow.
// The reduction is exact-enough for |x| < 2^51·ln2/16; CLAMP first limits |x| to 1000 (NaN passes
// through). Kernels call the unclamped form only when Cauchy–Schwarz bounds every argument by
// EXP_SAFE (README.md, "vector exp"): it saves 2 of 16 instructions.
template <bool CLAMP>
OV_INLINE static __m512d exp_pd(__m512d x) {
  const __m512d T0 = _mm512_setr_pd(0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0,
                                    0x1.2387a6e756238p+0, 0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0,
                                    0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0);
  const __m512d T1 = _mm512_setr_pd(0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0,
                                    0x1.9c49182a3f090p+0, 0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0,
                                    0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0);
  const __m512d shifter = _mm512_set1_pd(0x1.8p52);
  if (CLAMP) {
    x = _mm512_max_pd(_mm512_set1_pd(-1000.0), x);  // vmaxpd/vminpd return the second operand
    x = _mm512_min_pd(_mm512_set1_pd(1000.0), x);   // on NaN: NaN passes through
  }
  __m512d kd = _mm512_fmadd_pd(x, _mm512_set1_pd(0x1.71547652b82fep+4), shifter);  // 16/ln2
  // kq = k/16 exactly (kd − shifter = k is an integer, /16 is exact)
  __m512d kq = _mm512_fmadd_pd(kd, _mm512_set1_pd(1.0 / 16), _mm512_set1_pd(-0x1.8p52 / 16));
  __m512d r = _mm512_fnmadd_pd(kq, _mm512_set1_pd(0x1.62e42fefa39efp-1), x);  // x − kq·ln2 (hi)
  r = _mm512_fnmadd_pd(kq, _mm512_set1_pd(0x1.abc9e3b39803fp-56), r);          // (lo)
  __m512d t = _mm512_permutex2var_pd(T0, _mm512_castpd_si512(kd), T1);       // low 4 bits of k
  __m512d p = _mm512_set1_pd(1.0 / 5040);
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 720));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 120));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 24));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 6));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0.5));
  __m512d q = _mm512_fmadd_pd(_mm512_mul_pd(r, r), p, r);  // e^r − 1
  __m512d y = _mm512_fmadd_pd(t, q, t);
  return _mm512_scalef_pd(y, kq);  // ·2^floor(k/16)
}

// Same scheme for 16 floats; e^r − 1 to degree 3 suffices (truncation 9e-9 < ½ ulp).
template <bool CLAMP>
OV_INLINE static __m512 exp_ps(__m512 x) {
  const __m512 T = _mm512_setr_ps(0x1.000000p+0f, 0x1.0b5586p+0f, 0x1.172b84p+0f, 0x1.2387a6p+0f,
                                  0x1.306fe0p+0f, 0x1.3dea64p+0f, 0x1.4bfdaep+0f, 0x1.5ab07ep+0f,
                                  0x1.6a09e6p+0f, 0x1.7a1148p+0f, 0x1.8ace54p+0f, 0x1.9c4918p+0f,
                                  0x1.ae89fap+0f, 0x1.c199bep+0f, 0x1.d5818ep+0f, 0x1.ea4afap+0f);
  const __m512 shifter = _mm512_set1_ps(0x1.8p23f);
  if (CLAMP) {
    x = _mm512_max_ps(_mm512_set1_ps(-200.0f), x);
    x = _mm512_min_ps(_mm512_set1_ps(200.0f), x);
  }
  __m512 kd = _mm512_fmadd_ps(x, _mm512_set1_ps(0x1.715476p+4f), shifter);
  __m512 kq = _mm512_fmadd_ps(kd, _mm512_set1_ps(1.0f / 16), _mm512_set1_ps(-0x1.8p23f / 16));
  __m512 r = _mm512_fnmadd_ps(kq, _mm512_set1_ps(0x1.62e430p-1f), x);
  r = _mm512_fnmadd_ps(kq, _mm512_set1_ps(-0x1.05c610p-29f), r);
  __m512 t = _mm512_permutexvar_ps(_mm512_castps_si512(kd), T);
  __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(1.0f / 6), r, _mm512_set1_ps(0.5f));
  __m512 q = _mm512_fmadd_ps(_mm512_mul_ps(r, r), p, r);
  __m512 y = _mm512_fmadd_ps(t, q, t);
  return _mm512_scalef_ps(y, kq);
}

struct VD {
  typedef double T;
  typedef __m512d R;
  static const int L = 8, NV = 2, MR = 8, MRJ = 4, JB = 8, GMR = 3, GNR = 8;
  // s[i] = ((0 + g[i][0]) + g[i][1]) + … + g[i][7] for the MR = 8 rows of g (8×8, row-major): the
  // lanes of each row added in order, the rows side by side after an 8×8 transpose
  static const bool ROWSUMS = true;
  OV_INLINE static void rowsums(const double* g, double* s) {
    __m512d r[8], a[8], b[8];
    for (int k = 0; k < 8; k++) r[k] = _mm512_loadu_pd(g + 8 * k);
    for (int k = 0; k < 8; k += 2) {
      a[k] = _mm512_unpacklo_pd(r[k], r[k + 1]);      // columns 0, 2, 4, 6 of rows k, k+1
      a[k + 1] = _mm512_unpackhi_pd(r[k], r[k + 1]);  // columns 1, 3, 5, 7
    }
    for (int e = 0; e < 2; e++)     // even, odd columns
      for (int h = 0; h < 2; h++) {  // rows 0–3, 4–7
        b[4 * e + 2 * h] = _mm512_shuffle_f64x2(a[4 * h + e], a[4 * h + 2 + e], 0x88);      // columns 0(1), 4(5)
        b[4 * e + 2 * h + 1] = _mm512_shuffle_f64x2(a[4 * h + e], a[4 * h + 2 + e], 0xDD);  // columns 2(3), 6(7)
      }
    __m512d c[8];
    for (int e = 0; e < 2; e++)
      for (int q = 0; q < 2; q++) {
        c[e + 2 * q] = _mm512_shuffle_f64x2(b[4 * e + q], b[4 * e + 2 + q], 0x88);      // column e + 2q
        c[e + 2 * q + 4] = _mm512_shuffle_f64x2(b[4 * e + q], b[4 * e + 2 + q], 0xDD);  // column e + 2q + 4
      }
    __m512d acc = _mm512_setzero_pd();
    for (int l = 0; l < 8; l++) acc = _mm512_add_pd(acc, c[l]);
    _mm512_storeu_pd(s, acc);
  }
  OV_INLINE static R zero() { return _mm512_setzero_pd(); }
  OV_INLINE static R set1(T a) { return _mm512_set1_pd(a); }
  OV_INLINE static R load(const T* p) { return _mm512_loadu_pd(p); }
  OV_INLINE static R loadu(const T* p) { return _mm512_loadu_pd(p); }
  OV_INLINE static void store(T* p, R a) { _mm512_storeu_pd(p, a); }
  OV_INLINE static void storeu(T* p, R a) { _mm512_storeu_pd(p, a); }
  OV_INLINE static R fmadd(R a, R b, R c) { return _mm512_fmadd_pd(a, b, c); }
  OV_INLINE static R mul(R a, R b) { return _mm512_mul_pd(a, b); }
  OV_INLINE static R add(R a, R b) { return _mm512_add_pd(a, b); }
  OV_INLINE static R sub(R a, R b) { return _mm512_sub_pd(a, b); }
  OV_INLINE static R exp(R a) { return exp_pd<true>(a); }
  OV_INLINE static R exp_nc(R a) { return exp_pd<false>(a); }
  static constexpr double EXP_SAFE = 1e12;
  OV_INLINE static R div(R a, R b) { return _mm512_div_pd(a, b); }
  OV_INLINE static R abs(R a) { return _mm512_abs_pd(a); }
  OV_INLINE static R max(R a, R b) { return _mm512_max_pd(a, b); }
  typedef __mmask8 Mask;
  OV_INLINE static Mask lt(R a, R b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }  // false on NaN
  OV_INLINE static R select(Mask k, R a, R b) { return _mm512_mask_blend_pd(k, b, a); }  // k ? a : b
  OV_INLINE static R relu(R z) { return _mm512_max_pd(z, _mm512_setzero_pd()); }  // NaN → 0 like z > 0 ? z : 0
  OV_INLINE static R step(R z) {
    return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_GE_OQ), _mm512_set1_pd(1.0));
  }
  OV_INLINE static unsigned ge0(R z) { return (unsigned)_mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_GE_OQ); }
  OV_INLINE static T hsum(R a) {
    alignas(64) T b[8];
    _mm512_store_pd(b, a);
    return ((b[0] + b[1]) + (b[2] + b[3])) + ((b[4] + b[5]) + (b[6] + b[7]));
  }
};

struct VF {
  typedef float T;
  typedef __m512 R;
  static const int L = 16, NV = 2, MR = 8, MRJ = 4, JB = 8, GMR = 3, GNR = 8;
  static const bool ROWSUMS = false;  // flush_chunk's plain loop
  OV_INLINE static R zero() { return _mm512_setzero_ps(); }
  OV_INLINE static R set1(T a) { return _mm512_set1_ps(a); }
  OV_INLINE static R load(const T* p) { return _mm512_loadu_ps(p); }
  OV_INLINE static R loadu(const T* p) { return _mm512_loadu_ps(p); }
  OV_INLINE static void store(T* p, R a) { _mm512_storeu_ps(p, a); }
  OV_INLINE static void storeu(T* p, R a) { _mm512_storeu_ps(p, a); }
  OV_INLINE static R fmadd(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  OV_INLINE static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  OV_INLINE static R add(R a, R b) { return _mm512_add_ps(a, b); }
  OV_INLINE static R sub(R a, R b) { return _mm512_sub_ps(a, b); }
  OV_INLINE static R exp(R a) { return exp_ps<true>(a); }
  OV_INLINE static R exp_nc(R a) { return exp_ps<false>(a); }
  static constexpr double EXP_SAFE = 1e4;
  OV_INLINE static R div(R a, R b) { return _mm512_div_ps(a, b); }
  OV_INLINE static R abs(R a) { return _mm512_abs_ps(a); }
  OV_INLINE static R max(R a, R b) { return _mm512_max_ps(a, b); }
  typedef __mmask16 Mask;
  OV_INLINE static Mask lt(R a, R b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  OV_INLINE static R select(Mask k, R a, R b) { return _mm512_mask_blend_ps(k, b, a); }
  OV_INLINE static R relu(R z) { return _mm512_max_ps(z, _mm512_setzero_ps()); }
  OV_INLINE static R step(R z) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_GE_OQ), _mm512_set1_ps(1.0f));
  }
  OV_INLINE static unsigned ge0(R z) { return (unsigned)_mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_GE_OQ); }
  OV_INLINE static T hsum(R a) {
    alignas(64) T b[16];
    _mm512_store_ps(b, a);
    T s = 0;
    for (int l = 0; l < 16; l++) s += b[l];
    return s;
  }
};

#include "kernels.inl"

// narrow panels (NV = 1) for small widths: narrow.inl
static const OvKernels kD = make_table<VD, OvNarrow<VD>, VD>("avx512");
static const OvKernels kF = make_table<VF, OvNarrow<VF>, VD>("avx512");

}  // namespace ov_avx512

extern "C" const OvKernels* ov_kernels_avx512(int f32) { return f32 ? &ov_avx512::kF : &ov_avx512::kD; }
