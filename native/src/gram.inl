// The Gram kernel (GK), samples in SIMD lanes: every network form, φ_ir = σ'(⟨w_r,x_i⟩) (a_r
// enters as a_r² = 1) or the softmax network's φ_ir with M_i, c_i, m/D_i from the panel kernels.

// ───────────────────────────── Gram matrix H = κ² (XXᵀ)∘(SSᵀ) ─────────────────────────────
//
// Samples in lanes here. For each block of KC neurons: S_blk (n×KC, S_ir = σ'(⟨w_r,x_i⟩), softmax
// S_ir = φ_ir = m e^{z_ir − M_i} (a_r − c_i) / D_i, docs/theory.md §5) is
// computed into panels Sp[ps][k][l] of L samples (the only copy of S that ever exists: KC
// columns at a time), then C += S_blk S_blkᵀ on the lower triangle with a register-blocked
// (GMR·L rows × GNR columns) micro-kernel, as in a GEMM. Each tile's sum over neurons runs in a
// fixed order, so H is bit-identical for every thread count.

template <class V>
struct GK {
  typedef typename V::T T;
  typedef typename V::R R;
  // KC = 128: a row block's three sample panels (24 KB f64) and a column panel (8 KB) stay in
  // L1 together; 256 did not (7% slower), 64 and ≥ 512 were slower too. The sum over neurons runs
  // in the same order for every KC (the tile is stored and reloaded exactly), so H does not change.
  static const int L = V::L, GMR = V::GMR, GNR = V::GNR, RB = V::GMR * V::L, KC = 128;

  struct Ctx {
    const OvProblem* p;
    const T* X;
    const double* W;
    int n, d, m, npad, nps, nrb, k0, kb;
    T* XTp;  // nps × d × L
    T* Sp;   // nps × KC × L
    T* Cb;   // npad × npad, column-major (Cb[col*npad + row]), lower tiles only
    double* H;
    T* sm;   // softmax: M_i, c_i, m/D_i, npad each (padded samples: 0, so that φ = 0); else null
  };

  template <int ACT>
  static void task_S(void* vc, int ps, int) {
    const Ctx& c = *(const Ctx*)vc;
    const T* xt = c.XTp + (int64_t)ps * c.d * L;
    T* sp = c.Sp + (int64_t)ps * KC * L;
    for (int k = 0; k < c.kb; k++) {
      const double* w = c.W + (int64_t)(c.k0 + k) * c.d;
      R z0 = V::zero(), z1 = V::zero();
      int j = 0;
      for (; j + 1 < c.d; j += 2) {
        z0 = V::fmadd(V::set1((T)w[j]), V::load(xt + (int64_t)j * L), z0);
        z1 = V::fmadd(V::set1((T)w[j + 1]), V::load(xt + (int64_t)(j + 1) * L), z1);
      }
      if (j < c.d) z0 = V::fmadd(V::set1((T)w[j]), V::load(xt + (int64_t)j * L), z0);
      R z = V::add(z0, z1);
      if constexpr (ACT == OV_ACT_SOFTMAX) {
        // z here sums in another order than the panel kernels' z that gave M_i: z − M_i may be a
        // rounding above 0, harmlessly (e^{z − M_i} ≤ 1 + a few ulps)
        const T* sm = c.sm + (int64_t)ps * L;
        R e = V::exp(V::sub(z, V::load(sm)));
        R phi = ov_sm_phi<V>(e, V::set1((T)c.p->a[c.k0 + k]), V::load(sm + c.npad), V::load(sm + 2 * (int64_t)c.npad));
        V::store(sp + (int64_t)k * L, phi);
      } else {
        V::store(sp + (int64_t)k * L, ov_dsig<V, ACT>(z));
      }
    }
  }
  static OvTaskFn task_S_of(int act) {
    switch (act) {
      case OV_ACT_EXP: return task_S<OV_ACT_EXP>;
      case OV_ACT_RELU: return task_S<OV_ACT_RELU>;
      case OV_ACT_COSH: return task_S<OV_ACT_COSH>;
      case OV_ACT_SINH: return task_S<OV_ACT_SINH>;
      case OV_ACT_SOFTMAX: return task_S<OV_ACT_SOFTMAX>;
    }
    return 0;
  }

  // C[rows R0.., cols C0..C0+GNR) += Σ_k S[row][k] S[col][k]
  // pf: the next tile's C, prefetched while this one computes (its GNR columns lie npad apart, a
  // pattern no hardware prefetcher follows; new/old 0.87–0.98 at M). It changes no value.
  OV_INLINE static void tile(const Ctx& c, int rb, int col0, const T* pf) {
    R acc[GMR][GNR];
    const int64_t ld = c.npad;
    T* cb = c.Cb + (int64_t)col0 * ld + (int64_t)rb * RB;
#pragma GCC unroll 4
    for (int mv = 0; mv < GMR; mv++)
#pragma GCC unroll 8
      for (int jj = 0; jj < GNR; jj++) acc[mv][jj] = V::load(cb + jj * ld + mv * L);
    const T* A0 = c.Sp + (int64_t)rb * GMR * KC * L;
    const T* B = c.Sp + (int64_t)(col0 / L) * KC * L + (col0 % L);
    if (pf)
      for (int jj = 0; jj < GNR; jj++)
        for (int b = 0; b < RB * (int)sizeof(T); b += 64) __builtin_prefetch((const char*)(pf + jj * ld) + b, 1, 3);
    for (int k = 0; k < c.kb; k++) {
      R a[GMR];
#pragma GCC unroll 4
      for (int mv = 0; mv < GMR; mv++) a[mv] = V::load(A0 + (int64_t)mv * KC * L + (int64_t)k * L);
#pragma GCC unroll 8
      for (int jj = 0; jj < GNR; jj++) {
        R b = V::set1(B[(int64_t)k * L + jj]);
#pragma GCC unroll 4
        for (int mv = 0; mv < GMR; mv++) acc[mv][jj] = V::fmadd(a[mv], b, acc[mv][jj]);
      }
    }
#pragma GCC unroll 4
    for (int mv = 0; mv < GMR; mv++)
#pragma GCC unroll 8
      for (int jj = 0; jj < GNR; jj++) V::store(cb + jj * ld + mv * L, acc[mv][jj]);
  }

  static void task_T(void* vc, int t, int) {
    const Ctx& c = *(const Ctx*)vc;
    int rb = c.nrb - 1 - t;  // largest row blocks first: better balance, same results
    int colEnd = (rb + 1) * RB;
    T* cb = c.Cb + (int64_t)rb * RB;
    for (int col0 = 0; col0 < colEnd; col0 += GNR)
      tile(c, rb, col0, col0 + GNR < colEnd ? cb + (int64_t)(col0 + GNR) * c.npad : 0);
  }

  static void task_final(void* vc, int t, int) {
    const Ctx& c = *(const Ctx*)vc;
    double k2 = c.p->kappa * c.p->kappa;
    int i0 = (int)((int64_t)t * c.n / 64), i1 = (int)((int64_t)(t + 1) * c.n / 64);
    for (int i = i0; i < i1; i++) {
      for (int j = 0; j <= i; j++) {
        double xx = 0;
        for (int q = 0; q < c.d; q++) xx += (double)c.X[(int64_t)i * c.d + q] * (double)c.X[(int64_t)j * c.d + q];
        double h = k2 * xx * (double)c.Cb[(int64_t)j * c.npad + i];
        c.H[(int64_t)i * c.n + j] = h;
        c.H[(int64_t)j * c.n + i] = h;
      }
    }
  }

  // NKv: the panel kernels whose softmax statistics forward uses for this problem (narrow.inl)
  template <class NKv>
  static void gram(const OvProblem* p, const double* W, double* H, int threads) {
    if (!ov_act_valid(p->act)) return ov_fill_nan(H, (int64_t)p->n * p->n);
    Ctx c;
    c.p = p;
    c.X = (const T*)p->X;
    c.W = W;
    c.n = p->n;
    c.d = p->d;
    c.m = p->m;
    c.H = H;
    c.nrb = (c.n + RB - 1) / RB;
    c.npad = c.nrb * RB;
    c.nps = c.npad / L;
    c.XTp = (T*)ov_alloc((int64_t)c.nps * c.d * L * sizeof(T));
    c.Sp = (T*)ov_alloc((int64_t)c.nps * KC * L * sizeof(T));
    c.Cb = (T*)ov_alloc((int64_t)c.npad * c.npad * sizeof(T));
    c.sm = 0;
    int th = threads < 1 ? 1 : threads;
    bool ok = c.XTp && c.Sp && c.Cb;
    if (ok && p->act == OV_ACT_SOFTMAX) {
      c.sm = (T*)ov_alloc(3 * (int64_t)c.npad * sizeof(T));  // zero-filled
      ok = c.sm && NKv::sm_sample_stats(p, W, th, c.sm, c.sm + c.npad, c.sm + 2 * (int64_t)c.npad);
    }
    if (!ok) {
      ov_free(c.XTp); ov_free(c.Sp); ov_free(c.Cb); ov_free(c.sm);
      return;
    }
    for (int i = 0; i < c.n; i++)
      for (int j = 0; j < c.d; j++) c.XTp[(int64_t)(i / L) * c.d * L + (int64_t)j * L + (i % L)] = c.X[(int64_t)i * c.d + j];
    OvTaskFn tS = task_S_of(p->act);
    for (c.k0 = 0; c.k0 < c.m; c.k0 += KC) {
      c.kb = ov_min(KC, c.m - c.k0);
      ov_parallel(c.nps, th, tS, &c);
      ov_parallel(c.nrb, th, task_T, &c);
    }
    ov_parallel(64, th, task_final, &c);
    ov_free(c.XTp); ov_free(c.Sp); ov_free(c.Cb); ov_free(c.sm);
  }
};
