// The neuron-panel kernels (NK): forward, gradient, step, jvp, pattern flips and the vector-exp
// test entry point. Neurons in SIMD lanes; see kernels.inl for the layout and README.md,
// "blocking and fusion", for the passes.

// ───────────────────────────── the neuron-panel kernels ─────────────────────────────

template <class V>
struct NK {
  typedef typename V::T T;
  typedef typename V::R R;
  static const int L = V::L, NV = V::NV, P = V::NV * V::L, MR = V::MR, JB = V::JB;
  // MR samples a step in zdots: MR·NV independent FMA chains (16 with AVX-512, twice the 8 that
  // latency 4 × 2 FMA ports needs: the chains keep both ports busy also while a row group's exps
  // and stores run; 8 with AVX2's 16 registers). Rows go in whole groups of MR (X is packed and
  // zero-padded, pack_x); jvp keeps two accumulator blocks live and takes MRJ (a divisor of MR)
  // samples a step.
  static const int MRJ = V::MRJ;
  static_assert(V::MR % V::MRJ == 0, "MRJ must divide MR");
  static const int IB = 96;  // samples per block of the fused gradient: C block IB×P stays in L1

  struct Ctx {
    const OvProblem* p;
    const T* X;             // row-major n×d, as given
    const T* XP;            // X packed in groups of MR rows (see pack_x), zero rows up to npad
    int n, d, m, act;
    int npad;               // n rounded up to a multiple of MR
    int njb;                // column blocks of JB in Xr
    int npan, nchunk;
    int h, npanA, nchunkA;  // the two halves [0,h) and [h,m): see Layout
    // step / gradient / forward / jvp / flips
    double* W;              // step: updated in place
    const double* Wc;       // read-only W
    const double* W2;       // V for jvp, W for flips (second operand)
    const T* Xr;            // diag(r) X in T (step/gradient), packed for pass B (see set_r)
    double xmax;            // max_i ‖x_i‖ (Inf if any entry is not finite)
    double eta;
    double* G;              // gradient output (m×d)
    double* chunkU;         // nchunk×n partial outputs, reduced in chunk order
    int64_t* chunkFlips;
    char* scratch;          // per-worker scratch, stride scratchBytes
    int64_t scratchBytes;
  };

  // per-worker scratch: Wt, Vt, G, ap (P), Cb (max(npad, IB)×P: σ' of a whole panel for step's
  // second pass, see task_step; the gradient alone reuses its first IB rows), Ul (npad×L)
  static int64_t scratch_bytes(int npad, int d) {
    int64_t b = 0;
    b += 3 * (int64_t)d * P * sizeof(T);
    b += (int64_t)P * sizeof(T);
    b += (int64_t)(npad > IB ? npad : IB) * P * sizeof(T);
    b += (int64_t)npad * L * sizeof(T);
    return (b + 63) / 64 * 64 + 256;
  }
  struct Scr {
    T *Wt, *Vt, *G, *ap, *Cb, *Ul;
  };
  static Scr scr(const Ctx& c, int worker) {
    char* base = c.scratch + (int64_t)worker * c.scratchBytes;
    T* t = (T*)base;
    Scr s;
    s.Wt = t; t += (int64_t)c.d * P;
    s.Vt = t; t += (int64_t)c.d * P;
    s.G = t; t += (int64_t)c.d * P;
    s.ap = t; t += P;
    s.Cb = t; t += (int64_t)(c.npad > IB ? c.npad : IB) * P;
    s.Ul = t;
    return s;
  }

  // Transpose neurons [r0, r0+cnt) of an m×d float64 matrix into a d×P panel of T, zero-padded:
  // padded neurons have w = 0 and a = 0, so they add exactly 0 to every sum.
  static void load_panel(const double* W, int d, int r0, int cnt, T* Wt) {
    for (int j = 0; j < d; j++) {
      T* row = Wt + (int64_t)j * P;
      for (int q = 0; q < cnt; q++) row[q] = (T)W[(int64_t)(r0 + q) * d + j];
      for (int q = cnt; q < P; q++) row[q] = 0;
    }
  }
  static void load_a(const double* a, int r0, int cnt, T* ap) {
    for (int q = 0; q < cnt; q++) ap[q] = (T)a[r0 + q];
    for (int q = cnt; q < P; q++) ap[q] = 0;
  }

  // z[mr][v] = ⟨x_{i+mr}, w_q⟩ for the P neurons of the panel. M·NV independent FMA chains
  // hide the FMA latency; x is broadcast from memory, the panel row is loaded once per j.
  // Xi points into the packed X (pack_x): x_{i+mr, j} = Xi[j·MR + mr], so each j's M broadcasts
  // come from one cache line and the rows stream in order.
  template <int M>
  OV_INLINE static void zdots(const T* Xi, int d, const T* Wt, R z[M][NV]) {
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) z[mr][v] = V::zero();
#pragma GCC unroll 4
    for (int j = 0; j < d; j++) {
      R w[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) w[v] = V::load(Wt + (int64_t)j * P + v * L);
      // the next row group's x_{·j}: X leaves L1 once d is large (new/old 0.97–0.98 at d = 64, 0.99 at 16)
      if (M == MR) __builtin_prefetch(Xi + (int64_t)(d + j) * MR, 0, 3);
#pragma GCC unroll 8
      for (int mr = 0; mr < M; mr++) {
        R x = V::set1(Xi[(int64_t)j * MR + mr]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) z[mr][v] = V::fmadd(x, w[v], z[mr][v]);
      }
    }
  }

  // σ and σ' (docs/theory.md §1; ReLU derivative 1{z ≥ 0} as in Du et al.). ACT: 0 = exp, 1 = relu,
  // 2 = exp where every argument is known to be below EXP_SAFE in magnitude (no clamping).
  template <int ACT> OV_INLINE static R sig(R z) { return ACT == 0 ? V::exp(z) : ACT == 2 ? V::exp_nc(z) : V::relu(z); }
  template <int ACT> OV_INLINE static R dsig(R z) { return ACT == 0 ? V::exp(z) : ACT == 2 ? V::exp_nc(z) : V::step(z); }

  // Pass A: C[i][q] = σ'(z_iq) for M samples (the residual is folded into X, see grad_panel).
  template <int ACT, int M>
  OV_INLINE static void passA(const T* Xi, int d, const T* Wt, T* Ci) {
    R z[M][NV];
    zdots<M>(Xi, d, Wt, z);
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) V::store(Ci + (int64_t)mr * P + v * L, dsig<ACT>(z[mr][v]));
  }

  // Pass B: G[j][q] += Σ_i (r_i x_ij) C[i][q] for J dimensions; J·NV accumulators in registers.
  // Xb: the block's packed diag(r)X columns, r_i x_ij = Xb[i·JB + jj] (set_r).
  template <int J>
  OV_INLINE static void passB(const T* Xb, int nb, const T* Cb, T* Gj) {
    R g[J][NV];
#pragma GCC unroll 8
    for (int jj = 0; jj < J; jj++)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) g[jj][v] = V::load(Gj + (int64_t)jj * P + v * L);
#pragma GCC unroll 2
    for (int i = 0; i < nb; i++) {
      R c[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) c[v] = V::load(Cb + (int64_t)i * P + v * L);
#pragma GCC unroll 8
      for (int jj = 0; jj < J; jj++) {
        R x = V::set1(Xb[(int64_t)i * JB + jj]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) g[jj][v] = V::fmadd(x, c[v], g[jj][v]);
      }
    }
#pragma GCC unroll 8
    for (int jj = 0; jj < J; jj++)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) V::store(Gj + (int64_t)jj * P + v * L, g[jj][v]);
  }

  template <int J>
  static inline void passB_tail(int rem, const T* Xb, int nb, const T* Cb, T* Gj) {
    if (J == 0) return;
    if (rem == J) passB<(J > 0 ? J : 1)>(Xb, nb, Cb, Gj);
    else passB_tail<(J > 0 ? J - 1 : 0)>(rem, Xb, nb, Cb, Gj);
  }

  // The gradient of one panel without the factor κ a_q (docs/theory.md §2):
  // G[j][q] = Σ_i σ'(⟨w_q,x_i⟩) · (r_i x_ij), with Xr = diag(r) X formed once per call. Samples go
  // in blocks of IB so that C never leaves L1: the n×m matrix of σ' values is never stored.
  // keep: block i0 goes to Cb + i0·P, so that the n×P σ' values of the panel (n×P, L2-resident)
  // are still there afterwards (step); otherwise every block reuses Cb[0, IB·P). Pass A runs over
  // whole groups of MR rows (IB is a multiple of MR): rows past n are zero, their σ' goes to Cb's
  // spare rows and pass B never reads it.
  template <int ACT>
  static void grad_panel(const Ctx& c, const T* Wt, T* G, T* Cb0, bool keep) {
    const int n = c.n, d = c.d;
    for (int64_t k = 0; k < (int64_t)d * P; k++) G[k] = 0;
    for (int i0 = 0, b = 0; i0 < n; i0 += IB, b++) {
      int nb = ov_min(IB, n - i0);
      T* Cb = keep ? Cb0 + (int64_t)i0 * P : Cb0;
      for (int i = 0; i < nb; i += MR) passA<ACT, MR>(c.XP + (int64_t)(i0 + i) * d, d, Wt, Cb + (int64_t)i * P);
      const T* Xrb = c.Xr + (int64_t)b * c.njb * IB * JB;
      int j0 = 0;
      for (; j0 + JB <= d; j0 += JB, Xrb += IB * JB) passB<JB>(Xrb, nb, Cb, G + (int64_t)j0 * P);
      if (j0 < d) passB_tail<JB - 1>(d - j0, Xrb, nb, Cb, G + (int64_t)j0 * P);
    }
  }
  static void grad_any(int act, const Ctx& c, const T* Wt, T* G, T* Cb, bool keep) {
    if (act == 0) grad_panel<0>(c, Wt, G, Cb, keep);
    else if (act == 2) grad_panel<2>(c, Wt, G, Cb, keep);
    else grad_panel<1>(c, Wt, G, Cb, keep);
  }

  // Pass C: Ul[i] += Σ_v a_v ⊙ σ(z_iv) (lane-wise partial sums of u_i / κ, docs/theory.md §1).
  template <int ACT, int M>
  OV_INLINE static void passC(const T* Xi, int d, const T* Wt, const T* ap, T* Ui) {
    R z[M][NV];
    zdots<M>(Xi, d, Wt, z);
    R av[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) av[v] = V::load(ap + v * L);
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++) {
      R acc = V::load(Ui + (int64_t)mr * L);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc = V::fmadd(av[v], sig<ACT>(z[mr][v]), acc);
      V::store(Ui + (int64_t)mr * L, acc);
    }
  }
  // Whole groups of MR rows: Ul rows past n collect the zero rows' σ(0) and are never read.
  template <int ACT>
  static void fwd_panel(const T* XP, int n, int d, const T* Wt, const T* ap, T* Ul) {
    for (int i = 0; i < n; i += MR) passC<ACT, MR>(XP + (int64_t)i * d, d, Wt, ap, Ul + (int64_t)i * L);
  }
  static void fwd_any(int act, const T* XP, int n, int d, const T* Wt, const T* ap, T* Ul) {
    if (act == 0) fwd_panel<0>(XP, n, d, Wt, ap, Ul);
    else if (act == 2) fwd_panel<2>(XP, n, d, Wt, ap, Ul);
    else fwd_panel<1>(XP, n, d, Wt, ap, Ul);
  }

  // Cauchy–Schwarz bound on every argument of a panel: |⟨w_q, x_i⟩| ≤ max_q ‖w_q‖ · max_i ‖x_i‖.
  // NaN anywhere gives NaN, which fails every "bound < limit" test below.
  static double zbound(double xmax, const T* Wt, int d) { return xmax * __builtin_sqrt(max_sq(Wt, d)) * 1.0000001; }
  // max_q Σ_j Wt[j][q]² in float64 for a transposed panel. The P sums run side by side (j outer,
  // q inner) so that the loop vectorises instead of waiting on one addition chain per neuron; each
  // sum still adds its terms in the order j = 0, 1, …
  static double max_sq(const T* Wt, int d) {
    double s[P];
    for (int q = 0; q < P; q++) s[q] = 0;
    for (int j = 0; j < d; j++)
      for (int q = 0; q < P; q++) s[q] += (double)Wt[(int64_t)j * P + q] * (double)Wt[(int64_t)j * P + q];
    double wmax = 0;
    for (int q = 0; q < P; q++)
      if (!(s[q] <= wmax)) wmax = s[q];  // NaN propagates as "not ≤"
    return wmax;
  }
  // Which σ to use for a panel: for exp, the unclamped vector exp when the bound is < EXP_SAFE.
  static int act_for(int act, double xmax, const T* Wt, int d) {
    if (act != 0) return act;
    return zbound(xmax, Wt, d) < V::EXP_SAFE ? 2 : 0;
  }

  // ── step's second pass by an exp update (README.md, "blocking and fusion") ──
  // After the update w_q ← w_q + Δw_q of a panel, e^{z'} = e^{z} · e^{δ} with δ = ⟨Δw_q, x_i⟩:
  // e^{z} is still in Cb from pass A, δ costs the dot product that z' would have cost, and e^{δ}
  // needs only a short polynomial since |δ| ≤ b := max_q ‖Δw_q‖ · max_i ‖x_i‖ is small.
  // e^δ − 1 = δ·p_K(δ), p_K = Σ_{k=1..K} δ^{k−1}/k!, truncation relative to e^δ at most
  // b^{K+1}/(K+1)! · e^{2b}; K is the least degree that makes this ≤ FX_TOL (½ ulp) for the
  // panel's b, 0 (= recompute z' and the full exp) when b > ½ or K would exceed FX_KMAX, where
  // the polynomial stops being cheaper than the exp.
  static constexpr double FX_TOL = sizeof(T) == 8 ? 0x1p-54 : 0x1p-25;
  static const int FX_KMAX = sizeof(T) == 8 ? 11 : 7;
  // |z|, |z'| below FX_LIM: e^{z} and e^{z'} are normal and finite, so the product is as
  // accurate as the exp (no overflow to +Inf, no subnormal e^{z} losing bits); else recompute.
  static constexpr double FX_LIM = sizeof(T) == 8 ? 700.0 : 80.0;
  static constexpr double ifact(int k) {
    double f = 1;
    for (int t = 2; t <= k; t++) f *= t;  // exact for k ≤ 18
    return 1.0 / f;
  }
  static int fx_degree(double b) {
    if (!(b <= 0.5)) return 0;  // NaN too; e^{2b} ≤ e < 3 below
    double t = b;               // b^{K+1}/(K+1)! for K = 0
    for (int K = 1; K <= FX_KMAX; K++) {
      t = t * b / (K + 1);
      if (3 * t <= FX_TOL) return K;
    }
    return 0;
  }

  // Ul[i] += Σ_v a_v ⊙ (E ⊙ e^{δ}), E = Ei[mr][v] = e^{z} from pass A, δ = ⟨Δw_q, x_i⟩ (Dt: Δw
  // transposed like Wt). e^{z+δ} = E + (E δ) p_K(δ): one rounding after the correction.
  template <int K, int M>
  OV_INLINE static void passE(const T* Xi, int d, const T* Dt, const T* Ei, const T* ap, T* Ui) {
    R z[M][NV];
    zdots<M>(Xi, d, Dt, z);
    R av[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) av[v] = V::load(ap + v * L);
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++) {
      R acc = V::load(Ui + (int64_t)mr * L);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) {
        R dl = z[mr][v];
        R p = V::set1((T)ifact(K));
#pragma GCC unroll 16
        for (int k = K - 1; k >= 1; k--) p = V::fmadd(p, dl, V::set1((T)ifact(k)));
        R e = V::load(Ei + (int64_t)mr * P + v * L);
        acc = V::fmadd(av[v], V::fmadd(V::mul(e, dl), p, e), acc);
      }
      V::store(Ui + (int64_t)mr * L, acc);
    }
  }
  template <int K>
  static void fwdE_panel(const T* XP, int n, int d, const T* Dt, const T* Eb, const T* ap, T* Ul) {
    for (int i = 0; i < n; i += MR)
      passE<K, MR>(XP + (int64_t)i * d, d, Dt, Eb + (int64_t)i * P, ap, Ul + (int64_t)i * L);
  }
  template <int K>
  static void fwdE_any(int k, const T* XP, int n, int d, const T* Dt, const T* Eb, const T* ap, T* Ul) {
    if (k == K) fwdE_panel<K>(XP, n, d, Dt, Eb, ap, Ul);
    else if constexpr (K > 1) fwdE_any<K - 1>(k, XP, n, d, Dt, Eb, ap, Ul);
  }

  // JVP: Ul[i] += Σ_v a_v ⊙ σ'(z_iv) ⊙ ⟨v_q, x_i⟩.
  template <int ACT, int M>
  OV_INLINE static void passJ(const T* Xi, int d, const T* Wt, const T* Vt, const T* ap, T* Ui) {
    R z[M][NV], zv[M][NV];
    zdots<M>(Xi, d, Wt, z);
    zdots<M>(Xi, d, Vt, zv);
    R av[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) av[v] = V::load(ap + v * L);
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++) {
      R acc = V::load(Ui + (int64_t)mr * L);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc = V::fmadd(V::mul(av[v], dsig<ACT>(z[mr][v])), zv[mr][v], acc);
      V::store(Ui + (int64_t)mr * L, acc);
    }
  }

  // ── chunks: a fixed partition of the panels that does not depend on the thread count ──
  // The neurons are split into two halves [0, h) and [h, m), h = ⌊m/2⌋, each cut into panels of P
  // neurons from its own start and the panels into chunks the same way. Two halves of equal length
  // are thus computed and reduced identically; with coupled initialisation (second half = first
  // half with negated a_r) their partial sums are exact negatives and F(W(0), x) = 0 exactly, as in
  // the reference backend (docs/theory.md §3).
  static int chunks_for(int npan) { return npan < 64 ? npan : 64; }
  static void chunk_range(int npan, int nchunk, int c, int* p0, int* p1) {
    *p0 = (int)((int64_t)c * npan / nchunk);
    *p1 = (int)((int64_t)(c + 1) * npan / nchunk);
  }
  struct Layout { int h, npanA, nchunkA, npan, nchunk; };
  static Layout layout(int m) {
    Layout l;
    l.h = m / 2;
    l.npanA = (l.h + P - 1) / P;
    int npanB = (m - l.h + P - 1) / P;
    l.nchunkA = chunks_for(l.npanA);
    l.npan = l.npanA + npanB;
    l.nchunk = l.nchunkA + chunks_for(npanB);
    return l;
  }
  // Panels [p0, p1) of a chunk, as global panel indices.
  static void chunk_panels(const Ctx& c, int chunk, int* p0, int* p1) {
    if (chunk < c.nchunkA) {
      chunk_range(c.npanA, c.nchunkA, chunk, p0, p1);
    } else {
      chunk_range(c.npan - c.npanA, c.nchunk - c.nchunkA, chunk - c.nchunkA, p0, p1);
      *p0 += c.npanA;
      *p1 += c.npanA;
    }
  }
  // First neuron and neuron count of global panel pi.
  static void panel(const Ctx& c, int pi, int* r0, int* cnt) {
    if (pi < c.npanA) {
      *r0 = pi * P;
      *cnt = ov_min(P, c.h - *r0);
    } else {
      *r0 = c.h + (pi - c.npanA) * P;
      *cnt = ov_min(P, c.m - *r0);
    }
  }
  // Reduce the lanes of Ul into chunkU[c] (fixed lane order) and clear Ul (the padding rows too)
  // for the next chunk.
  static void flush_chunk(T* Ul, int n, int npad, double* out) {
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int l = 0; l < L; l++) s += (double)Ul[(int64_t)i * L + l];
      out[i] = s;
    }
    for (int64_t k = 0; k < (int64_t)npad * L; k++) Ul[k] = 0;
  }
  // u_i = κ (Σ_{c in half A} chunkU[c][i] + Σ_{c in half B} chunkU[c][i]), chunks in order.
  static void reduce_chunks(const Ctx& c, double* u) {
    for (int i = 0; i < c.n; i++) {
      double a = 0, b = 0;
      for (int k = 0; k < c.nchunkA; k++) a += c.chunkU[(int64_t)k * c.n + i];
      for (int k = c.nchunkA; k < c.nchunk; k++) b += c.chunkU[(int64_t)k * c.n + i];
      u[i] = c.p->kappa * (a + b);
    }
  }

  template <int ACT>
  static void task_step(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      load_panel(c.W, c.d, r0, cnt, s.Wt);
      load_a(c.p->a, r0, cnt, s.ap);
      double bz = ACT == 0 ? zbound(c.xmax, s.Wt, c.d) : 0;
      int actA = ACT != 0 ? ACT : bz < V::EXP_SAFE ? 2 : 0;
      // exp: pass A leaves e^{z} of all n samples in Cb for the exp update below
      grad_any(actA, c, s.Wt, s.G, s.Cb, ACT == 0);
      // W ← W − η κ a_q G  (docs/theory.md §2), in float64 whatever the kernel precision; for exp, keep
      // Δw (the difference of the stored weights) transposed in Vt, zero-padded: max ‖Δw_q‖ bounds δ
      T* Dt = s.Vt;
      for (int q = 0; q < cnt; q++) {
        double coef = c.eta * c.p->kappa * c.p->a[r0 + q];
        double* w = c.W + (int64_t)(r0 + q) * c.d;
        for (int j = 0; j < c.d; j++) {
          double wo = w[j];
          w[j] -= coef * (double)s.G[(int64_t)j * P + q];
          if (ACT == 0) Dt[(int64_t)j * P + q] = (T)(w[j] - wo);
        }
      }
      int K = 0;
      if (ACT == 0) {
        for (int j = 0; j < c.d; j++)
          for (int q = cnt; q < P; q++) Dt[(int64_t)j * P + q] = 0;  // padded lanes: E = 1, a = 0
        double bd = c.xmax * __builtin_sqrt(max_sq(Dt, c.d)) * 1.000001;  // ≥ |δ| as computed in T
        if (bz + bd < FX_LIM) K = fx_degree(bd);                          // NaN fails both
      }
      if (K > 0) {
        fwdE_any<FX_KMAX>(K, c.XP, c.n, c.d, Dt, s.Cb, s.ap, s.Ul);
      } else {
        load_panel(c.W, c.d, r0, cnt, s.Wt);  // u at the new weights: the second σ per pair
        fwd_any(act_for(ACT, c.xmax, s.Wt, c.d), c.XP, c.n, c.d, s.Wt, s.ap, s.Ul);
      }
    }
    flush_chunk(s.Ul, c.n, c.npad, c.chunkU + (int64_t)chunk * c.n);
  }

  template <int ACT>
  static void task_forward(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      load_panel(c.Wc, c.d, r0, cnt, s.Wt);
      load_a(c.p->a, r0, cnt, s.ap);
      fwd_any(act_for(ACT, c.xmax, s.Wt, c.d), c.XP, c.n, c.d, s.Wt, s.ap, s.Ul);
    }
    flush_chunk(s.Ul, c.n, c.npad, c.chunkU + (int64_t)chunk * c.n);
  }

  template <int ACT>
  static void task_gradient(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      load_panel(c.Wc, c.d, r0, cnt, s.Wt);
      grad_any(act_for(ACT, c.xmax, s.Wt, c.d), c, s.Wt, s.G, s.Cb, false);
      for (int q = 0; q < cnt; q++) {
        double coef = c.p->kappa * c.p->a[r0 + q];
        double* g = c.G + (int64_t)(r0 + q) * c.d;
        for (int j = 0; j < c.d; j++) g[j] = coef * (double)s.G[(int64_t)j * P + q];
      }
    }
  }

  // Row i of the packed X starts at XP + ⌊i/MR⌋·MR·d + i mod MR (pack_x); MRJ divides MR.
  static const T* xrow(const Ctx& c, int i) { return c.XP + (int64_t)(i / MR) * MR * c.d + i % MR; }
  template <int ACT>
  static void jvp_panel(const Ctx& c, const Scr& s) {
    for (int i = 0; i < c.n; i += MRJ) passJ<ACT, MRJ>(xrow(c, i), c.d, s.Wt, s.Vt, s.ap, s.Ul + (int64_t)i * L);
  }

  template <int ACT>
  static void task_jvp(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      load_panel(c.Wc, c.d, r0, cnt, s.Wt);
      load_panel(c.W2, c.d, r0, cnt, s.Vt);
      load_a(c.p->a, r0, cnt, s.ap);
      int act = act_for(ACT, c.xmax, s.Wt, c.d);
      if (act == 2) jvp_panel<2>(c, s);
      else jvp_panel<ACT>(c, s);
    }
    flush_chunk(s.Ul, c.n, c.npad, c.chunkU + (int64_t)chunk * c.n);
  }

  static void task_flips(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    int64_t count = 0;
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      load_panel(c.Wc, c.d, r0, cnt, s.Wt);  // W0
      load_panel(c.W2, c.d, r0, cnt, s.Vt);  // W
      for (int i = 0; i < c.n; i++) {
        R z0[1][NV], z1[1][NV];
        zdots<1>(xrow(c, i), c.d, s.Wt, z0);
        zdots<1>(xrow(c, i), c.d, s.Vt, z1);
        // padded neurons have z = 0 in both: same pattern, never counted
        for (int v = 0; v < NV; v++) count += __builtin_popcount(V::ge0(z0[0][v]) ^ V::ge0(z1[0][v]));
      }
    }
    c.chunkFlips[chunk] = count;
  }

  // ── entry points ──
  static bool setup(Ctx& c, const OvProblem* p, int threads) {
    c.p = p;
    c.X = (const T*)p->X;
    c.n = p->n;
    c.d = p->d;
    c.m = p->m;
    c.act = p->act;
    Layout lay = layout(p->m);
    c.h = lay.h;
    c.npanA = lay.npanA;
    c.nchunkA = lay.nchunkA;
    c.npan = lay.npan;
    c.nchunk = lay.nchunk;
    c.npad = (c.n + MR - 1) / MR * MR;
    c.njb = (c.d + JB - 1) / JB;
    c.scratchBytes = scratch_bytes(c.npad, c.d);
    c.scratch = (char*)ov_alloc(c.scratchBytes * (threads < 1 ? 1 : threads));
    c.chunkU = (double*)ov_alloc((int64_t)(c.nchunk > 0 ? c.nchunk : 1) * c.n * sizeof(double));
    c.chunkFlips = (int64_t*)ov_alloc((int64_t)(c.nchunk > 0 ? c.nchunk : 1) * sizeof(int64_t));
    c.Xr = 0;
    T* xp = (T*)ov_alloc((int64_t)c.npad * c.d * sizeof(T));
    c.XP = xp;
    if (xp) pack_x(c.X, c.n, c.d, xp);
    c.xmax = 0;
    for (int i = 0; i < c.n; i++) {
      double s = 0;
      for (int j = 0; j < c.d; j++) s += (double)c.X[(int64_t)i * c.d + j] * (double)c.X[(int64_t)i * c.d + j];
      if (!(s <= c.xmax)) c.xmax = s;
    }
    c.xmax = c.xmax == c.xmax ? __builtin_sqrt(c.xmax) : __builtin_inf();
    return c.scratch && c.chunkU && c.chunkFlips && c.XP;
  }
  static void teardown(Ctx& c) {
    ov_free(c.scratch);
    ov_free(c.chunkU);
    ov_free(c.chunkFlips);
    ov_free((void*)c.XP);
    if (c.Xr) ov_free((void*)c.Xr);
  }
  // Packed X for the dot products: groups of MR rows, x_ij at XP[⌊i/MR⌋·MR·d + j·MR + i mod MR];
  // rows n..npad−1 stay zero (ov_alloc zero-fills). Same values, so the same sums as on X itself.
  static void pack_x(const T* X, int n, int d, T* xp) {
    for (int i = 0; i < n; i++)
      for (int j = 0; j < d; j++) xp[(int64_t)(i / MR) * MR * d + (int64_t)j * MR + i % MR] = X[(int64_t)i * d + j];
  }
  // diag(r) X packed for pass B: per block b of IB rows and column block jb of JB columns, an
  // IB×JB tile, row-major, zero-padded: r_i x_ij at Xr[((b·njb + jb)·IB + i mod IB)·JB + j mod JB].
  static void set_r(Ctx& c, const double* r) {
    int nblk = (c.n + IB - 1) / IB;
    T* xr = (T*)ov_alloc((int64_t)nblk * c.njb * IB * JB * sizeof(T));
    for (int i = 0; i < c.n; i++)
      for (int j = 0; j < c.d; j++)
        xr[((int64_t)((i / IB) * c.njb + j / JB) * IB + i % IB) * JB + j % JB] =
            (T)(r[i] * (double)c.X[(int64_t)i * c.d + j]);
    c.Xr = xr;
  }
  static int workers(int threads, int tasks) {
    if (threads < 1) threads = 1;
    return threads < tasks ? threads : (tasks < 1 ? 1 : tasks);
  }

  static void forward(const OvProblem* p, const double* W, double* u, int threads) {
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return;
    c.Wc = W;
    ov_parallel(c.nchunk, th, p->act == 0 ? task_forward<0> : task_forward<1>, &c);
    reduce_chunks(c, u);
    teardown(c);
  }
  static void step(const OvProblem* p, double* W, const double* r, double eta, double* u, int threads) {
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return;
    c.W = W;
    c.eta = eta;
    set_r(c, r);
    ov_parallel(c.nchunk, th, p->act == 0 ? task_step<0> : task_step<1>, &c);
    reduce_chunks(c, u);
    teardown(c);
  }
  static void gradient(const OvProblem* p, const double* W, const double* r, double* G, int threads) {
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return;
    c.Wc = W;
    c.G = G;
    set_r(c, r);
    ov_parallel(c.nchunk, th, p->act == 0 ? task_gradient<0> : task_gradient<1>, &c);
    teardown(c);
  }
  static void jvp(const OvProblem* p, const double* W, const double* Vm, double* out, int threads) {
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return;
    c.Wc = W;
    c.W2 = Vm;
    ov_parallel(c.nchunk, th, p->act == 0 ? task_jvp<0> : task_jvp<1>, &c);
    reduce_chunks(c, out);
    teardown(c);
  }
  static int64_t flips(const OvProblem* p, const double* W0, const double* W, int threads) {
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return -1;
    c.Wc = W0;
    c.W2 = W;
    ov_parallel(c.nchunk, th, task_flips, &c);
    int64_t total = 0;
    for (int k = 0; k < c.nchunk; k++) total += c.chunkFlips[k];
    teardown(c);
    return total;
  }

  static void vexp(const double* x, double* y, int64_t len) {
    alignas(64) T buf[V::L];
    for (int64_t i = 0; i < len; i += L) {
      int k = (int)ov_min((int64_t)L, len - i);
      for (int l = 0; l < L; l++) buf[l] = l < k ? (T)x[i + l] : 0;
      V::store(buf, V::exp(V::load(buf)));
      for (int l = 0; l < k; l++) y[i + l] = (double)buf[l];
    }
  }
};
