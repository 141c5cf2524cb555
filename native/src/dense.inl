// Dense float64 helpers for eigenvalue work (DK): symv, gemm, potrf, potrs.

// ───────────────────────────── dense float64 helpers ─────────────────────────────

template <class V>
struct DK {
  typedef typename V::T T;  // double
  typedef typename V::R R;
  static const int L = V::L;

  static inline double dot(const double* a, const double* b, int n) {
    R s0 = V::zero(), s1 = V::zero(), s2 = V::zero(), s3 = V::zero();
    int j = 0;
    for (; j + 4 * L <= n; j += 4 * L) {
      s0 = V::fmadd(V::load(a + j), V::load(b + j), s0);
      s1 = V::fmadd(V::load(a + j + L), V::load(b + j + L), s1);
      s2 = V::fmadd(V::load(a + j + 2 * L), V::load(b + j + 2 * L), s2);
      s3 = V::fmadd(V::load(a + j + 3 * L), V::load(b + j + 3 * L), s3);
    }
    for (; j + L <= n; j += L) s0 = V::fmadd(V::load(a + j), V::load(b + j), s0);
    double s = V::hsum(V::add(V::add(s0, s1), V::add(s2, s3)));
    for (; j < n; j++) s += a[j] * b[j];
    return s;
  }
  static inline void axpy(double alpha, const double* x, double* y, int n) {
    R a = V::set1(alpha);
    int j = 0;
    for (; j + L <= n; j += L) V::store(y + j, V::fmadd(a, V::load(x + j), V::load(y + j)));
    for (; j < n; j++) y[j] += alpha * x[j];
  }

  struct SymvCtx { int n; const double* A; const double* x; double* y; };
  static void task_symv(void* vc, int t, int) {
    const SymvCtx& c = *(const SymvCtx*)vc;
    int i0 = (int)((int64_t)t * c.n / 64), i1 = (int)((int64_t)(t + 1) * c.n / 64);
    for (int i = i0; i < i1; i++) c.y[i] = dot(c.A + (int64_t)i * c.n, c.x, c.n);
  }
  // y = A x for symmetric A in full storage: rows in parallel, each a fixed-order dot product.
  static void symv(int n, const double* A, const double* x, double* y, int threads) {
    SymvCtx c = {n, A, x, y};
    ov_parallel(n < 64 ? (n > 0 ? 1 : 0) : 64, threads, n < 64 ? task_symv_small : task_symv, &c);
  }
  static void task_symv_small(void* vc, int, int) {
    const SymvCtx& c = *(const SymvCtx*)vc;
    for (int i = 0; i < c.n; i++) c.y[i] = dot(c.A + (int64_t)i * c.n, c.x, c.n);
  }

  // C = A B (row-major; A m×k, B k×n). B is packed into column panels of NB = 3L columns
  // (k×NB, contiguous), rows of A are broadcast: a 4×3-vector register block per k.
  static const int GM = 4, GV = 3, NB = 3 * V::L;
  struct GemmCtx { int m, n, k, npanel; const double* A; double* Bp; double* C; };
  template <int M>
  static inline void gemm_block(const GemmCtx& c, int i0, int pj) {
    R acc[M][GV];
#pragma GCC unroll 4
    for (int a = 0; a < M; a++)
#pragma GCC unroll 3
      for (int v = 0; v < GV; v++) acc[a][v] = V::zero();
    const double* bp = c.Bp + (int64_t)pj * c.k * NB;
    const double* ar = c.A + (int64_t)i0 * c.k;
    for (int t = 0; t < c.k; t++) {
      R b[GV];
#pragma GCC unroll 3
      for (int v = 0; v < GV; v++) b[v] = V::load(bp + (int64_t)t * NB + v * L);
#pragma GCC unroll 4
      for (int a = 0; a < M; a++) {
        R x = V::set1(ar[(int64_t)a * c.k + t]);
#pragma GCC unroll 3
        for (int v = 0; v < GV; v++) acc[a][v] = V::fmadd(x, b[v], acc[a][v]);
      }
    }
    int j0 = pj * NB, cols = ov_min(NB, c.n - j0);
    alignas(64) double tmp[NB];
    for (int a = 0; a < M; a++) {
      double* crow = c.C + (int64_t)(i0 + a) * c.n + j0;
      if (cols == NB) {
        for (int v = 0; v < GV; v++) V::storeu(crow + v * L, acc[a][v]);
      } else {
        for (int v = 0; v < GV; v++) V::store(tmp + v * L, acc[a][v]);
        for (int q = 0; q < cols; q++) crow[q] = tmp[q];
      }
    }
  }
  static void task_gemm(void* vc, int t, int) {
    const GemmCtx& c = *(const GemmCtx*)vc;
    int i0 = t * 4 * GM, i1 = ov_min(i0 + 4 * GM, c.m);
    for (int pj = 0; pj < c.npanel; pj++) {
      int i = i0;
      for (; i + GM <= i1; i += GM) gemm_block<GM>(c, i, pj);
      for (; i < i1; i++) gemm_block<1>(c, i, pj);
    }
  }
  static void gemm(int m, int n, int k, const double* A, const double* B, double* C, int threads) {
    GemmCtx c;
    c.m = m; c.n = n; c.k = k; c.A = A; c.C = C;
    c.npanel = (n + NB - 1) / NB;
    c.Bp = (double*)ov_alloc((int64_t)c.npanel * (k > 0 ? k : 1) * NB * sizeof(double));
    if (!c.Bp) return;
    for (int t = 0; t < k; t++)
      for (int j = 0; j < n; j++) c.Bp[(int64_t)(j / NB) * k * NB + (int64_t)t * NB + (j % NB)] = B[(int64_t)t * n + j];
    ov_parallel((m + 4 * GM - 1) / (4 * GM), threads, task_gemm, &c);
    ov_free(c.Bp);
  }

  // ── Cholesky: blocked, right-looking, on the column-major view (column j of the factor is
  // contiguous: buf[j*n + i], i ≥ j). Equal to the row-major matrix since A is symmetric;
  // transposed into row-major lower L at the end. ──
  static const int NBK = 64, TR = 3 * V::L, TC = V::L < 8 ? V::L : 8;
  struct CholCtx { int n, k0, kb, r0, nrows, nrpan; double* A; double* Pp; };

  // rows [r0, n) of the panel columns k0..k0+kb: col_j ← (col_j − Σ_{t<j} L(j,t) col_t) / L(j,j)
  static void task_panel(void* vc, int t, int) {
    const CholCtx& c = *(const CholCtx*)vc;
    int a = c.r0 + (int)((int64_t)t * c.nrows / 64), b = c.r0 + (int)((int64_t)(t + 1) * c.nrows / 64);
    if (a >= b) return;
    for (int j = 0; j < c.kb; j++) {
      double* colj = c.A + (int64_t)(c.k0 + j) * c.n;
      // L(k0+j, k0+q) is row k0+j of column k0+q
      for (int q = 0; q < j; q++)
        axpy(-c.A[(int64_t)(c.k0 + q) * c.n + c.k0 + j], c.A + (int64_t)(c.k0 + q) * c.n + a, colj + a, b - a);
      double inv = 1.0 / colj[c.k0 + j];
      for (int i = a; i < b; i++) colj[i] *= inv;
      // pack into row panels of L rows: Pp[rp][q][l] with q the panel column
      for (int i = a; i < b; i++) {
        int rr = i - c.r0;
        c.Pp[(int64_t)(rr / L) * NBK * L + (int64_t)j * L + (rr % L)] = colj[i];
      }
    }
  }
  // trailing update A22 −= P Pᵀ on lower tiles (TR rows × TC cols), rows/cols from r0
  static void task_trail(void* vc, int t, int) {
    const CholCtx& c = *(const CholCtx*)vc;
    int nrb = (c.nrows + TR - 1) / TR;
    int rb = nrb - 1 - t;
    int rowa = rb * TR;
    for (int col0 = 0; col0 < rowa + TR && col0 < c.nrows; col0 += TC) {
      R acc[3][TC];
#pragma GCC unroll 3
      for (int mv = 0; mv < 3; mv++)
#pragma GCC unroll 8
        for (int jj = 0; jj < TC; jj++) acc[mv][jj] = V::zero();
      const double* A0 = c.Pp + (int64_t)(rowa / L) * NBK * L;
      const double* B = c.Pp + (int64_t)(col0 / L) * NBK * L + (col0 % L);
      for (int k = 0; k < c.kb; k++) {
        R av[3];
#pragma GCC unroll 3
        for (int mv = 0; mv < 3; mv++) av[mv] = V::load(A0 + (int64_t)mv * NBK * L + (int64_t)k * L);
#pragma GCC unroll 8
        for (int jj = 0; jj < TC; jj++) {
          R bb = V::set1(B[(int64_t)k * L + jj]);
#pragma GCC unroll 3
          for (int mv = 0; mv < 3; mv++) acc[mv][jj] = V::fmadd(av[mv], bb, acc[mv][jj]);
        }
      }
      alignas(64) double tmp[3 * V::L];
      for (int jj = 0; jj < TC; jj++) {
        int col = col0 + jj;
        if (col >= c.nrows) break;
        double* dst = c.A + (int64_t)(c.r0 + col) * c.n + c.r0 + rowa;
        int rows = ov_min(TR, c.nrows - rowa);
        if (rows == TR) {
          for (int mv = 0; mv < 3; mv++) V::storeu(dst + mv * L, V::sub(V::loadu(dst + mv * L), acc[mv][jj]));
        } else {
          for (int mv = 0; mv < 3; mv++) V::store(tmp + mv * L, acc[mv][jj]);
          for (int q = 0; q < rows; q++) dst[q] -= tmp[q];
        }
      }
    }
  }

  static int potrf(int n, double* A, int threads) {
    CholCtx c;
    c.n = n;
    c.A = A;
    const int64_t ppLen = ((int64_t)n / L + 4) * NBK * L;
    c.Pp = (double*)ov_alloc(ppLen * sizeof(double));
    if (!c.Pp) return -1;
    // read the row-major lower triangle: mirror it into the column-major lower (= row-major upper)
    for (int i = 0; i < n; i++)
      for (int j = 0; j < i; j++) A[(int64_t)j * n + i] = A[(int64_t)i * n + j];
    int fail = 0;
    for (int k0 = 0; k0 < n && !fail; k0 += NBK) {
      int kb = ov_min(NBK, n - k0);
      // unblocked factor of the diagonal block (column-major)
      for (int j = k0; j < k0 + kb && !fail; j++) {
        double* colj = A + (int64_t)j * n;
        for (int q = k0; q < j; q++) {
          const double* colq = A + (int64_t)q * n;
          double l = colq[j];  // L(j, q)
          for (int i = j; i < k0 + kb; i++) colj[i] -= l * colq[i];
        }
        double dj = colj[j];
        if (!(dj > 0)) { fail = j + 1; break; }
        double s = __builtin_sqrt(dj);
        colj[j] = s;
        for (int i = j + 1; i < k0 + kb; i++) colj[i] /= s;
      }
      if (fail) break;
      c.k0 = k0;
      c.kb = kb;
      c.r0 = k0 + kb;
      c.nrows = n - c.r0;
      if (c.nrows <= 0) break;
      for (int64_t q = 0; q < ppLen; q++) c.Pp[q] = 0;
      ov_parallel(64, threads, task_panel, &c);
      ov_parallel((c.nrows + TR - 1) / TR, threads, task_trail, &c);
    }
    ov_free(c.Pp);
    // column-major lower → row-major lower; zero the rest
    for (int i = 0; i < n; i++)
      for (int j = 0; j < i; j++) {
        A[(int64_t)i * n + j] = A[(int64_t)j * n + i];
        A[(int64_t)j * n + i] = 0;
      }
    return fail;
  }

  // (L Lᵀ) x = b with L row-major lower: forward by rows (dot), backward by rows of L (axpy).
  static void potrs(int n, const double* Lm, double* b) {
    for (int i = 0; i < n; i++) b[i] = (b[i] - dot(Lm + (int64_t)i * n, b, i)) / Lm[(int64_t)i * n + i];
    for (int i = n - 1; i >= 0; i--) {
      b[i] /= Lm[(int64_t)i * n + i];
      axpy(-b[i], Lm + (int64_t)i * n, b, i);
    }
  }
};
