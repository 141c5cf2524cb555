// Dense symmetric eigen-routines, scalar float64: a line-by-line port of src/linalg/tridiagonal.ts
// (Householder reduction, applyQ), ql.ts (implicit QL with Wilkinson shifts) and sturm.ts
// (bisection on Sturm counts), for the kernel monitor's 64×64 … 400×400 matrices, where the
// TypeScript versions spend most of a short run's monitoring time (half of it in their first,
// not yet compiled, calls).
//
// Same bits as the TypeScript: every expression keeps its order of operations, the unit is built
// with -ffp-contract=off (no fused a·b + c) and without -ffast-math (no reassociation, so no
// reduction is vectorised), and sqrt, abs and division are correctly rounded in both languages.
// Math.max/Math.min are js_max/js_min below (NaN sticks, +0 > −0). The numerics are documented
// in the TypeScript modules; comments here only mark the correspondence.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "eigen.h"
#include "api.h"

namespace {

const double EPS = 2.220446049250313e-16;
const double SAFE_MIN = 2.2250738585072014e-308;

// Math.max / Math.min: NaN if either is NaN; +0 is larger than −0
inline double js_max(double a, double b) {
  if (a != a || b != b) return NAN;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
inline double js_min(double a, double b) {
  if (a != a || b != b) return NAN;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

// tridiagonal.ts fusedRowPending
inline double fused_row_pending(double* a, int64_t rj, int64_t ri, int64_t ru, const double* qOld, double* p, int j, double uj) {
  const double uoj = a[ru + j];
  const double qoj = qOld[j];
  double s = 0;
  for (int k = 0; k < j; k++) {
    const double ajk = a[rj + k] - (uoj * qOld[k] + qoj * a[ru + k]);
    a[rj + k] = ajk;
    s += ajk * a[ri + k];
    p[k] += ajk * uj;
  }
  a[rj + j] -= 2 * uoj * qoj;
  return s;
}

// tridiagonal.ts fusedRow
inline double fused_row(const double* a, int64_t rj, int64_t ri, double* p, int j, double uj) {
  double s = 0;
  for (int k = 0; k < j; k++) {
    const double ajk = a[rj + k];
    s += ajk * a[ri + k];
    p[k] += ajk * uj;
  }
  return s;
}

// ql.ts hypot2
inline double hypot2(double a, double b) {
  const double x = std::fabs(a);
  const double y = std::fabs(b);
  if (x > y) {
    const double t = y / x;
    return x * std::sqrt(1 + t * t);
  }
  if (y == 0) return 0;
  const double t = x / y;
  return y * std::sqrt(1 + t * t);
}

const int CHUNK = 128;

// ql.ts rotateRows (element-wise: the chunking changes no value)
void rotate_rows(double* Zt, int n, const double* cs, const double* sn, int lo, int hi, double* carry) {
  if (hi < lo) return;
  for (int k0 = 0; k0 < n; k0 += CHUNK) {
    const int len = n - k0 < CHUNK ? n - k0 : CHUNK;
    const int64_t top = (int64_t)(hi + 1) * n + k0;
    for (int k = 0; k < len; k++) carry[k] = Zt[top + k];
    for (int i = hi; i >= lo; i--) {
      const int64_t ri = (int64_t)i * n + k0, r1 = ri + n;
      const double c = cs[i], s = sn[i];
      for (int k = 0; k < len; k++) {
        const double zi = Zt[ri + k];
        const double zf = carry[k];
        Zt[r1 + k] = s * zi + c * zf;
        carry[k] = c * zi - s * zf;
      }
    }
    const int64_t bot = (int64_t)lo * n + k0;
    for (int k = 0; k < len; k++) Zt[bot + k] = carry[k];
  }
}

// ql.ts blockEnd
inline int block_end(const double* d, const double* e, int l, int n, double floor) {
  int m = l;
  for (; m < n - 1; m++) {
    const double dd = std::fabs(d[m]) + std::fabs(d[m + 1]);
    if (std::fabs(e[m]) <= EPS * dd || std::fabs(e[m]) <= floor) break;
  }
  return m;
}

// ql.ts qlSweep
int ql_sweep(double* d, double* e, double* cs, double* sn, int l, int m, double g, double* pg) {
  double s = 1, c = 1, p = 0;
  int i = m - 1;
  for (; i >= l; i--) {
    const double f = s * e[i];
    const double b = c * e[i];
    double r = hypot2(f, g);
    e[i + 1] = r;
    if (r == 0) {
      d[i + 1] -= p;
      e[m] = 0;
      break;
    }
    s = f / r;
    c = g / r;
    g = d[i + 1] - p;
    r = (d[i] - g) * s + 2 * c * b;
    p = s * r;
    d[i + 1] = g + p;
    g = c * r - b;
    cs[i] = c;
    sn[i] = s;
  }
  pg[0] = p;
  pg[1] = g;
  return i;
}

// ql.ts qlIterate: false where an eigenvalue took more than 60 sweeps (the TypeScript throws)
bool ql_iterate(double* d, double* e, int n, double* Zt, double norm) {
  for (int i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  std::vector<double> cs(n), sn(n), carry(CHUNK);
  double pg[2];
  for (int l = 0; l < n; l++) {
    int iter = 0;
    for (;;) {
      const int m = block_end(d, e, l, n, EPS * norm);
      if (m == l) break;
      if (++iter > 60) return false;
      double g = (d[l + 1] - d[l]) / (2 * e[l]);
      const double r = hypot2(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      const int i = ql_sweep(d, e, cs.data(), sn.data(), l, m, g, pg);
      const bool underflow = i >= l;
      if (Zt) rotate_rows(Zt, n, cs.data(), sn.data(), underflow ? i + 1 : l, m - 1, carry.data());
      if (underflow) continue;
      d[l] -= pg[0];
      e[l] = pg[1];
      e[m] = 0;
    }
  }
  return true;
}

}  // namespace

// tridiagonal.ts tridiagonalize (a: n×n, a copy of A on entry; the reflectors on return)
void ov_tridiagonalize(int n, double* a, double* d, double* e, double* h) {
  std::vector<double> p(n), qa(n), qb(n);
  double* qOld = qa.data();
  double* qNew = qb.data();
  int pending = -1;
  for (int i = n - 1; i >= 1; i--) {
    const int l = i - 1;
    const int64_t ri = (int64_t)i * n;
    if (pending >= 0) {
      const int64_t ru = (int64_t)pending * n;
      const double ui = a[ru + i];
      const double qi = qOld[i];
      for (int k = 0; k <= i; k++) a[ri + k] -= ui * qOld[k] + qi * a[ru + k];
    }
    d[i] = a[ri + i];
    double scale = 0;
    for (int k = 0; k <= l; k++) scale += std::fabs(a[ri + k]);
    if (l == 0 || scale == 0) {
      e[i] = a[ri + l];
      h[i] = 0;
      continue;
    }
    double hh = 0;
    for (int k = 0; k <= l; k++) {
      const double v = a[ri + k] / scale;
      a[ri + k] = v;
      hh += v * v;
    }
    const double f = a[ri + l];
    const double g = f >= 0 ? -std::sqrt(hh) : std::sqrt(hh);
    e[i] = scale * g;
    hh -= f * g;
    a[ri + l] = f - g;
    h[i] = hh;

    std::fill(p.begin(), p.begin() + (l + 1), 0.0);
    const int64_t ru = pending >= 0 ? (int64_t)pending * n : -1;
    for (int j = 0; j <= l; j++) {
      const int64_t rj = (int64_t)j * n;
      const double uj = a[ri + j];
      const double s = ru >= 0 ? fused_row_pending(a, rj, ri, ru, qOld, p.data(), j, uj) : fused_row(a, rj, ri, p.data(), j, uj);
      p[j] += s + a[rj + j] * uj;
    }
    double up = 0;
    for (int j = 0; j <= l; j++) {
      p[j] /= hh;
      up += a[ri + j] * p[j];
    }
    const double K = up / (hh + hh);
    for (int j = 0; j <= l; j++) qNew[j] = p[j] - K * a[ri + j];
    double* t = qOld;
    qOld = qNew;
    qNew = t;
    pending = i;
  }
  if (pending >= 0) a[0] -= 2 * a[(int64_t)pending * n] * qOld[0];
  d[0] = a[0];
  e[0] = 0;
}

// tridiagonal.ts applyQ (reflect4 / reflect1)
void ov_apply_q(int n, const double* a, const double* h, double* Z, int count) {
  int k = 0;
  for (; k + 4 <= count; k += 4) {
    double* z0 = Z + (int64_t)k * n;
    double* z1 = z0 + n;
    double* z2 = z1 + n;
    double* z3 = z2 + n;
    for (int i = 1; i < n; i++) {
      const double hi = h[i];
      if (hi == 0) continue;
      const double* u = a + (int64_t)i * n;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int t = 0; t < i; t++) {
        s0 += u[t] * z0[t];
        s1 += u[t] * z1[t];
        s2 += u[t] * z2[t];
        s3 += u[t] * z3[t];
      }
      s0 /= hi;
      s1 /= hi;
      s2 /= hi;
      s3 /= hi;
      for (int t = 0; t < i; t++) {
        z0[t] -= s0 * u[t];
        z1[t] -= s1 * u[t];
        z2[t] -= s2 * u[t];
        z3[t] -= s3 * u[t];
      }
    }
  }
  for (; k < count; k++) {
    double* z = Z + (int64_t)k * n;
    for (int i = 1; i < n; i++) {
      const double hi = h[i];
      if (hi == 0) continue;
      const double* u = a + (int64_t)i * n;
      double s = 0;
      for (int t = 0; t < i; t++) s += u[t] * z[t];
      s /= hi;
      for (int t = 0; t < i; t++) z[t] -= s * u[t];
    }
  }
}

// ql.ts tridiagonalQL: 0, or −1 where neither pass converged (the TypeScript throws a RangeError)
int ov_tridiagonal_ql(int n, double* d, double* e, double* Zt) {
  std::vector<double> d0(d, d + n), e0(e, e + n), Z0;
  if (Zt) Z0.assign(Zt, Zt + (int64_t)n * n);
  if (ql_iterate(d, e, n, Zt, 0)) return 0;
  std::memcpy(d, d0.data(), n * sizeof(double));
  std::memcpy(e, e0.data(), n * sizeof(double));
  if (Zt) std::memcpy(Zt, Z0.data(), (size_t)n * n * sizeof(double));
  double norm = 0;
  for (int i = 0; i < n; i++) norm = js_max(norm, std::fabs(d0[i]) + std::fabs(e0[i]));
  return ql_iterate(d, e, n, Zt, norm) ? 0 : -1;
}

// sturm.ts bisectEigenvalue (each k already checked), for `count` indices at once: every
// bisection runs exactly as alone (its own interval, iterations and stopping tests), but their
// Sturm recurrences — chains of dependent divisions — are interleaved, two at a time, so that the
// divider works on both (λ_min and λ_max of one form: 1.7× faster than one after the other).
void ov_bisect_eigenvalues(int n, const double* d, const double* e, const int* ks, int count, double* out) {
  double pm = 1;
  for (int i = 1; i < n; i++) pm = js_max(pm, e[i] * e[i]);
  const double pmin = SAFE_MIN * pm;
  double g0 = INFINITY, g1 = -INFINITY;
  for (int i = 0; i < n; i++) {
    const double rad = (i > 0 ? std::fabs(e[i]) : 0) + (i < n - 1 ? std::fabs(e[i + 1]) : 0);
    g0 = js_min(g0, d[i] - rad);
    g1 = js_max(g1, d[i] + rad);
  }
  if (g0 == g1) {
    for (int c = 0; c < count; c++) out[c] = g0;
    return;
  }
  const double span = js_max(std::fabs(g0), std::fabs(g1));
  const double lo0 = g0 - (4 * EPS * span + 2 * pmin);
  const double hi0 = g1 + (4 * EPS * span + 2 * pmin);
  const double tol = 2 * EPS * span + 2 * pmin;
  for (int c0 = 0; c0 < count; c0 += 2) {
    const int pair = count - c0 < 2 ? 1 : 2;
    double lo[2] = {lo0, lo0}, hi[2] = {hi0, hi0};
    bool on[2] = {true, pair == 2};
    int it[2] = {0, 0};
    while (on[0] || on[1]) {
      double mid[2] = {0, 0}, q[2] = {0, 0};
      int cnt[2] = {0, 0};
      for (int b = 0; b < 2; b++) {
        if (!on[b]) continue;
        if (!(it[b] < 200 && hi[b] - lo[b] > tol)) { on[b] = false; continue; }
        mid[b] = 0.5 * (lo[b] + hi[b]);
        if (mid[b] == lo[b] || mid[b] == hi[b]) { on[b] = false; continue; }
      }
      if (!on[0] && !on[1]) break;
      // both chains side by side (an inactive one computes on a dummy point, and is ignored)
      for (int b = 0; b < 2; b++) {
        q[b] = d[0] - mid[b];
        if (std::fabs(q[b]) <= pmin) q[b] = -pmin;
        cnt[b] = q[b] < 0 ? 1 : 0;
      }
      for (int i = 1; i < n; i++) {
        const double e2 = e[i] * e[i];
        double a = d[i] - mid[0] - e2 / q[0];
        double b = d[i] - mid[1] - e2 / q[1];
        if (std::fabs(a) <= pmin) a = -pmin;
        if (std::fabs(b) <= pmin) b = -pmin;
        cnt[0] += a < 0;
        cnt[1] += b < 0;
        q[0] = a;
        q[1] = b;
      }
      for (int b = 0; b < 2; b++) {
        if (!on[b]) continue;
        if (cnt[b] > ks[c0 + b]) hi[b] = mid[b];
        else lo[b] = mid[b];
        it[b]++;
      }
    }
    for (int b = 0; b < pair; b++) out[c0 + b] = 0.5 * (lo[b] + hi[b]);
  }
}

// λ_min and λ_max of A and of D = B − C, as eigh.ts lambdaMinMax(A) and lambdaMinMax(D) (D formed
// entry by entry as distance.ts's spectralDistance forms it): the two reductions are independent
// and each is the sequential code above, so running them on two workers changes no bit.
namespace {
struct PairCtx {
  int n;
  double* work;  // A, then D (n×n each), then d, e, h of each (3n each)
  double* out;
};
void pair_task(void* vc, int t, int) {
  const PairCtx& c = *(const PairCtx*)vc;
  const int64_t nn = (int64_t)c.n * c.n;
  double* a = c.work + t * nn;
  double* d = c.work + 2 * nn + (int64_t)t * 3 * c.n;
  ov_tridiagonalize(c.n, a, d, d + c.n, d + 2 * c.n);
  const int ks[2] = {0, c.n - 1};
  ov_bisect_eigenvalues(c.n, d, d + c.n, ks, 2, c.out + 2 * t);
}
}  // namespace

int ov_extremes_pair(int n, const double* A, const double* B, const double* C, int threads, double* out) {
  const int64_t nn = (int64_t)n * n;
  std::vector<double> work((size_t)(2 * nn + 6 * n));
  for (int64_t k = 0; k < nn; k++) {
    const double dk = B[k] - C[k];
    if (!std::isfinite(A[k]) || !std::isfinite(dk)) return 1;  // checkSquare's error: the caller's route
    work[(size_t)k] = A[k];
    work[(size_t)(nn + k)] = dk;
  }
  PairCtx c = {n, work.data(), out};
  ov_parallel(2, threads < 1 ? 1 : threads, pair_task, &c);
  return 0;
}

// kernel.ts inputGram
void ov_input_gram(int n, int d, const double* X, double* G) {
  for (int i = 0; i < n; i++) {
    for (int j = 0; j <= i; j++) {
      double s = 0;
      for (int t = 0; t < d; t++) s += X[(int64_t)i * d + t] * X[(int64_t)j * d + t];
      G[(int64_t)i * n + j] = G[(int64_t)j * n + i] = s;
    }
  }
}
