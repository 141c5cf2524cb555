// The Gram kernel (GK), samples in SIMD lanes: every network form, φ_ir = σ'(⟨w_r,x_i⟩) (a_r
// enters as a_r² = 1) or the softmax network's φ_ir with M_i, c_i, m/D_i from the panel kernels.

// ───────────────────────────── Gram matrix H = κ² (XXᵀ)∘(SSᵀ) ─────────────────────────────
//
// Samples in lanes here. For each block of kc neurons (KC, or up to 1024 at small n: gram()):
// S_blk (n×kc, S_ir = σ'(⟨w_r,x_i⟩), softmax S_ir = φ_ir = m e^{z_ir − M_i} (a_r − c_i) / D_i,
// docs/theory.md §5) is computed into panels Sp[ps][k][l] of L samples (the only copies of S that
// ever exist: two blocks at a time), then C += S_blk S_blkᵀ on the lower triangle with a
// register-blocked (GM·L rows × GNR columns, GM = GMR or GMR − 1) micro-kernel, as in a GEMM. Each tile's sum over neurons runs in a
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
    int n, d, m, npad, nps, nrb, kc;
    int k0, kb;    // the block whose sample panels task_S computes (into Sp)
    int kbT;       // the block whose tiles task_T adds (from SpT)
    T* XTp;  // nps × d × L
    T* Sp;   // nps × kc × L, two of them (S of the next block is computed while the tiles of this one are)
    T* SpT;
    T* Cb;   // npad × npad, column-major (Cb[col*npad + row]), lower tiles only
    double* H;
    T* sm;   // softmax: M_i, c_i, m/D_i, npad each (padded samples: 0, so that φ = 0); else null
  };

  template <int ACT>
  static void task_S(void* vc, int ps, int) {
    const Ctx& c = *(const Ctx*)vc;
    const T* xt = c.XTp + (int64_t)ps * c.d * L;
    T* sp = c.Sp + (int64_t)ps * c.kc * L;
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
  template <int GM>
  OV_INLINE static void tile(const Ctx& c, int rb, int col0, const T* pf) {
    R acc[GM][GNR];
    const int64_t ld = c.npad;
    T* cb = c.Cb + (int64_t)col0 * ld + (int64_t)rb * GM * L;
#pragma GCC unroll 4
    for (int mv = 0; mv < GM; mv++)
#pragma GCC unroll 8
      for (int jj = 0; jj < GNR; jj++) acc[mv][jj] = V::load(cb + jj * ld + mv * L);
    const int64_t kc = c.kc;
    const T* A0 = c.SpT + (int64_t)rb * GM * kc * L;
    const T* B = c.SpT + (int64_t)(col0 / L) * kc * L + (col0 % L);
    if (pf)
      for (int jj = 0; jj < GNR; jj++)
        for (int b = 0; b < GM * L * (int)sizeof(T); b += 64) __builtin_prefetch((const char*)(pf + jj * ld) + b, 1, 3);
    for (int k = 0; k < c.kbT; k++) {
      R a[GM];
#pragma GCC unroll 4
      for (int mv = 0; mv < GM; mv++) a[mv] = V::load(A0 + (int64_t)mv * kc * L + (int64_t)k * L);
#pragma GCC unroll 8
      for (int jj = 0; jj < GNR; jj++) {
        R b = V::set1(B[(int64_t)k * L + jj]);
#pragma GCC unroll 4
        for (int mv = 0; mv < GM; mv++) acc[mv][jj] = V::fmadd(a[mv], b, acc[mv][jj]);
      }
    }
#pragma GCC unroll 4
    for (int mv = 0; mv < GM; mv++)
#pragma GCC unroll 8
      for (int jj = 0; jj < GNR; jj++) V::store(cb + jj * ld + mv * L, acc[mv][jj]);
  }

  // row blocks of GM·L samples: GMR, or GMR − 1 where that pads the lower triangle less (gram())
  template <int GM>
  static void task_T(void* vc, int t, int) {
    const Ctx& c = *(const Ctx*)vc;
    int rb = c.nrb - 1 - t;  // largest row blocks first: better balance, same results
    int colEnd = (rb + 1) * GM * L;
    T* cb = c.Cb + (int64_t)rb * GM * L;
    for (int col0 = 0; col0 < colEnd; col0 += GNR)
      tile<GM>(c, rb, col0, col0 + GNR < colEnd ? cb + (int64_t)(col0 + GNR) * c.npad : 0);
  }

  // one dispatch a block: the tiles of this block (tasks 0 … nrb−1, largest first), then the
  // sample panels of the next (tasks nrb …), into the other buffer
  struct Pipe {
    Ctx* c;
    OvTaskFn S, T;
  };
  static void task_TS(void* vp, int t, int w) {
    const Pipe& q = *(const Pipe*)vp;
    if (t < q.c->nrb) q.T(q.c, t, w);
    else q.S(q.c, t - q.c->nrb, w);
  }
  // vector FMAs per neuron of the lower-triangle tiles for n samples in row blocks of gm·L
  static int64_t tile_work(int n, int gm) {
    int64_t rbs = gm * L, nrb = (n + rbs - 1) / rbs, w = 0;
    for (int64_t rb = 0; rb < nrb; rb++) w += ((rb + 1) * rbs + GNR - 1) / GNR * gm;
    return w;
  }

  // H_ij = κ² ⟨x_i, x_j⟩ C_ij for j ≤ i, and its mirror. Task t: the columns j with
  // (n − j)² between n²(1 − t/64) and n²(1 − (t+1)/64), so that each holds 1/64 of the triangle.
  static void task_final(void* vc, int t, int) {
    const Ctx& c = *(const Ctx*)vc;
    const double k2 = c.p->kappa * c.p->kappa;
    const int n = c.n, d = c.d;
    auto col = [n](int q) { return q >= 64 ? n : (int)__builtin_ceil(n - n * __builtin_sqrt(1.0 - q / 64.0)); };
    const int j0 = col(t), j1 = col(t + 1);
    for (int j = j0; j < j1; j++) {
      int i = j;
      if constexpr (sizeof(T) == 8) {
        // L rows i at once from the sample panels, each lane's sum over q in the scalar order
        // below (x_i,q x_j,q, added from 0), so the same bits
        alignas(64) double h[L];
        for (int i0 = j / L * L; i0 < n; i0 += L) {
          const T* xt = c.XTp + (int64_t)(i0 / L) * d * L;
          R xx = V::zero();
          for (int q = 0; q < d; q++) xx = V::add(xx, V::mul(V::load(xt + (int64_t)q * L), V::set1(c.X[(int64_t)j * d + q])));
          V::store(h, V::mul(V::mul(V::set1(k2), xx), V::load(c.Cb + (int64_t)j * c.npad + i0)));
          const int lo = i0 < j ? j - i0 : 0, hi = n - i0 < L ? n - i0 : L;
          for (int l = lo; l < hi; l++) {
            c.H[(int64_t)(i0 + l) * n + j] = h[l];
            c.H[(int64_t)j * n + i0 + l] = h[l];
          }
        }
        i = n;
      }
      for (; i < n; i++) {
        double xx = 0;
        for (int q = 0; q < d; q++) xx += (double)c.X[(int64_t)i * d + q] * (double)c.X[(int64_t)j * d + q];
        double h = k2 * xx * (double)c.Cb[(int64_t)j * c.npad + i];
        c.H[(int64_t)i * n + j] = h;
        c.H[(int64_t)j * n + i] = h;
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
    int th = threads < 1 ? 1 : threads;
    // GMR − 1 vectors a row block where the padding of the last one (and the diagonal tiles) costs
    // more than the smaller tile loses: n = 32: 12 against 27 vector FMAs a neuron, n = 64: 40
    // against 54 (AVX-512 f64); every entry's sum over neurons is the same chain, so H is too
    const int gm = GMR > 1 && 10 * tile_work(c.n, GMR - 1) < 9 * tile_work(c.n, GMR) ? GMR - 1 : GMR;
    c.nrb = (c.n + gm * L - 1) / (gm * L);
    c.npad = c.nrb * gm * L;
    c.nps = c.npad / L;
    // neurons per block: KC, or more while two blocks' sample panels fit in 1 MB (small n: fewer
    // dispatches, each with more work; the order of the sums, and so H, is the same for every block size)
    c.kc = KC;
    while (th > 1 && c.kc < 1024 && c.kc < c.m && 2 * (int64_t)c.nps * (2 * c.kc) * L * (int64_t)sizeof(T) <= 1048576) c.kc *= 2;
    c.XTp = (T*)ov_alloc((int64_t)c.nps * c.d * L * sizeof(T));
    T* spBuf = (T*)ov_alloc_raw(2 * (int64_t)c.nps * c.kc * L * sizeof(T));  // every entry read is written first
    c.Cb = (T*)ov_alloc((int64_t)c.npad * c.npad * sizeof(T));
    c.sm = 0;
    bool ok = c.XTp && spBuf && c.Cb;
    if (ok && p->act == OV_ACT_SOFTMAX) {
      c.sm = (T*)ov_alloc(3 * (int64_t)c.npad * sizeof(T));  // zero-filled
      ok = c.sm && NKv::sm_sample_stats(p, W, th, c.sm, c.sm + c.npad, c.sm + 2 * (int64_t)c.npad);
    }
    if (!ok) {
      ov_free(c.XTp); ov_free(spBuf); ov_free(c.Cb); ov_free(c.sm);
      return;
    }
    for (int i = 0; i < c.n; i++)
      for (int j = 0; j < c.d; j++) c.XTp[(int64_t)(i / L) * c.d * L + (int64_t)j * L + (i % L)] = c.X[(int64_t)i * c.d + j];
    Pipe q = {&c, task_S_of(p->act), gm == GMR ? task_T<GMR> : task_T<(GMR > 1 ? GMR - 1 : 1)>};
    T* bufs[2] = {spBuf, spBuf + (int64_t)c.nps * c.kc * L};
    c.k0 = 0;
    c.kb = ov_min(c.kc, c.m);
    c.Sp = bufs[0];
    ov_parallel(c.nps, th, q.S, &c);
    for (int blk = 0; c.k0 < c.m; blk++) {
      // the tiles of block blk (computed into SpT) while task_S fills the other buffer with block blk + 1
      c.SpT = bufs[blk & 1];
      c.kbT = c.kb;
      c.k0 += c.kc;
      c.kb = ov_min(c.kc, c.m - c.k0);
      c.Sp = bufs[(blk + 1) & 1];
      ov_parallel(c.nrb + (c.kb > 0 ? c.nps : 0), th, task_TS, &q);
    }
    ov_parallel(64, th, task_final, &c);
    ov_free(c.XTp); ov_free(spBuf); ov_free(c.Cb); ov_free(c.sm);
  }
};
